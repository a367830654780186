/**
 * A disposable network topology for one test file: namespaces, veth links with documentation
 * addresses (IPv4 /30s from 198.51.100.0/24 and 203.0.113.0/25, IPv6 /64s from fd00:7077::/32),
 * and processes started inside them. 192.0.2.0/24 and fd00::/64 are avoided: this machine's own
 * uplink uses them. 203.0.113.224/27 and fd00:7077:ffff::/64 are left for tunnel addresses.
 * `destroy()` kills every process and removes every namespace, also after a failure; it is
 * idempotent and also runs at process exit.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { releaseLease, takeLease } from './lease.js';
import { run, start, tryRun } from './run.js';

/** Tunnel (inner) address ranges no link uses. */
export const TUNNEL_PREFIX = { ipv4: '203.0.113.224/27', ipv6: 'fd00:7077:ffff::/64' } as const;
const LINKS_PER_TOPOLOGY = 3;

export interface LinkEnd {
  /** Namespace name, or null for the test's own (root) namespace. */
  readonly namespace: string | null;
  readonly ifname: string;
  readonly ipv4: string;
  readonly ipv6: string;
}

export interface Link {
  readonly a: LinkEnd;
  readonly b: LinkEnd;
}

/** RFC 5952 text of an IPv6 address (what sockets report), via the WHATWG URL parser. */
function canonicalIPv6(address: string): string {
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

const live = new Set<Topology>();
process.once('exit', () => {
  for (const topology of live) topology.destroy();
});

export class Topology {
  readonly id: number;
  private readonly namespaces: string[] = [];
  private readonly rootInterfaces: string[] = [];
  private readonly processes: ChildProcess[] = [];
  private readonly cleanups: (() => void)[] = [];
  private links = 0;
  private destroyed = false;

  private constructor(id: number) {
    this.id = id;
  }

  static create(): Topology {
    const topology = new Topology(takeLease());
    live.add(topology);
    return topology;
  }

  /** A short name unique to this topology, usable as an interface name (≤ 15 bytes). */
  name(suffix: string): string {
    const name = `pw${this.id}${suffix}`;
    if (name.length > 15) throw new Error(`interface name too long: ${name}`);
    return name;
  }

  /** Creates a namespace with loopback up. */
  namespace(suffix: string): string {
    const name = this.name(suffix);
    tryRun('ip', ['netns', 'del', name]);
    run('ip', ['netns', 'add', name]);
    this.namespaces.push(name);
    this.exec(name, 'ip', ['link', 'set', 'lo', 'up']);
    return name;
  }

  /** Runs a command in a namespace (or in the test's own namespace when `namespace` is null). */
  exec(namespace: string | null, command: string, args: readonly string[], input?: string): string {
    return namespace === null
      ? run(command, args, input)
      : run('ip', ['netns', 'exec', namespace, command, ...args], input);
  }

  /** Starts a process in a namespace; it is killed by `destroy()`. */
  spawn(namespace: string | null, command: string, args: readonly string[], options: SpawnOptions = {}) {
    const child =
      namespace === null
        ? start(command, args, options)
        : start('ip', ['netns', 'exec', namespace, command, ...args], options);
    this.processes.push(child);
    return child;
  }

  /** A veth pair between two namespaces, each end with an IPv4 /30 and an IPv6 /64 address. */
  link(a: string | null, b: string | null): Link {
    const k = this.links++;
    if (k >= LINKS_PER_TOPOLOGY) throw new Error(`at most ${LINKS_PER_TOPOLOGY} links per topology`);
    const global = this.id * LINKS_PER_TOPOLOGY + k;
    const prefix = global < 64 ? '198.51.100' : '203.0.113';
    const base = (global % 64) * 4;
    const end = (namespace: string | null, side: 'a' | 'b', host: number): LinkEnd => ({
      namespace,
      ifname: this.name(`l${k}${side}`),
      ipv4: `${prefix}.${base + host}`,
      ipv6: canonicalIPv6(`fd00:7077:${this.id.toString(16)}:${k}::${host}`),
    });
    const link = { a: end(a, 'a', 1), b: end(b, 'b', 2) };
    run('ip', ['link', 'add', link.a.ifname, 'type', 'veth', 'peer', 'name', link.b.ifname]);
    for (const side of [link.a, link.b]) {
      if (side.namespace === null) this.rootInterfaces.push(side.ifname);
      else run('ip', ['link', 'set', side.ifname, 'netns', side.namespace]);
      this.exec(side.namespace, 'ip', ['addr', 'add', `${side.ipv4}/30`, 'dev', side.ifname]);
      this.exec(side.namespace, 'ip', ['-6', 'addr', 'add', `${side.ipv6}/64`, 'dev', side.ifname, 'nodad']);
      this.exec(side.namespace, 'ip', ['link', 'set', side.ifname, 'up']);
    }
    return link;
  }

  /** Registers work for `destroy()` (after processes are killed), e.g. removing socket files. */
  onDestroy(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    live.delete(this);
    // SIGTERM first, so that daemons under test clean up after themselves (sockets, pid files);
    // SIGKILL whatever is still running after a grace period.
    const running = this.processes.filter((child) => child.exitCode === null && child.signalCode === null);
    for (const child of running) child.kill('SIGTERM');
    const deadline = Date.now() + 3000;
    while (running.some(isRunning) && Date.now() < deadline) sleepSync(20);
    for (const child of running) if (isRunning(child)) child.kill('SIGKILL');
    for (const namespace of this.namespaces) {
      // Processes started with `ip netns exec` by other means die with their namespace's pids.
      for (const pid of tryPids(namespace)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
      tryRun('ip', ['netns', 'del', namespace]);
    }
    for (const cleanup of this.cleanups) {
      try {
        cleanup();
      } catch {}
    }
    for (const ifname of this.rootInterfaces) {
      if (existsSync(`/sys/class/net/${ifname}`)) tryRun('ip', ['link', 'del', ifname]);
    }
    releaseLease(this.id);
  }
}

/** Whether a child still runs; an exited child not yet reaped (we block the loop) is a zombie. */
function isRunning(child: ChildProcess): boolean {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return false;
  try {
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function tryPids(namespace: string): number[] {
  try {
    return run('ip', ['netns', 'pids', namespace]).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
