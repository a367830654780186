/**
 * `DNS =` as wg-quick(8) applies it (wireguard-tools `src/wg-quick/linux.bash`, `set_dns` /
 * `unset_dns`): the servers and search domains go to `resolvconf -a IFACE -m 0 -x` (openresolv:
 * metric 0, exclusive), under the interface-order prefix of Debian's resolvconf when it has one;
 * `resolvconf -d IFACE -f` removes them. Without a `resolvconf` command the start fails with a
 * message saying so, before anything else is applied.
 */
import { existsSync, readFileSync } from 'node:fs';
import { command } from './routing.js';

export interface AppliedDns {
  /** Removes the entry; returns the failure message, if any. */
  undo(): string | undefined;
}

/** Whether `DNS =` can be applied on this machine; the reason when not. */
export function dnsUnavailable(): string | undefined {
  try {
    command('sh', ['-c', 'command -v resolvconf']);
    return undefined;
  } catch {
    return 'DNS = needs a resolvconf command (Debian: apt-get install openresolv; or systemd-resolved), none is installed';
  }
}

/** Debian resolvconf's `interface-order`: the first `NAME*` pattern gives the prefix `NAME.`. */
function interfacePrefix(): string {
  const order = '/etc/resolvconf/interface-order';
  if (!existsSync(order)) return '';
  for (const line of readFileSync(order, 'utf8').split('\n')) {
    const match = /^([A-Za-z0-9-]+)\*$/.exec(line.trim());
    if (match) return `${match[1]}.`;
  }
  return '';
}

/** Splits wg-quick's way: IP addresses are servers, anything else a search domain. */
export function resolvConfText(entries: readonly string[]): string {
  const servers = entries.filter((entry) => /^[0-9.]+$/.test(entry) || entry.includes(':'));
  const search = entries.filter((entry) => !servers.includes(entry));
  const lines = servers.map((server) => `nameserver ${server}`);
  if (search.length > 0) lines.push(`search ${search.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

export function applyDns(iface: string, entries: readonly string[]): AppliedDns | undefined {
  if (entries.length === 0) return undefined;
  const unavailable = dnsUnavailable();
  if (unavailable) throw new Error(unavailable);
  const name = `${interfacePrefix()}${iface}`;
  command('resolvconf', ['-a', name, '-m', '0', '-x'], resolvConfText(entries));
  return {
    undo() {
      try {
        command('resolvconf', ['-d', name, '-f']);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    },
  };
}
