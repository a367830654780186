/**
 * The Linux TUN against the real kernel, inside a network namespace of the test's own: every
 * TUN is created in that namespace (`netns` option), so addresses, routes and traffic never
 * touch the host. Runs as root; skips on a laptop; fails under CI=true if it cannot run.
 * Child processes import the built package (dist/), which turbo builds before `test`.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describeWith, linkCounters, namespaceCapability, Topology, waitFor } from '@pathwire/testkit';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { TunError } from './errors.js';
import { checksumsValid, echoRequestToReply } from './ip-packet.js';
import { type LinuxTun, openTun, type TunOptions } from './linux-tun.js';
import type { PacketBatch } from './tun.js';

const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describeWith(namespaceCapability(['ping', 'setpriv']), 'LinuxTun in a network namespace', () => {
  const topology = Topology.create();
  let ns = '';
  const opened: LinuxTun[] = [];

  beforeAll(() => {
    ns = topology.namespace('t');
    topology.exec(ns, 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=0']);
  });
  afterEach(() => {
    for (const tun of opened.splice(0)) tun.close();
  });
  afterAll(() => topology.destroy());

  function open(options: TunOptions): LinuxTun {
    const tun = openTun({ netns: ns, ...options });
    opened.push(tun);
    return tun;
  }

  /** Runs a command without blocking the event loop (the TUN must keep answering). */
  function runAsync(
    namespace: string | null,
    command: string,
    args: readonly string[],
    timeoutMs = 15_000,
  ): Promise<{ code: number | null; output: string }> {
    const child = topology.spawn(namespace, command, args);
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, output: child.log() });
      });
    });
  }

  /** A TUN without IPv6, so the kernel sends no router solicitations or MLD reports into it. */
  function openQuiet(options: TunOptions): LinuxTun {
    topology.exec(ns, 'sysctl', ['-qw', 'net.ipv6.conf.default.disable_ipv6=1']);
    try {
      return open(options);
    } finally {
      topology.exec(ns, 'sysctl', ['-qw', 'net.ipv6.conf.default.disable_ipv6=0']);
    }
  }

  const linkStats = (ifname: string) => linkCounters(topology, ns, ifname).tx;

  /** Turns every echo request of a batch into its reply in place and writes them back in one call. */
  function answerPings(tun: LinuxTun, seen: string[]) {
    const offsets = new Uint32Array(tun.batchSize);
    const lengths = new Uint32Array(tun.batchSize);
    return (batch: PacketBatch) => {
      let replies = 0;
      for (let i = 0; i < batch.count; i++) {
        const packet = batch.buffer.subarray(batch.offsets[i]!, batch.offsets[i]! + batch.lengths[i]!);
        if (!echoRequestToReply(packet)) continue;
        expect(checksumsValid(packet)).toBe(true);
        seen.push(packet[0]! >> 4 === 4 ? packet.subarray(12, 16).join('.') : 'ipv6');
        offsets[replies] = batch.offsets[i]!;
        lengths[replies++] = batch.lengths[i]!;
      }
      if (replies > 0) expect(tun.writeBatch(batch.buffer, offsets, lengths, replies)).toBe(replies);
      return undefined;
    };
  }

  it('is configured by the addon: name, MTU, up, IPv4/IPv6 addresses and routes', () => {
    const tun = open({
      name: topology.name('c'),
      mtu: 1400,
      addresses: ['10.0.1.1/24', 'fd00:7075::1/64'],
      routes: ['10.1.0.0/16', 'fd00:7076::/64'],
    });
    expect(tun.name).toBe(topology.name('c'));
    expect(tun.mtu).toBe(1400);
    const link = topology.exec(ns, 'ip', ['addr', 'show', 'dev', tun.name]);
    expect(link).toMatch(/mtu 1400/);
    expect(link).toMatch(/[<,]UP[,>]/);
    expect(link).toContain('inet 10.0.1.1/24');
    expect(link).toContain('inet6 fd00:7075::1/64');
    expect(topology.exec(ns, 'ip', ['route', 'show', '10.1.0.0/16'])).toContain(`dev ${tun.name}`);
    expect(topology.exec(ns, 'ip', ['-6', 'route', 'show', 'fd00:7076::/64'])).toContain(`dev ${tun.name}`);
  });

  it('lets the kernel choose the name when none is given', () => {
    const tun = open({});
    expect(tun.name).toMatch(/^tun\d+$/);
  });

  it('answers ping over IPv4 and IPv6 from JS (echo request read, echo reply written)', async () => {
    const tun = open({
      name: topology.name('p'),
      addresses: ['10.0.2.1/24', 'fd00:7075:2::1/64'],
      routes: ['10.2.0.0/16', 'fd00:7075:3::/64'],
    });
    const seen: string[] = [];
    tun.onBatch(answerPings(tun, seen));
    for (const [flag, target] of [
      ['-4', '10.0.2.2'],
      ['-4', '10.2.7.9'],
      ['-6', 'fd00:7075:2::2'],
      ['-6', 'fd00:7075:3::9'],
    ] as const) {
      const { code, output } = await runAsync(
        ns,
        'ping',
        [flag, '-c', '2', '-i', '0.2', '-W', '10', target],
        30_000,
      );
      expect(output, `ping ${target}`).toContain('2 received');
      expect(code).toBe(0);
    }
    // Replies swap addresses, so the reply's source is the address that was pinged.
    expect(seen).toEqual(expect.arrayContaining(['10.0.2.2', '10.2.7.9', 'ipv6']));
  }, 120_000);

  it('reads a burst of 10,000 datagrams in batches, losing none the kernel handed over', async () => {
    const tun = openQuiet({
      name: topology.name('b'),
      addresses: ['10.0.3.1/24'],
      routes: ['10.3.0.0/16'],
      batchSize: 128,
    });
    topology.exec(ns, 'ip', ['link', 'set', 'dev', tun.name, 'txqueuelen', '4096']);
    const sequences = new Set<number>();
    let batches = 0;
    tun.onBatch((batch) => {
      batches++;
      for (let i = 0; i < batch.count; i++) {
        const at = batch.offsets[i]!;
        expect(batch.buffer[at]! >> 4).toBe(4);
        // IPv4 (20) + UDP (8) headers, then the sender's 32-bit sequence number.
        const view = new DataView(batch.buffer.buffer, batch.buffer.byteOffset + at + 28, 4);
        sequences.add(view.getUint32(0));
      }
      return undefined;
    });
    const sender = `
      const socket = require('node:dgram').createSocket('udp4');
      let done = 0, errors = 0;
      for (let i = 0; i < 10000; i++) {
        const payload = Buffer.alloc(512);
        payload.writeUInt32BE(i, 0);
        socket.send(payload, 9, '10.3.0.1', (error) => {
          if (error) errors++;
          if (++done === 10000) { console.log(JSON.stringify({ errors })); socket.close(); }
        });
      }`;
    const { code, output } = await runAsync(ns, process.execPath, ['-e', sender]);
    expect(code, output).toBe(0);
    const { errors } = JSON.parse(output) as { errors: number };
    // Every datagram is read by us or dropped by the kernel (its queue was full); how many
    // drop depends on how busy the machine is, so only the accounting is asserted.
    await waitFor(
      () => tun.stats().packetsRead + linkStats(tun.name).dropped + errors >= 10_000,
      'every datagram read or counted as dropped',
      60_000,
    );
    const stats = tun.stats();
    const kernel = linkStats(tun.name);
    expect(stats.packetsRead).toBe(kernel.packets);
    expect(sequences.size).toBe(stats.packetsRead); // no duplicates
    expect(stats.packetsRead + kernel.dropped + errors).toBe(10_000);
    expect(stats.packetsRead).toBeGreaterThan(0);
    expect(stats.batchesRead).toBe(batches);
  });

  it('pauses when the handler returns false, holding memory to the kernel queue, and resumes', async () => {
    const tun = openQuiet({ name: topology.name('k'), addresses: ['10.0.4.1/24'], batchSize: 4 });
    let calls = 0;
    const counts: number[] = [];
    tun.onBatch((batch) => {
      calls++;
      counts.push(batch.count);
      return calls > 1; // the first batch pauses reading
    });
    const send = (count: number) =>
      runAsync(ns, process.execPath, [
        '-e',
        `const s = require('node:dgram').createSocket('udp4'); let n = 0;
         for (let i = 0; i < ${count}; i++) s.send(Buffer.alloc(64), 9, '10.0.4.2', () => { if (++n === ${count}) s.close(); });`,
      ]);
    await send(40); // the sender has exited: its datagrams are in the TUN's queue
    await waitFor(() => calls > 0, 'the first batch', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toBe(1);
    expect(tun.paused).toBe(true);
    const whilePaused = tun.stats().packetsRead;
    expect(whilePaused).toBeLessThanOrEqual(4);
    tun.resume();
    await waitFor(
      () => tun.stats().packetsRead + linkStats(tun.name).dropped >= 40,
      'the queued datagrams',
      30_000,
    );
    expect(tun.paused).toBe(false);
    expect(tun.stats().packetsRead + linkStats(tun.name).dropped).toBe(40);
    expect(calls).toBeGreaterThan(1);
    // The packets queued while paused were read in full batches of 4, one handler call each.
    expect(counts.slice(1)).toContain(4);
    expect(counts.reduce((sum, n) => sum + n, 0)).toBe(tun.stats().packetsRead);
  });

  it('rejects an oversized write with a clear error and writes nothing of that batch', () => {
    const tun = open({
      name: topology.name('o'),
      mtu: 1400,
      maxPacketSize: 1400,
      addresses: ['10.0.5.1/24'],
    });
    const buffer = new Uint8Array(3000);
    const error = (() => {
      try {
        tun.writeBatch(buffer, Uint32Array.of(0, 1400), Uint32Array.of(1400, 1401), 2);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(TunError);
    expect(error).toMatchObject({ code: 'PACKET_TOO_LARGE', errno: 'EMSGSIZE' });
    expect((error as Error).message).toMatch(/packet 1 is 1401 bytes/);
    expect(() => tun.write(new Uint8Array(1401))).toThrow(/1401 bytes/);
    expect(tun.stats().packetsWritten).toBe(0);
  });

  it('closes during a pending read: no handler call after close, the interface goes away', async () => {
    const tun = open({ name: topology.name('x'), addresses: ['10.0.6.1/24'] });
    let calls = 0;
    tun.onBatch(() => {
      calls++;
      return undefined;
    });
    tun.close();
    tun.close();
    expect(tun.closed).toBe(true);
    expect(() => topology.exec(ns, 'ip', ['link', 'show', 'dev', tun.name])).toThrow();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toBe(0);
    expect(() => tun.write(new Uint8Array(20))).toThrow(expect.objectContaining({ code: 'CLOSED' }));
  });

  it('closes from inside the handler without another call', async () => {
    const tun = open({ name: topology.name('y'), addresses: ['10.0.7.1/24'], batchSize: 1 });
    let calls = 0;
    tun.onBatch(() => {
      calls++;
      tun.close();
      return undefined;
    });
    await runAsync(ns, 'ping', ['-c', '3', '-i', '0.2', '-W', '1', '10.0.7.2']);
    expect(calls).toBe(1);
  });

  it('never keeps the process alive when paused, unref()ed or closed', async () => {
    for (const [index, ending] of [
      'tun.pause()',
      'tun.unref()',
      'setTimeout(() => tun.close(), 50)',
    ].entries()) {
      const script = `
        import { openTun } from ${JSON.stringify(DIST)};
        const tun = openTun({ name: ${JSON.stringify(topology.name(`z${index}`))}, netns: ${JSON.stringify(ns)} });
        tun.onBatch(() => undefined);
        ${ending};`;
      // A process kept alive is killed by the (generous) timeout: code null, not 0.
      const { code, output } = await runAsync(
        null,
        process.execPath,
        ['--input-type=module', '-e', script],
        30_000,
      );
      expect(code, `${ending}: ${output}`).toBe(0);
    }
  }, 120_000);

  it('explains the kernel errors: name in use, bad name, bad MTU, missing namespace', () => {
    const name = topology.name('d');
    open({ name });
    expect(() => open({ name })).toThrow(expect.objectContaining({ code: 'NAME_IN_USE', errno: 'EBUSY' }));
    expect(() => open({ name: 'a-name-of-16byte' })).toThrow(
      expect.objectContaining({ code: 'INVALID_NAME' }),
    );
    expect(() => open({ name: topology.name('m'), mtu: 20 })).toThrow(
      expect.objectContaining({ code: 'INVALID_MTU' }),
    );
    expect(() => openTun({ netns: 'pathwire-no-such-namespace' })).toThrow(
      expect.objectContaining({ code: 'NAMESPACE_NOT_FOUND', errno: 'ENOENT' }),
    );
    expect(() => open({ addresses: ['10.0.0.300/24'] })).toThrow(
      expect.objectContaining({ code: 'INVALID_ADDRESS' }),
    );
  });

  it('without CAP_NET_ADMIN, fails with EPERM and says what is needed', () => {
    const script = `
      import { openTun } from ${JSON.stringify(DIST)};
      try { openTun({ name: ${JSON.stringify(topology.name('q'))}, netns: ${JSON.stringify(ns)} }); console.log('opened'); }
      catch (error) { console.log(JSON.stringify({ code: error.code, errno: error.errno, message: error.message })); }`;
    // Root without CAP_NET_ADMIN in its bounding set: it can open /dev/net/tun but not create a TUN.
    const output = execFileSync(
      'setpriv',
      [
        '--bounding-set=-net_admin',
        '--inh-caps=-net_admin',
        process.execPath,
        '--input-type=module',
        '-e',
        script,
      ],
      { encoding: 'utf8', timeout: 10_000 },
    );
    const result = JSON.parse(output) as { code: string; errno: string; message: string };
    expect(result).toMatchObject({ code: 'PERMISSION_DENIED', errno: 'EPERM' });
    expect(result.message).toMatch(/CAP_NET_ADMIN/);
    expect(result.message).toMatch(/root/);
  });
});
