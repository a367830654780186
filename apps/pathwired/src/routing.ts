/**
 * Routes for a peer's AllowedIPs, installed as wg-quick(8) installs them (wireguard-tools
 * `src/wg-quick/linux.bash`, `add_route` / `add_default` / `del_if`):
 *
 * - `Table = off`: no route. `Table = N`: every prefix into table N.
 * - `Table = auto` (or none): every prefix into the main table, except a default route (`/0`),
 *   which goes the full-tunnel way: the UDP sockets get a fwmark (the one set, else the first
 *   free table from 51820), the default route goes into that table, `ip rule not fwmark T table
 *   T` sends everything unmarked there, `ip rule table main suppress_prefixlength 0` keeps the
 *   main table's more specific routes, `net.ipv4.conf.all.src_valid_mark=1` lets reverse-path
 *   filtering see the mark, and the firewall rules wg-quick adds (iptables raw: drop packets for
 *   our addresses that arrive on another interface; mangle: carry the mark on replies via
 *   CONNMARK) are added with a comment naming the interface.
 *
 * Everything added is recorded, and `undo()` removes exactly that (routes in our own table go
 * with the link). Each step that fails names the command and what `ip` said.
 */
import { spawnSync } from 'node:child_process';

export interface RoutingOptions {
  readonly iface: string;
  /** Canonical prefixes, all peers together. */
  readonly allowedIPs: readonly string[];
  readonly table: 'off' | 'auto' | number;
  /** The interface's addresses with their prefix length (for the firewall's raw rule). */
  readonly addresses: readonly string[];
  /** The fwmark already set (`FwMark =`), 0 for none. */
  readonly fwmark: number;
  /** Marks the UDP sockets (SO_MARK), as `wg set IFACE fwmark T`. */
  readonly setFwmark: (mark: number) => void;
}

export interface Routing {
  /** The mark the sockets carry after `install` (0: none set by routing). */
  readonly fwmark: number;
  /** Removes what was installed, last first; never throws (each failure is returned). */
  undo(): string[];
}

/** Runs a command; throws an error naming it and its output when it fails. */
export function command(program: string, args: readonly string[], input?: string): string {
  const result = spawnSync(program, args, { encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
  if (result.error) throw new Error(`${program} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    const said = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim();
    throw new Error(`${program} ${args.join(' ')} failed (exit ${result.status})${said ? `: ${said}` : ''}`);
  }
  return result.stdout;
}

function hasCommand(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).status === 0;
}

const family = (prefix: string): '-4' | '-6' => (prefix.includes(':') ? '-6' : '-4');

/** wg-quick's table search: 51820, or the next one with no route in it. */
function freeTable(): number {
  for (let table = 51820; ; table++) {
    const v4 = spawnSync('ip', ['-4', 'route', 'show', 'table', String(table)], { encoding: 'utf8' }).stdout;
    const v6 = spawnSync('ip', ['-6', 'route', 'show', 'table', String(table)], { encoding: 'utf8' }).stdout;
    if (!v4?.trim() && !v6?.trim()) return table;
  }
}

/** wg-quick's firewall text for one family (iptables-restore input). */
function firewallRules(iface: string, addresses: readonly string[], table: number, v6: boolean): string {
  const marker = `-m comment --comment "pathwire rule for ${iface}"`;
  const lines = ['*raw'];
  for (const address of addresses) {
    if (address.includes(':') !== v6) continue;
    const host = address.split('/')[0];
    lines.push(`-I PREROUTING ! -i ${iface} -d ${host} -m addrtype ! --src-type LOCAL -j DROP ${marker}`);
  }
  lines.push(
    'COMMIT',
    '*mangle',
    `-I POSTROUTING -m mark --mark ${table} -p udp -j CONNMARK --save-mark ${marker}`,
    `-I PREROUTING -p udp -j CONNMARK --restore-mark ${marker}`,
    'COMMIT',
    '',
  );
  return lines.join('\n');
}

/** The same rules with `-I` turned into `-D`, to remove them. */
function deleteRules(rules: string): string {
  return rules.replace(/^-I /gm, '-D ');
}

/**
 * Installs the routes; on failure undoes what it did and throws.
 *
 * @example
 * ```ts
 * const routing = installRoutes({ iface: 'wg0', allowedIPs: ['0.0.0.0/0'], table: 'auto',
 *   addresses: ['10.0.0.2/32'], fwmark: 0, setFwmark: (mark) => sockets.setMark(mark) });
 * // ... on the way down:
 * routing.undo();
 * ```
 */
export function installRoutes(options: RoutingOptions): Routing {
  const { iface, table } = options;
  const undo: (() => void)[] = [];
  let fwmark = options.fwmark;
  const routing: Routing = {
    get fwmark() {
      return fwmark;
    },
    undo() {
      const failures: string[] = [];
      for (const step of undo.splice(0).reverse()) {
        try {
          step();
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
      return failures;
    },
  };
  if (table === 'off') return routing;
  // Longest prefixes first, as wg-quick sorts them.
  const prefixes = [...new Set(options.allowedIPs)].sort(
    (a, b) => Number(b.split('/')[1]) - Number(a.split('/')[1]),
  );
  try {
    for (const prefix of prefixes) {
      const proto = family(prefix);
      if (typeof table === 'number') {
        command('ip', [proto, 'route', 'add', prefix, 'dev', iface, 'table', String(table)]);
      } else if (prefix.endsWith('/0')) {
        if (fwmark === 0) {
          const chosen = freeTable();
          options.setFwmark(chosen);
          fwmark = chosen;
        }
        addDefault(options, prefix, fwmark, undo);
      } else {
        const existing = spawnSync('ip', [proto, 'route', 'show', 'dev', iface, 'match', prefix], {
          encoding: 'utf8',
        }).stdout;
        if (!existing?.trim()) command('ip', [proto, 'route', 'add', prefix, 'dev', iface]);
      }
    }
  } catch (error) {
    routing.undo();
    throw error;
  }
  return routing;
}

function addDefault(options: RoutingOptions, prefix: string, table: number, undo: (() => void)[]): void {
  const { iface } = options;
  const proto = family(prefix);
  const t = String(table);
  command('ip', [proto, 'route', 'add', prefix, 'dev', iface, 'table', t]);
  command('ip', [proto, 'rule', 'add', 'not', 'fwmark', t, 'table', t]);
  undo.push(() => command('ip', [proto, 'rule', 'delete', 'not', 'fwmark', t, 'table', t]));
  command('ip', [proto, 'rule', 'add', 'table', 'main', 'suppress_prefixlength', '0']);
  undo.push(() => command('ip', [proto, 'rule', 'delete', 'table', 'main', 'suppress_prefixlength', '0']));
  if (proto === '-4') command('sysctl', ['-q', 'net.ipv4.conf.all.src_valid_mark=1']);
  const restore = proto === '-6' ? 'ip6tables-restore' : 'iptables-restore';
  if (hasCommand(restore)) {
    const rules = firewallRules(iface, options.addresses, table, proto === '-6');
    command(restore, ['-n'], rules);
    undo.push(() => command(restore, ['-n'], deleteRules(rules)));
  }
}
