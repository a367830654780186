/**
 * Support for the drop-in tests: `pathwire` on PATH the way a user installs it (the package's
 * own bin, linked into a directory of its own), and helpers to run commands in a namespace with
 * that PATH and to watch a detached daemon through its pid file.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Topology, waitFor } from '@pathwire/testkit';
import { expect } from 'vitest';
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

/**
 * After the test: a daemon still running gets SIGTERM and is waited for, so that it removes its
 * own files before the topology's clean-up SIGKILLs whatever still runs in its namespaces.
 */
export async function stopIfRunning(iface: string): Promise<void> {
  const pid = daemonPid(iface);
  if (pid === undefined || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  await waitFor(() => !alive(pid), `the daemon of ${iface} to stop`, 30_000);
}

/**
 * Gives `namespace` its own /etc/resolv.conf and openresolv state: `ip netns exec` bind-mounts
 * /etc/netns/NAME/* over /etc/*, so resolvconf run inside writes there and never touches the
 * machine's resolver. Returns the private resolv.conf's path (as seen from outside).
 */
export function privateResolvConf(topology: Topology, namespace: string): string {
  const dir = `/etc/netns/${namespace}`;
  mkdirSync(`${dir}`, { recursive: true });
  const state = mkdtempSync(join(tmpdir(), 'pathwire-resolvconf-'));
  writeFileSync(`${dir}/resolv.conf`, '# private to the test namespace\n');
  writeFileSync(`${dir}/resolvconf.conf`, `resolv_conf=/etc/resolv.conf\nstate_dir=${state}\n`);
  topology.onDestroy(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  });
  return `${dir}/resolv.conf`;
}

/** What wg-quick installs for a full tunnel, checked in `namespace` (the MTU from a 1500-byte veth). */
export function expectFullTunnel(tools: DropIn, namespace: string, name: string): void {
  expect(tools.exec(namespace, 'wg', ['show', name, 'fwmark']).stdout.trim()).toBe('0xca6c');
  for (const family of ['-4', '-6'])
    expect(tools.exec(namespace, 'ip', [family, 'route', 'show', 'table', '51820']).stdout).toContain(
      `default dev ${name}`,
    );
  const rules = tools.exec(namespace, 'ip', ['rule']).stdout;
  expect(rules).toContain('not from all fwmark 0xca6c lookup 51820');
  expect(rules).toContain('from all lookup main suppress_prefixlength 0');
  expect(tools.exec(namespace, 'sysctl', ['-n', 'net.ipv4.conf.all.src_valid_mark']).stdout.trim()).toBe('1');
  // wg-quick's MTU: the route to the endpoint (the veth, 1500) minus 80.
  expect(tools.exec(namespace, 'ip', ['link', 'show', name]).stdout).toContain('mtu 1420');
}

/** No policy rule left in `namespace`. */
export function expectNoFullTunnel(tools: DropIn, namespace: string): void {
  const rules = tools.exec(namespace, 'ip', ['rule']).stdout;
  expect(rules).not.toContain('fwmark');
  expect(rules).not.toContain('suppress_prefixlength');
}
