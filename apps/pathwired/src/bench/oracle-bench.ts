/**
 * Figures for the userspace oracle, in namespaces (root): prints min/median/max, never passes or
 * fails. `node dist/bench/oracle-bench.js select|failover [stock|pathwire]`, `… events [statsMs]`.
 *
 * - select: time from `select` (sent) to the server seeing our traffic on the new path (stock:
 *   its `wg show endpoints` polled; pathwire: its own oracle socket's active-changed), 20 runs,
 *   with a 10 ms ping running through the tunnel.
 * - failover: outage (longest gap between ping replies, 10 ms pings) after a silent blackhole of
 *   the active path, with the probe-driven example oracle (1 s rounds) and, in the same run, with
 *   the fallback alone (handshake-race), 5 runs each.
 * - events [statsMs]: tunnel throughput (iperf3, 4 s) without and with 10 watchers taking `stats`
 *   every statsMs (default 100) of 1,000 peers × 4 endpoints; events/s delivered, the daemon's
 *   CPU, the ratio (rounds alternate without/with).
 */
import { type ChildProcess, execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OracleClient, socketPath } from '@pathwire/oracle-client';
import { createOracleLab, INNER, type OracleLab } from '../test-support/oracle-lab.js';

const PROBE_ORACLE = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../packages/oracle-client/examples/probe-oracle.mjs',
);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function summary(name: string, values: number[], unit: string): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const f = (n: number) => (Math.abs(n) < 10 ? n.toFixed(2) : n.toFixed(0));
  return `${name}: n=${values.length} min ${f(sorted[0]!)} / median ${f(median)} / max ${f(sorted.at(-1)!)} ${unit}`;
}

/** A 10 ms ping through the tunnel; reply times (epoch ms) from `ping -D`. */
function pingForever(lab: OracleLab): { replies: number[]; child: ChildProcess } {
  const child = lab.topology.spawn(lab.client, 'ping', ['-D', '-i', '0.01', '-W', '1', INNER.server]);
  const replies: number[] = [];
  let rest = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    rest += chunk.toString();
    const lines = rest.split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      const match = /^\[(\d+\.\d+)\] \d+ bytes from/.exec(line);
      if (match) replies.push(Number(match[1]) * 1000);
    }
  });
  return { replies, child };
}

const other = (lab: OracleLab, endpoint: string | undefined) => lab.endpoints.find((e) => e !== endpoint)!;
const linkOf = (lab: OracleLab, endpoint: string | undefined) =>
  lab.links.find((link) => endpoint?.startsWith(`${link.b.ipv4}:`))!;

async function benchSelect(kind: 'stock' | 'pathwire'): Promise<void> {
  const lab = await createOracleLab(kind);
  const ping = pingForever(lab);
  const writer = await OracleClient.connect({ iface: lab.daemon.iface, role: 'writer', reconnect: false });
  const serverIface = `or${lab.topology.id}s`;
  const serverEvents =
    kind === 'pathwire'
      ? await OracleClient.connect({ path: socketPath(serverIface), reconnect: false })
      : undefined;
  const changes: { at: number; to: string }[] = [];
  if (serverEvents)
    void (async () => {
      for await (const e of serverEvents.events())
        if (e.event === 'active-changed') changes.push({ at: performance.now(), to: e.to });
    })();
  const samples: number[] = [];
  try {
    await sleep(1000);
    for (let i = 0; i < 20; i++) {
      const target = other(lab, lab.active());
      const ours = linkOf(lab, target).a.ipv4;
      const t0 = performance.now();
      await writer.select(lab.peer, target, { leaseMs: 600_000, mode: 'pin' });
      let t1: number | undefined;
      while (t1 === undefined && performance.now() - t0 < 10_000) {
        if (serverEvents) {
          const seen = changes.find((c) => c.at >= t0 && c.to.startsWith(`${ours}:`));
          if (seen) t1 = seen.at;
          else await sleep(1);
        } else if (lab.serverSeesUsAt()?.startsWith(`${ours}:`)) t1 = performance.now();
      }
      if (t1 !== undefined) samples.push(t1 - t0);
      await sleep(1200);
    }
  } finally {
    writer.close();
    serverEvents?.close();
    ping.child.kill();
    await lab.destroy();
  }
  console.log(
    summary(
      `select -> traffic on the new path (${kind}${kind === 'stock' ? ', wg show polled' : ', server oracle event'})`,
      samples,
      'ms',
    ),
  );
}

async function outage(lab: OracleLab, replies: number[]): Promise<number | undefined> {
  const before = lab.active();
  const link = linkOf(lab, before);
  const at = Date.now();
  lab.blackhole(link, true);
  try {
    const deadline = at + 30_000;
    while (Date.now() < deadline && !replies.some((r) => r > at + 50)) await sleep(20);
    const after = replies.find((r) => r > at + 50);
    const last = replies.filter((r) => r <= at).at(-1);
    return after === undefined || last === undefined ? undefined : after - last;
  } finally {
    lab.blackhole(link, false);
    await sleep(4000); // settle: leases renewed, sessions quiet
  }
}

