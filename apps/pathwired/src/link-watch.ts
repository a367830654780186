/**
 * Watches the daemon's own link, as wireguard-go's `RoutineTUNEventReader` does with netlink:
 * when the link is deleted (`ip link del`, `wg-quick down`) the daemon must exit, and when its
 * MTU changes (`ip link set IFACE mtu N`) the device must follow. Node has no netlink socket, so
 * this re-reads sysfs (`/sys/class/net/IFACE/{ifindex,mtu}`) once a second; a link that is gone
 * or carries another ifindex (deleted and re-created by someone else) counts as deleted.
 */
import { readFile } from 'node:fs/promises';

export interface LinkWatchOptions {
  readonly name: string;
  readonly ifindex: number;
  readonly mtu: number;
  readonly onDeleted: () => void;
  readonly onMtu: (mtu: number) => void;
  /** Default 1000 ms. */
  readonly intervalMs?: number;
  /** Default `/sys/class/net`. */
  readonly sysfs?: string;
}

export interface LinkWatch {
  /** Checks now (also done on the interval). */
  check(): Promise<void>;
  close(): void;
}

async function readNumber(path: string): Promise<number | undefined> {
  try {
    const value = Number((await readFile(path, 'utf8')).trim());
    return Number.isInteger(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function watchLink(options: LinkWatchOptions): LinkWatch {
  const base = `${options.sysfs ?? '/sys/class/net'}/${options.name}`;
  let mtu = options.mtu;
  let closed = false;
  let running: Promise<void> | undefined;
  const check = (): Promise<void> => {
    running ??= (async () => {
      const ifindex = await readNumber(`${base}/ifindex`);
      if (closed) return;
      if (ifindex !== options.ifindex) {
        closed = true;
        clearInterval(timer);
        options.onDeleted();
        return;
      }
      const now = await readNumber(`${base}/mtu`);
      if (closed || now === undefined || now === mtu) return;
      mtu = now;
      options.onMtu(now);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => void check(), options.intervalMs ?? 1000);
  timer.unref();
  return {
    check,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
