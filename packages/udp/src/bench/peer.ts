/**
 * A UDP peer run as a child process (inside a network namespace) by the namespace test and the
 * benchmark. Talks JSON lines on stdout; `report` on stdin ends a receiver.
 *
 *   node dist/bench/peer.js receive IMPL FAMILY BIND_ADDRESS PORT BATCH
 *     prints {"ready":true,"port":N}, counts datagrams (checking the 4-byte sequence number at the
 *     start of each when they carry one), and on `report` prints the counts and exits.
 *   node dist/bench/peer.js send IMPL FAMILY DESTINATION PORT COUNT SIZE BATCH
 *     sends COUNT datagrams of SIZE bytes as fast as the socket accepts them, prints the figures.
 *
 * IMPL is `udp` (this package, batch BATCH, without GSO), `udp-gso` (the same with UDP GSO; a
 * receiver then uses UDP GRO), or `dgram` (node:dgram, one socket.send per datagram). A `udp`
 * receiver reads without GRO: the kernel's UDP counters, which the namespace test accounts
 * datagrams with, count a GRO message once.
 */
import { createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { openUdp } from '../udp-socket.js';

const [role, impl, familyText, addressText, portText, ...rest] = process.argv.slice(2);
const address = addressText ?? '';
const family = familyText === '6' ? 6 : 4;
const port = Number(portText);
const BUFFER_BYTES = 4 << 20;
const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function receive(batch: number): Promise<void> {
  let received = 0;
  let bytes = 0;
  let batches = 0;
  let first = 0;
  let last = 0;
  let duplicates = 0;
  const seen = new Uint8Array(1 << 20);
  const count = (datagram: Uint8Array) => {
    if (datagram.length >= 4) {
      const sequence = (datagram[0]! | (datagram[1]! << 8) | (datagram[2]! << 16)) & (seen.length - 1);
      if (seen[sequence] === 1) duplicates++;
      seen[sequence] = 1;
    }
  };
  let report: () => unknown;
  let stop: () => void;
  if (impl === 'dgram') {
    const socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4', recvBufferSize: BUFFER_BYTES });
    socket.on('message', (message) => {
      const now = performance.now();
      if (received === 0) first = now;
      last = now;
      received++;
      batches++;
      bytes += message.length;
    });
    await new Promise<void>((resolve) => socket.bind(port, address, resolve));
    print({ ready: true, port: socket.address().port });
    report = () => ({ received, bytes, batches, duplicates, first, last });
    stop = () => socket.close();
  } else {
    const socket = openUdp({
      port,
      family,
      address,
      batchSize: batch,
      maxDatagram: 2048,
      gro: impl === 'udp-gso',
    });
    socket.onBatch((b) => {
      const now = performance.now();
      if (received === 0) first = now;
      last = now;
      received += b.count;
      batches++;
      for (let i = 0; i < b.count; i++) {
        bytes += b.lengths[i]!;
        count(b.buffer.subarray(b.offsets[i]!, b.offsets[i]! + 4));
      }
    });
    print({ ready: true, port: socket.port });
    report = () => ({ received, bytes, batches, duplicates, first, last, stats: socket.stats() });
    stop = () => socket.close();
  }
  const cpuAtReady = process.cpuUsage();
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === 'report') break;
  }
  stop();
  const cpu = process.cpuUsage(cpuAtReady);
  print({ ...(report() as object), cpuMs: (cpu.user + cpu.system) / 1000 });
  process.exit(0);
}

async function send(count: number, size: number, batch: number): Promise<void> {
  const datagram = new Uint8Array(size);
  for (let j = 0; j < size; j++) datagram[j] = j & 0xff;
  let errors = 0;
  const start = performance.now();
  const cpuAtStart = process.cpuUsage();
  let elapsed = 0;
  let stats: unknown;
  if (impl === 'dgram') {
    const socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4', sendBufferSize: BUFFER_BYTES });
    await new Promise<void>((resolve) => socket.bind(0, resolve));
    const started = performance.now();
    // node:dgram keeps a reference to the buffer until the send completes: keep it unchanged.
    const chunk = 256;
    for (let i = 0; i < count; ) {
      const end = Math.min(count, i + chunk);
      await new Promise<void>((resolve) => {
        for (; i < end; i++) {
          socket.send(datagram, port, address, i === end - 1 ? () => resolve() : undefined);
        }
      });
    }
    elapsed = performance.now() - started;
    socket.close();
  } else {
    const socket = openUdp({ port: 0, family, batchSize: batch, maxDatagram: 2048, gso: impl === 'udp-gso' });
    socket.onSendError(() => errors++);
    const started = performance.now();
    const perTick = Math.max(batch, 1024);
    let i = 0;
    while (i < count) {
      const end = Math.min(count, i + perTick);
      for (; i < end; i++) {
        datagram[0] = i & 0xff;
        datagram[1] = (i >>> 8) & 0xff;
        datagram[2] = (i >>> 16) & 0xff;
        if (!socket.send(datagram, port, address)) break; // queue full: let the socket drain
      }
      socket.flush();
      await immediate();
    }
    while (socket.queued > 0) await immediate();
    elapsed = performance.now() - started;
    stats = socket.stats();
    socket.close();
  }
  const cpu = process.cpuUsage(cpuAtStart);
  print({
    sent: count,
    elapsedMs: elapsed,
    cpuMs: (cpu.user + cpu.system) / 1000,
    totalMs: performance.now() - start,
    errors,
    stats,
  });
}

if (role === 'receive') {
  await receive(Number(rest[0] ?? 64));
} else if (role === 'send') {
  await send(Number(rest[0]), Number(rest[1]), Number(rest[2] ?? 64));
} else {
  console.error('usage: peer.js receive|send ...');
  process.exit(2);
}
