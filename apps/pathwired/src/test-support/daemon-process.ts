/**
 * Runs the real `pathwire` CLI as a child process inside a test namespace, so its TUN and
 * routes live there; its UAPI socket appears in /var/run/wireguard like wireguard-go's.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Topology, waitFor } from '@pathwire/testkit';

export const PATHWIRE_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'pathwire.js');

export interface DaemonProcess {
  readonly iface: string;
  readonly child: ChildProcess & { log: () => string };
  readonly configPath: string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Writes `config` to `<tmp>/<iface>.conf` and runs `pathwire up` on it in `namespace`. */
export async function startDaemon(
  topology: Topology,
  namespace: string,
  iface: string,
  config: string,
  extraArgs: readonly string[] = [],
): Promise<DaemonProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'pathwire-e2e-'));
  const configPath = join(dir, `${iface}.conf`);
  writeFileSync(configPath, config, { mode: 0o600 });
  topology.onDestroy(() => rmSync(dir, { recursive: true, force: true }));
  const child = topology.spawn(namespace, process.execPath, [
    PATHWIRE_BIN,
    'up',
    configPath,
    '--log-level',
    'debug',
    ...extraArgs,
  ]);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const socket = `/var/run/wireguard/${iface}.sock`;
  await waitFor(() => existsSync(socket) || child.exitCode !== null, `${socket}`, 15_000).catch((error) => {
    throw new Error(`${(error as Error).message}\n${child.log()}`);
  });
  if (child.exitCode !== null) throw new Error(`pathwire up exited with ${child.exitCode}:\n${child.log()}`);
  return {
    iface,
    child,
    configPath,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
