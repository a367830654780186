#!/usr/bin/env bash
# The README's main job: set up from nothing, then run the interop demonstration.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "(the interop demonstration lands with @pathwire/noise and @pathwire/transport)"
