#!/usr/bin/env bash
# The README's test command: set up from nothing, then lint, typecheck and run every test.
# As root (CI=true), the network-namespace tests run and fail if they cannot.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
pnpm run lint
pnpm run typecheck --output-logs=errors-only
pnpm run test
