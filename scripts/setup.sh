#!/usr/bin/env bash
# Brings a brand-new machine to the point where pathwire builds and its tests run:
# Debian packages the tests use (when root on Debian), pnpm, JS dependencies, the build.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.8
DEBIAN_PACKAGES=(wireguard-go wireguard-tools iproute2 iputils-ping iptables dnsmasq iperf3 tcpdump util-linux g++ make python3 openresolv chromium)

log() { printf '[setup] %s\n' "$*"; }

install_debian_packages() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "not root on Debian: skipping system packages (${DEBIAN_PACKAGES[*]}); namespace tests will skip"
    return 0
  fi
  local missing=()
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "system packages present"
    return 0
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # --no-install-recommends: wireguard-tools would otherwise pull in a kernel image.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version)" = "$PNPM_VERSION" ]; then
    return 0
  fi
  log "installing pnpm@$PNPM_VERSION"
  npm install --global --silent "pnpm@$PNPM_VERSION"
}

install_debian_packages
install_pnpm
log "installing JS dependencies"
pnpm install --frozen-lockfile --reporter=append-only >/dev/null
log "building"
pnpm run build --output-logs=errors-only
log "ready"
