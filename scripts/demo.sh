#!/usr/bin/env bash
# The README's main job: set up from nothing, then (as root) 1. the protocol interop
# demonstration against a stock wireguard-go, 2. the pathwire daemon running a real tunnel to a
# stock wireguard-go over two links, with a live fail-over when one link is blackholed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node tools/interop/dist/demo.js
echo
node tools/demo/dist/demo.js
