/**
 * Benchmark: datagrams/s of 1,420-byte UDP datagrams over a veth link between two network
 * namespaces, node:dgram (one socket.send per datagram, 'message' event per datagram) against
 * this package at batch 1, 32 and 128. Sender and receiver are separate processes (one per core).
 *
 * - send side: the implementation under test sends COUNT datagrams as fast as it is allowed to;
 *   the receiver is this package at batch 128. Rate = COUNT / time until the last one was handed
 *   to the kernel; "CPU" = the sender's CPU time per datagram (user + system, which includes the
 *   kernel's transmit path and, on veth, most of the receive path too).
 * - receive side: this package at batch 128 with UDP GSO blasts COUNT datagrams (faster than any
 *   receiver); the implementation under test receives. Rate = datagrams received / (last - first
 *   arrival), its CPU time per datagram, and the share delivered (the rest overflowed its buffer).
 *
 * Prints figures and ratios, never passes or fails on them. Run as root:
 *   pnpm --filter @pathwire/udp bench        (PATHWIRE_BENCH_COUNT, PATHWIRE_BENCH_ROUNDS)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PEER = fileURLToPath(new URL('./peer.js', import.meta.url));
const SIZE = 1420;
const COUNT = Number(process.env.PATHWIRE_BENCH_COUNT ?? 200_000);
const ROUNDS = Number(process.env.PATHWIRE_BENCH_ROUNDS ?? 3);
const MODES = [
  { name: 'node:dgram', impl: 'dgram', batch: 1 },
  { name: 'udp batch 1', impl: 'udp', batch: 1 },
  { name: 'udp batch 32', impl: 'udp', batch: 32 },
  { name: 'udp batch 128', impl: 'udp', batch: 128 },
  { name: 'udp batch 128 + GSO', impl: 'udp-gso', batch: 128 },
] as const;

const NS_A = `pwudpbench${process.pid % 10000}a`;
const NS_B = `pwudpbench${process.pid % 10000}b`;
const ADDRESS_A = '198.18.0.1';
const ADDRESS_B = '198.18.0.2';

function ip(args: readonly string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function setUp(): void {
  tearDown();
  ip(['netns', 'add', NS_A]);
  ip(['netns', 'add', NS_B]);
  ip(['link', 'add', 'pwub0', 'netns', NS_A, 'type', 'veth', 'peer', 'name', 'pwub1', 'netns', NS_B]);
  for (const [ns, ifname, address] of [
    [NS_A, 'pwub0', ADDRESS_A],
    [NS_B, 'pwub1', ADDRESS_B],
  ] as const) {
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    ip(['-n', ns, 'addr', 'add', `${address}/30`, 'dev', ifname]);
    ip(['-n', ns, 'link', 'set', ifname, 'up']);
  }
}

function tearDown(): void {
  for (const ns of [NS_A, NS_B]) {
    try {
      ip(['netns', 'del', ns]);
    } catch {}
  }
}

type Json = Record<string, number>;

function peer(ns: string, args: readonly string[]): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, process.execPath, PEER, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

function nextJson(child: ChildProcess): Promise<Json> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      resolve(JSON.parse(buffered.slice(0, newline)) as Json);
    };
    const onExit = (code: number | null) => reject(new Error(`peer exited with ${code}`));
    child.stdout!.on('data', onData);
    child.on('exit', onExit);
  });
}

async function run(
  sender: { impl: string; batch: number },
  receiver: { impl: string; batch: number },
): Promise<{ sent: Json; received: Json }> {
  const receiving = peer(NS_B, ['receive', receiver.impl, '4', ADDRESS_B, '0', String(receiver.batch)]);
  const ready = await nextJson(receiving);
  const sending = peer(NS_A, [
    'send',
    sender.impl,
    '4',
    ADDRESS_B,
    String(ready.port),
    String(COUNT),
    String(SIZE),
    String(sender.batch),
  ]);
  const sent = await nextJson(sending);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const report = nextJson(receiving);
  receiving.stdin!.write('report\n');
  return { sent, received: await report };
}

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Row {
  name: string;
  sendRate: number;
  sendCpuUs: number;
  sendDelivered: number;
  sendCalls: number;
  receiveRate: number;
  receiveCpuUs: number;
  receiveDelivered: number;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.error('the UDP benchmark builds network namespaces: run it as root');
    process.exit(1);
  }
  setUp();
  process.on('exit', tearDown);
  console.log(
    `UDP datagrams/s, ${SIZE}-byte datagrams over veth between two namespaces, ${fmt(COUNT)} per run, ` +
      `median of ${ROUNDS} round(s); node ${process.version}`,
  );
  const fast = { impl: 'udp', batch: 128 };
  // The receive side needs a sender faster than any receiver: GSO (5x the others, see the table).
  const blaster = { impl: 'udp-gso', batch: 128 };
  const samples = new Map<string, { [K in keyof Row]: number[] }>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of MODES) {
      const s = await run(mode, fast);
      const r = await run(blaster, mode);
      const entry = samples.get(mode.name) ?? {
        name: [],
        sendRate: [],
        sendCpuUs: [],
        sendDelivered: [],
        sendCalls: [],
        receiveRate: [],
        receiveCpuUs: [],
        receiveDelivered: [],
      };
      entry.sendRate.push(COUNT / (s.sent.elapsedMs! / 1000));
      entry.sendCpuUs.push((s.sent.cpuMs! * 1000) / COUNT);
      entry.sendDelivered.push(s.received.received! / COUNT);
      entry.sendCalls.push(
        (s.sent.stats as unknown as { sendCalls?: number } | undefined)?.sendCalls ?? COUNT,
      );
      const span = (r.received.last! - r.received.first!) / 1000;
      entry.receiveRate.push(r.received.received! / span);
      entry.receiveCpuUs.push((r.received.cpuMs! * 1000) / r.received.received!);
      entry.receiveDelivered.push(r.received.received! / COUNT);
      samples.set(mode.name, entry);
    }
  }
  const rows: Row[] = MODES.map((mode) => {
    const e = samples.get(mode.name)!;
    return {
      name: mode.name,
      sendRate: median(e.sendRate),
      sendCpuUs: median(e.sendCpuUs),
      sendDelivered: median(e.sendDelivered),
      sendCalls: median(e.sendCalls),
      receiveRate: median(e.receiveRate),
      receiveCpuUs: median(e.receiveCpuUs),
      receiveDelivered: median(e.receiveDelivered),
    };
  });
  const base = rows[0]!;
  const header = [
    'implementation',
    'send dgram/s',
    'x dgram',
    'send CPU µs/dgram',
    'syscalls',
    'delivered',
    'recv dgram/s',
    'x dgram',
    'recv CPU µs/dgram',
    'delivered',
  ];
  const table = rows.map((row) => [
    row.name,
    fmt(row.sendRate),
    (row.sendRate / base.sendRate).toFixed(2),
    row.sendCpuUs.toFixed(2),
    fmt(row.sendCalls),
    `${(row.sendDelivered * 100).toFixed(1)} %`,
    fmt(row.receiveRate),
    (row.receiveRate / base.receiveRate).toFixed(2),
    row.receiveCpuUs.toFixed(2),
    `${(row.receiveDelivered * 100).toFixed(1)} %`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of table) console.log(line(row));
  console.log(
    'send side: receiver = udp batch 128. receive side: sender = udp batch 128 + GSO, faster than any ' +
      'receiver, so the receive rate is the receiver\'s capacity and "delivered" shows its overflow. ' +
      '"syscalls" = sendmmsg calls (node:dgram: one sendmsg per datagram).',
  );
}

await main();
