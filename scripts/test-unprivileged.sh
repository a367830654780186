#!/usr/bin/env bash
# The test suite as a user without privileges and without CI, as on a laptop: the tests that need
# root skip (testkit's gate), and the branches tests take when not root (smaller socket buffers,
# no namespaces, no CAP_NET_ADMIN) must pass too. Run as root after a build (dist/ and the native
# addons exist): the vitest of each package whose tests depend on privileges (they consult the uid
# or testkit's gate) runs as `nobody` through setpriv, reading the checkout and writing nothing
# into it. CI runs it once after the root run (scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "run as root: it drops to the user nobody itself" >&2
  exit 1
fi
# A home of its own (npm's cache lives there): a shared /tmp/.npm may hold root-owned files.
copy=""
home="$(mktemp -d /tmp/pathwire-nobody-home.XXXXXX)"
chown nobody:nogroup "$home"
cleanup() { rm -rf "$home" ${copy:+"$copy"}; }
trap cleanup EXIT
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups env -u CI HOME="$home" "$@"; }
# A checkout nobody cannot read (under /root, say) is copied to a readable place first.
if ! as_nobody test -r "$PWD/package.json"; then
  copy="$(mktemp -d /tmp/pathwire-unprivileged.XXXXXX)"
  chmod 755 "$copy"
  cp -a . "$copy/"
  cd "$copy"
fi
vitest="$PWD/node_modules/.bin/vitest"
status=0
for dir in packages/* apps/* tools/*; do
  [ -f "$dir/vitest.config.ts" ] || continue
  grep -qlE 'getuid|describeWith' "$dir"/src/*.test.ts 2>/dev/null || continue
  echo "== $dir (as nobody, CI unset)"
  # --configLoader runner: vite would write a bundled config into node_modules/.vite-temp.
  (cd "$dir" && as_nobody "$vitest" run --configLoader runner) || status=1
done
exit "$status"
