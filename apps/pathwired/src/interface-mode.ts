/**
 * `pathwire [-f|--foreground] IFACE`: the interface as wireguard-go starts it, with no private
 * key, no peers, no address and no route (wg-quick, or the user with `wg` and `ip`, adds them).
 * See detach.ts for the parent/child hand-over.
 */
import { createRegistry } from '@pathwire/strategy';
import type { DaemonConfig } from './config/index.js';
import { Daemon } from './daemon.js';
import { detach, isForeground, reportToParent, wireguardGoLogLevel } from './detach.js';
import { createLogger } from './log.js';
import { runUntilStopped } from './run-daemon.js';
import { registerStrategies } from './strategies.js';

const INTERFACE_NAME = /^[a-zA-Z0-9_=+.-]{1,15}$/;

/** Whether `word` may be an interface name (so `pathwire wg0` means "run wg0"). */
export function isInterfaceName(word: string): boolean {
  return INTERFACE_NAME.test(word) && !word.startsWith('-');
}

/** What wireguard-go starts with: nothing configured; wg-quick's `wg setconf` fills it in. */
export function emptyConfig(): DaemonConfig {
  return {
    interface: {
      line: 0,
      lines: {},
      privateKey: new Uint8Array(32),
      addresses: [],
      dns: [],
      table: 'off',
      // wireguard-go's DefaultMTU; wg-quick sets its own right after.
      mtu: 1420,
      preUp: [],
      postUp: [],
      preDown: [],
      postDown: [],
    },
    peers: [],
  };
}

export async function runInterface(args: readonly string[]): Promise<number> {
  const flag = args[0] === '-f' || args[0] === '--foreground';
  const rest = flag ? args.slice(1) : args;
  const iface = rest[0];
  if (rest.length !== 1 || iface === undefined || !isInterfaceName(iface)) {
    throw new Error('usage: pathwire [-f|--foreground] INTERFACE-NAME (1-15 characters of [a-zA-Z0-9_=+.-])');
  }
  if (!isForeground(flag)) return detach(iface, [process.argv[1]!, iface]);

  const level = wireguardGoLogLevel(process.env.LOG_LEVEL);
  const log = createLogger(level ?? 'error', level ? undefined : () => {});
  const registry = registerStrategies(createRegistry());
  let daemon: Daemon;
  try {
    daemon = await Daemon.start({ iface, config: emptyConfig(), registry, log });
  } catch (error) {
    reportToParent({ error: (error as Error).message });
    throw error;
  }
  reportToParent({ ready: true });
  return runUntilStopped(daemon, log);
}
