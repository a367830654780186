/**
 * Support for the drop-in tests: `pathwire` on PATH the way a user installs it (the package's
 * own bin, linked into a directory of its own), and helpers to run commands in a namespace with
 * that PATH and to watch a detached daemon through its pid file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Topology } from '@pathwire/testkit';
import { isAlive } from '../cli.js';
import { PATHWIRE_BIN } from './daemon-process.js';

export interface Outcome {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface DropIn {
  /** A directory holding `pathwire` (a link to the package's bin) and the test's config files. */
  readonly dir: string;
  /** The environment wg-quick and the tests run with: `dir` first on PATH. */
  readonly env: NodeJS.ProcessEnv;
  /** Runs a command in `namespace` with `env`; never throws, returns what happened. */
  exec(namespace: string, command: string, args: readonly string[]): Outcome;
  /** Writes `dir/NAME.conf` (mode 0600) and returns its path. */
  config(name: string, text: string): string;
}

export function dropIn(topology: Topology): DropIn {
  const dir = mkdtempSync(join(tmpdir(), 'pathwire-dropin-'));
  symlinkSync(PATHWIRE_BIN, join(dir, 'pathwire'));
  topology.onDestroy(() => rmSync(dir, { recursive: true, force: true }));
  const env = {
    ...process.env,
    PATH: `${dir}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`,
    WG_QUICK_USERSPACE_IMPLEMENTATION: 'pathwire',
  };
  return {
    dir,
    env,
    exec(namespace, command, args) {
      const result = spawnSync('ip', ['netns', 'exec', namespace, command, ...args], {
        env,
        encoding: 'utf8',
        timeout: 60_000,
      });
      return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
    },
    config(name, text) {
      const path = join(dir, `${name}.conf`);
      writeFileSync(path, text, { mode: 0o600 });
      return path;
    },
  };
}

/** The pid a running interface wrote, or undefined. */
export function daemonPid(iface: string): number | undefined {
  try {
    const pid = Number(readFileSync(`/var/run/pathwire/${iface}.pid`, 'utf8'));
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` runs (not a zombie). */
export const alive = isAlive;

/** The files a running interface keeps. */
export function runtimeFiles(iface: string): { socket: boolean; pid: boolean } {
  return {
    socket: existsSync(`/var/run/wireguard/${iface}.sock`),
    pid: existsSync(`/var/run/pathwire/${iface}.pid`),
  };
}

/** After the test: a daemon still running gets SIGTERM (it removes its own files). */
export function stopIfRunning(iface: string): void {
  const pid = daemonPid(iface);
  if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGTERM');
}
