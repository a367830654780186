#!/usr/bin/env bash
# The README's main job: set up from nothing, then (as root) 1. the protocol interop
# demonstration against a stock wireguard-go, 2. the pathwire daemon running a real tunnel to a
# stock wireguard-go over two links, with a live fail-over when one link is blackholed, 3. a quick
# sweep of the research comparison, ending with the path of its report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node tools/interop/dist/demo.js
echo
node tools/demo/dist/demo.js
echo
# 3. The research comparison: a quick sweep in the simulator (every run replays exactly), ending
#    with the path of its self-contained report (open it in a browser).
node tools/compare/bin/pathwire-compare.js run --out "${TMPDIR:-/tmp}/pathwire-compare-quick" --seeds 3 \
  --scenario blackhole --scenario oneway-down --scenario loss-20 --scenario flapping \
  --strategy roaming --strategy handshake-race --strategy heartbeat-probe --strategy oracle-probe \
  --strategy send-on-every-path --strategy oracle-truth
