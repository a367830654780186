/**
 * The UDP socket between two network namespaces joined by a veth link (testkit), each peer a child
 * process running dist/bench/peer.js (turbo builds dist before `test`). Runs as root; skips on a
 * laptop; fails under CI=true if it cannot run.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  describeWith,
  linkCounters,
  namespaceCapability,
  Topology,
  udpCounters,
  waitFor,
} from '@pathwire/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';

const PEER = fileURLToPath(new URL('../dist/bench/peer.js', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

type Spawned = ChildProcess & { log: () => string };

/** Resolves with the next JSON line the child prints on stdout. */
function nextJson(child: Spawned, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no answer from the peer within ${timeoutMs} ms:\n${child.log()}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      cleanup();
      resolve(JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>);
    };
    const onExit = () => {
      cleanup();
      reject(new Error(`the peer exited early:\n${child.log()}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout!.on('data', onData);
    child.on('exit', onExit);
  });
}

describeWith(namespaceCapability(['tc']), 'UDP sockets across a veth link between two namespaces', () => {
  const topology = Topology.create();
  let a = '';
  let b = '';
  let link: ReturnType<Topology['link']>;

  beforeAll(() => {
    a = topology.namespace('ua');
    b = topology.namespace('ub');
    for (const ns of [a, b]) topology.exec(ns, 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=0']);
    link = topology.link(a, b);
  });
  afterAll(() => topology.destroy());

  function peer(ns: string, args: readonly string[]): Spawned {
    return topology.spawn(ns, process.execPath, [PEER, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    }) as Spawned;
  }

  /** Datagrams the veth pair dropped on the way (a full backlog queue), both ends. */
  function vethDrops(): number {
    let drops = 0;
    for (const end of [link.a, link.b]) {
      const stats = linkCounters(topology, end.namespace, end.ifname);
      drops += stats.rx.dropped + stats.tx.dropped;
    }
    return drops;
  }

  /**
   * Sends a blast from a to b and accounts for every datagram: each one was read by the receiver
   * or counted by b's kernel as a receive-buffer overflow (or by the veth pair as a drop). How
   * many overflow depends on how busy the machine is, so no test asserts a delivery rate: the
   * rates are in the benchmark (`pnpm --filter @pathwire/udp bench`).
   */
  async function blast(options: {
    family: 4 | 6;
    count: number;
    size: number;
    batch: number;
    gso?: boolean;
  }) {
    const to = options.family === 6 ? link.b.ipv6 : link.b.ipv4;
    const before = { kernel: udpCounters(topology, b, options.family), veth: vethDrops() };
    const receiver = peer(b, ['receive', 'udp', String(options.family), to, '0', '64']);
    const ready = await nextJson(receiver);
    const sender = peer(a, [
      'send',
      options.gso ? 'udp-gso' : 'udp',
      String(options.family),
      to,
      String(ready.port),
      String(options.count),
      String(options.size),
      String(options.batch),
    ]);
    const sent = await nextJson(sender);
    const accounted = () => {
      const now = udpCounters(topology, b, options.family);
      return {
        read: now.inDatagrams - before.kernel.inDatagrams,
        overflowed: now.rcvbufErrors - before.kernel.rcvbufErrors,
        vethDropped: vethDrops() - before.veth,
      };
    };
    // Every datagram is read or counted as dropped (a busy machine only makes this take longer).
    await waitFor(
      () => {
        const { read, overflowed, vethDropped } = accounted();
        return read + overflowed + vethDropped >= options.count;
      },
      `all ${options.count} datagrams read or counted as dropped (so far ${JSON.stringify(accounted())})`,
      60_000,
    );
    const report = nextJson(receiver);
    receiver.stdin!.write('report\n');
    const received = await report; // the receiver has closed its socket: the kernel counts are final
    return { receiver: received, sender: sent, kernel: accounted() };
  }

  /** What must hold for any blast, however busy the machine. */
  function expectAccounted(result: Awaited<ReturnType<typeof blast>>, count: number, size: number): void {
    const { receiver, kernel } = result;
    console.log(`[udp netns] ${count} sent: ${JSON.stringify(kernel)}, received ${receiver.received}`);
    // Every datagram the kernel handed to our recvmmsg reached the handler, exactly once, whole.
    expect(receiver.received).toBe(kernel.read);
    expect(receiver.duplicates).toBe(0);
    expect(receiver.bytes).toBe(kernel.read * size);
    // Nothing arrived that was not sent, and every datagram sent is accounted for.
    expect(kernel.read + kernel.overflowed + kernel.vethDropped).toBe(count);
    expect(kernel.read).toBeGreaterThan(0);
  }

  it('sends a blast of 100,000 datagrams of 1,400 bytes in batches; each arrives once and whole, or is counted as a receive overflow (IPv4)', async () => {
    const result = await blast({ family: 4, count: 100_000, size: 1400, batch: 64 });
    const stats = result.sender.stats as { datagramsSent: number; sendCalls: number; sendErrors: number };
    expect(stats.datagramsSent).toBe(100_000);
    expect(stats.sendErrors).toBe(0);
    expect(stats.sendCalls).toBeLessThan(100_000 / 16); // batched, not one syscall per datagram
    expectAccounted(result, 100_000, 1400);
  }, 120_000);

  it('the same over IPv6', async () => {
    const result = await blast({ family: 6, count: 100_000, size: 1400, batch: 128 });
    expect((result.sender.stats as { datagramsSent: number }).datagramsSent).toBe(100_000);
    expectAccounted(result, 100_000, 1400);
  }, 120_000);

  it('sends 100,000 datagrams with UDP GSO: segmented by the kernel, each arrives once and whole, or is counted', async () => {
    const result = await blast({ family: 4, count: 100_000, size: 1400, batch: 128, gso: true });
    const stats = result.sender.stats as { datagramsSent: number; gso: boolean; gsoMessages: number };
    expect(stats.datagramsSent).toBe(100_000);
    expect(stats.gso).toBe(true); // the veth device takes UDP_SEGMENT
    // Runs of equal-size datagrams left as segmented messages: far fewer messages than datagrams.
    expect(stats.gsoMessages).toBeGreaterThan(0);
    expect(stats.gsoMessages).toBeLessThan(100_000 / 16);
    expectAccounted(result, 100_000, 1400);
  }, 120_000);

  it('waits for writability on EAGAIN instead of dropping (slow link: tbf 200 Mbit/s)', async () => {
    // A shaping qdisc holds datagrams, so the 4 MiB send buffer fills and sendmmsg says EAGAIN.
    topology.exec(a, 'tc', [
      'qdisc',
      'add',
      'dev',
      link.a.ifname,
      'root',
      'tbf',
      'rate',
      '200mbit',
      'burst',
      '64kb',
      'limit',
      '64mb',
    ]);
    try {
      const result = await blast({ family: 4, count: 20_000, size: 1400, batch: 64 });
      const stats = result.sender.stats as {
        datagramsSent: number;
        sendErrors: number;
        writableWaits: number;
      };
      expect(stats.writableWaits).toBeGreaterThan(0); // the send buffer did fill up...
      expect(stats.datagramsSent).toBe(20_000); // ...and the socket waited instead of dropping
      expect(stats.sendErrors).toBe(0);
      // All 20,000 left through the shaper; none was dropped before the wire.
      const [qdisc] = JSON.parse(
        topology.exec(a, 'tc', ['-s', '-j', 'qdisc', 'show', 'dev', link.a.ifname]),
      ) as {
        packets: number;
        drops: number;
      }[];
      expect(qdisc).toMatchObject({ drops: 0 });
      expect(qdisc!.packets).toBeGreaterThanOrEqual(20_000); // plus any neighbour discovery
      expectAccounted(result, 20_000, 1400);
    } finally {
      topology.exec(a, 'tc', ['qdisc', 'del', 'dev', link.a.ifname, 'root']);
    }
  }, 90_000);

  it('reports ENETUNREACH per datagram for an IPv6 destination without a route, sends the rest', async () => {
    // Namespace a has routes only to its link's /64: 2001:db8::1 is unroutable there.
    const before = udpCounters(topology, b, 6);
    const receiver = peer(b, ['receive', 'udp', '6', link.b.ipv6, '0', '64']);
    const ready = await nextJson(receiver);
    const script = `
      import { openUdp } from ${JSON.stringify(DIST)};
      const socket = openUdp({ port: 0, family: 6 });
      const errors = [];
      socket.onSendError((address, port, code) => errors.push([address, port, code]));
      for (let i = 0; i < 10; i++) {
        const unroutable = i % 3 === 1;
        socket.send(new Uint8Array([i, 0, 0, 0]), ${Number(ready.port)}, unroutable ? '2001:db8::1' : ${JSON.stringify(link.b.ipv6)});
      }
      socket.flush();
      console.log(JSON.stringify({ errors, stats: socket.stats() }));
      socket.close();
    `;
    const child = topology.spawn(a, process.execPath, ['--input-type=module', '-e', script]) as Spawned;
    const answer = await nextJson(child);
    await waitFor(
      () => udpCounters(topology, b, 6).inDatagrams - before.inDatagrams >= 7,
      'the 7 datagrams read',
      60_000,
    );
    const report = nextJson(receiver);
    receiver.stdin!.write('report\n');
    expect(answer.errors).toEqual([
      ['2001:db8::1', ready.port, 'ENETUNREACH'],
      ['2001:db8::1', ready.port, 'ENETUNREACH'],
      ['2001:db8::1', ready.port, 'ENETUNREACH'],
    ]);
    expect((answer.stats as { datagramsSent: number }).datagramsSent).toBe(7);
    expect((await report).received).toBe(7);
    expect(udpCounters(topology, b, 6).inDatagrams - before.inDatagrams).toBe(7);
  }, 120_000);
});
