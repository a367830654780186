#!/usr/bin/env bash
# The README's test command: set up from nothing, then lint, typecheck and run every test.
# As root (CI=true), the network-namespace tests run and fail if they cannot; then the tests that
# depend on privileges run again as the user nobody, as on a laptop.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
pnpm run lint
pnpm run typecheck --output-logs=errors-only
pnpm run test
# Once more as an unprivileged user without CI, so the non-root branches stay honest too.
if [ "${CI:-}" = true ] && [ "$(id -u)" = 0 ]; then bash scripts/test-unprivileged.sh; fi
