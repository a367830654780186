/**
 * The interface MTU when `MTU =` is not given, computed as wg-quick(8) does (`set_mtu_up` in
 * wireguard-tools `src/wg-quick/linux.bash`): the largest MTU of the routes to the peers'
 * endpoints (`ip route get ADDR`: its `mtu N`, else its device's MTU), else that of the default
 * route, else 1500; minus 80 (the largest WireGuard overhead: IPv6 40 + UDP 8 + WireGuard 32).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const WIREGUARD_OVERHEAD = 80;

function deviceMtu(device: string): number | undefined {
  try {
    const mtu = Number(readFileSync(`/sys/class/net/${device}/mtu`, 'utf8').trim());
    return Number.isInteger(mtu) && mtu > 0 ? mtu : undefined;
  } catch {
    return undefined;
  }
}

/** The MTU of a route as `ip route` prints it: its own `mtu N`, else its device's. */
export function routeMtu(routeText: string): number | undefined {
  const own = /\bmtu (?:lock )?(\d+)/.exec(routeText);
  if (own) return Number(own[1]);
  const device = /\bdev (\S+)/.exec(routeText);
  return device ? deviceMtu(device[1]!) : undefined;
}

function ip(args: readonly string[]): string {
  return spawnSync('ip', args, { encoding: 'utf8' }).stdout ?? '';
}

/** wg-quick's automatic MTU for a tunnel to these endpoint addresses (IP literals). */
export function automaticMtu(endpointAddresses: readonly string[]): number {
  let mtu = 0;
  for (const address of endpointAddresses) mtu = Math.max(mtu, routeMtu(ip(['route', 'get', address])) ?? 0);
  if (mtu === 0) mtu = routeMtu(ip(['route', 'show', 'default']).split('\n')[0] ?? '') ?? 0;
  return (mtu > 0 ? mtu : 1500) - WIREGUARD_OVERHEAD;
}
