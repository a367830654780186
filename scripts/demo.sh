#!/usr/bin/env bash
# The README's main job: set up from nothing, then run the interop demonstration against a
# stock wireguard-go peer in a network namespace (needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node tools/interop/dist/demo.js