async function benchFailover(kind: 'stock' | 'pathwire'): Promise<void> {
  const lab = await createOracleLab(kind);
  const ping = pingForever(lab);
  const withOracle: number[] = [];
  const fallbackOnly: number[] = [];
  let failed = 0;
  try {
    const oracle = lab.topology.spawn(null, process.execPath, [PROBE_ORACLE, lab.daemon.iface]);
    await sleep(4000);
    for (let i = 0; i < 5; i++) {
      const ms = await outage(lab, ping.replies);
      if (ms === undefined) failed++;
      else withOracle.push(ms);
    }
    oracle.kill('SIGKILL');
    await sleep(2000);
    for (let i = 0; i < 5; i++) {
      const ms = await outage(lab, ping.replies);
      if (ms === undefined) failed++;
      else fallbackOnly.push(ms);
    }
  } finally {
    ping.child.kill();
    await lab.destroy();
  }
  console.log(summary(`blackhole outage, probe-driven example oracle (${kind})`, withOracle, 'ms'));
  console.log(summary(`blackhole outage, fallback handshake-race alone (${kind})`, fallbackOnly, 'ms'));
  if (failed) console.log(`runs without recovery within 30 s: ${failed}`);
}

function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, 100 Hz ticks
}

/** iperf3 for 4 s through the tunnel (asynchronous: the watchers keep reading meanwhile). */
function iperf(lab: OracleLab): Promise<number> {
  return new Promise((resolve, reject) =>
    execFile(
      'ip',
      ['netns', 'exec', lab.client, 'iperf3', '-c', INNER.server, '-t', '4', '-J'],
      { encoding: 'utf8', timeout: 30_000 },
      (error, out) =>
        error ? reject(error) : resolve((JSON.parse(out).end.sum_received.bits_per_second as number) / 1e6),
    ),
  );
}

async function benchEvents(statsMs: number): Promise<void> {
  const lab = await createOracleLab('stock', 999);
  const server = lab.topology.spawn(lab.server, 'iperf3', ['-s', '-B', INNER.server]);
  await sleep(1000);
  const daemonPid = lab.daemon.child.pid!; // `ip netns exec` execs the daemon in place
  const base: number[] = [];
  const loaded: number[] = [];
  const rates: number[] = [];
  const cpu: { base: number[]; loaded: number[] } = { base: [], loaded: [] };
  try {
    for (let round = 0; round < 3; round++) {
      let c0 = cpuMs(daemonPid);
      let t0 = performance.now();
      base.push(await iperf(lab));
      cpu.base.push((cpuMs(daemonPid) - c0) / (performance.now() - t0));
      const watchers = await Promise.all(
        Array.from({ length: 10 }, () => OracleClient.connect({ iface: lab.daemon.iface, reconnect: false })),
      );
      let received = 0;
      for (const watcher of watchers)
        void (async () => {
          for await (const e of watcher.events({ statsMs })) if (e.event === 'stats') received++;
        })();
      await sleep(1000);
      const r0 = received;
      c0 = cpuMs(daemonPid);
      t0 = performance.now();
      loaded.push(await iperf(lab));
      const seconds = (performance.now() - t0) / 1000;
      cpu.loaded.push((cpuMs(daemonPid) - c0) / (seconds * 1000));
      rates.push((received - r0) / seconds);
      for (const watcher of watchers) watcher.close();
      await sleep(500);
    }
  } finally {
    server.kill();
    await lab.destroy();
  }
  console.log(summary('iperf3 through the tunnel, no watchers (1,000 peers)', base, 'Mbit/s'));
  console.log(summary(`iperf3 with 10 watchers, stats every ${statsMs} ms`, loaded, 'Mbit/s'));
  console.log(summary('stats events delivered to the 10 watchers', rates, 'events/s'));
  console.log(summary('daemon CPU, no watchers', cpu.base, 'cores'));
  console.log(summary('daemon CPU, 10 watchers', cpu.loaded, 'cores'));
  const ratio = loaded.map((v, i) => v / base[i]!);
  console.log(summary('throughput ratio with/without watchers (same round)', ratio, ''));
}

const [which, kind = 'stock'] = process.argv.slice(2);
const k = kind === 'pathwire' ? 'pathwire' : 'stock'; // events: the stats period (ms) instead
if (which === 'select') await benchSelect(k);
else if (which === 'failover') await benchFailover(k);
else if (which === 'events') await benchEvents(Number(kind === 'stock' ? 100 : kind));
else {
  console.error('usage: oracle-bench.js select|failover [stock|pathwire] | events [statsMs]');
  process.exitCode = 1;
}
process.exit();
