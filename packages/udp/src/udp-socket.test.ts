/**
 * The batched UDP socket on loopback, against the real kernel; needs no privileges (with the
 * default socket buffer caps the 1,000-datagram test paces itself when not root).
 */
import { execFileSync } from 'node:child_process';
import { release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describeWith, waitFor } from '@pathwire/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { UdpError } from './errors.js';
import { closeOpened, collect, open } from './test-support/collect.js';
import { openUdp } from './udp-socket.js';

afterEach(closeOpened);

/** Datagram i: 1..1400 bytes, a 2-byte index then a pattern that depends on i. */
function datagram(i: number): Uint8Array {
  const length = 2 + ((i * 37) % 1399);
  const bytes = new Uint8Array(length);
  bytes[0] = i & 0xff;
  bytes[1] = i >> 8;
  for (let j = 2; j < length; j++) bytes[j] = (i * 7 + j) & 0xff;
  return bytes;
}

const root = process.getuid?.() === 0;
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe.each([
  { family: 4 as const, loopback: '127.0.0.1' },
  { family: 6 as const, loopback: '::1' },
])('IPv$family loopback', ({ family, loopback }) => {
  it('sends 1,000 datagrams to itself in batches; all arrive with their lengths, contents, ports', async () => {
    const socket = open({ port: 0, family, batchSize: 64, maxDatagram: 1500 });
    const { received, batchSizes, done } = collect(socket, 1000);
    // As root the 4 MiB buffers (SO_RCVBUFFORCE) hold all 1,000 at once; otherwise send in tens.
    const pace = root ? 1000 : 50;
    for (let i = 0; i < 1000; i++) {
      expect(socket.send(datagram(i), socket.port, loopback)).toBe(true);
      if ((i + 1) % pace === 0 && !root) {
        socket.flush();
        while (received.length < i + 1) await tick();
      }
    }
    await done;
    expect(received).toHaveLength(1000);
    const byIndex = new Map(received.map((r) => [r.bytes[0]! | (r.bytes[1]! << 8), r]));
    const wrong: string[] = []; // one comparison per datagram: deep equality of 1,000 arrays is slow
    for (let i = 0; i < 1000; i++) {
      const r = byIndex.get(i);
      if (!r) wrong.push(`${i}: missing`);
      else if (!Buffer.from(r.bytes).equals(datagram(i))) wrong.push(`${i}: bytes differ`);
      else if (r.port !== socket.port || r.source !== loopback || r.local !== loopback)
        wrong.push(`${i}: from ${r.source}:${r.port} to ${r.local}`);
    }
    expect(wrong).toEqual([]);
    const stats = socket.stats();
    expect(stats.datagramsSent).toBe(1000);
    // One sendmmsg per 64 queued (and one for the rest), or, paced, one per flush of 50.
    expect(stats.sendCalls).toBe(root ? Math.ceil(1000 / 64) : 1000 / pace);
    expect(stats.datagramsReceived).toBe(1000);
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);
    expect(stats.receiveCalls).toBe(batchSizes.length);
  });

  it('flushes at the end of the tick with one sendmmsg', async () => {
    const receiver = open({ port: 0, family, address: loopback });
    const sender = open({ port: 0, family });
    const { received, done } = collect(receiver, 10);
    for (let i = 0; i < 10; i++) sender.send(datagram(i), receiver.port, loopback);
    expect(sender.queued).toBe(10);
    expect(sender.stats().sendCalls).toBe(0);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(sender.queued).toBe(0);
    expect(sender.stats().sendCalls).toBe(1);
    await done;
    expect(received.map((r) => r.port)).toEqual(new Array(10).fill(sender.port));
  });

  it('copies the bytes at send(): the caller may reuse its buffer at once', async () => {
    const receiver = open({ port: 0, family, address: loopback });
    const sender = open({ port: 0, family });
    const { received, done } = collect(receiver, 3);
    const buffer = new Uint8Array(4);
    for (let i = 0; i < 3; i++) {
      buffer.fill(i + 1);
      sender.send(buffer, receiver.port, loopback);
    }
    await done;
    expect(received.map((r) => r.bytes[0]).sort()).toEqual([1, 2, 3]);
  });
});

// UDP_SEGMENT is in Linux 4.18+: on an older kernel these skip on a laptop and fail under CI.
const [major = 0, minor = 0] = release().split('.').map(Number);
const gsoKernel = {
  ok: major > 4 || (major === 4 && minor >= 18),
  reason: `Linux ${release()} has no UDP_SEGMENT (4.18+)`,
};

describeWith(gsoKernel, 'UDP GSO (UDP_SEGMENT)', () => {
  it('sends runs of equal-size datagrams as one message each; they arrive as separate datagrams', async () => {
    const socket = open({ port: 0, family: 4, batchSize: 128, gso: true });
    const { received, done } = collect(socket, 100);
    for (let i = 0; i < 100; i++) {
      const bytes = new Uint8Array(i === 99 ? 300 : 1000).fill(i); // the last one shorter
      socket.send(bytes, socket.port, '127.0.0.1');
    }
    socket.flush();
    await done;
    const stats = socket.stats();
    expect(stats).toMatchObject({ gso: true, datagramsSent: 100, gsoMessages: 2, sendCalls: 1 }); // 64 + 36 segments
    expect(received.map((r) => r.bytes.length)).toEqual([...new Array(99).fill(1000), 300]);
    expect(received.map((r) => r.bytes[0])).toEqual([...new Array(100).keys()]);
    expect(received.every((r) => r.bytes.every((b) => b === r.bytes[0]))).toBe(true);
  });

  it('reports each datagram of a failed GSO message', () => {
    const socket = open({ port: 0, family: 6, gso: true });
    const errors: string[] = [];
    socket.onSendError((address, port, code) => errors.push(`${address} ${port} ${code}`));
    for (let i = 0; i < 5; i++) socket.send(new Uint8Array(100), 9, '::ffff:192.0.2.1');
    socket.flush();
    expect(errors).toEqual(new Array(5).fill('::ffff:192.0.2.1 9 ENETUNREACH'));
  });

  it('gso: false sends one message per datagram', async () => {
    const socket = open({ port: 0, family: 4, gso: false });
    const { done } = collect(socket, 10);
    for (let i = 0; i < 10; i++) socket.send(new Uint8Array(500), socket.port, '127.0.0.1');
    socket.flush();
    await done;
    expect(socket.stats()).toMatchObject({ gso: false, gsoMessages: 0, sendCalls: 1, datagramsSent: 10 });
  });
});

describe('local addresses (IP_PKTINFO)', () => {
  it('reports the address each datagram was sent to, and sends from a chosen local address', async () => {
    const receiver = open({ port: 0, family: 4 }); // wildcard: 127.0.0.0/8 is all ours
    const sender = open({ port: 0, family: 4 });
    const { received, done } = collect(receiver, 3);
    sender.send(datagram(0), receiver.port, '127.0.0.1');
    sender.send(datagram(1), receiver.port, '127.0.0.3');
    sender.send(datagram(2), receiver.port, '127.0.0.3', '127.0.0.2');
    await done;
    const byIndex = (i: number) => received.find((r) => r.bytes[0] === i)!;
    expect(byIndex(0)).toMatchObject({ local: '127.0.0.1', source: '127.0.0.1' });
    expect(byIndex(1)).toMatchObject({ local: '127.0.0.3' });
    expect(byIndex(2)).toMatchObject({ local: '127.0.0.3', source: '127.0.0.2', port: sender.port });
  });

  it('reports a datagram whose local address is not ours (EINVAL) and sends the others', async () => {
    const receiver = open({ port: 0, family: 6, address: '::1' });
    const sender = open({ port: 0, family: 6 });
    const errors: string[][] = [];
    sender.onSendError((address, port, code) => errors.push([address, String(port), code]));
    const { received, done } = collect(receiver, 2);
    sender.send(datagram(0), receiver.port, '::1');
    sender.send(datagram(1), receiver.port, '::1', '2001:db8::99');
    sender.send(datagram(2), receiver.port, '::1', '::1');
    sender.flush();
    expect(errors).toEqual([['::1', String(receiver.port), 'EINVAL']]);
    await done;
    expect(received.map((r) => r.bytes[0]).sort()).toEqual([0, 2]);
  });
});

describe('send errors', () => {
  it('reports ENETUNREACH per datagram (IPv4-mapped destination on a v6-only socket), sends the rest', async () => {
    const socket = open({ port: 0, family: 6, batchSize: 64 });
    const errors: [string, number, string][] = [];
    socket.onSendError((address, port, code) => errors.push([address, port, code]));
    const { received, done } = collect(socket, 8);
    for (let i = 0; i < 10; i++) {
      socket.send(datagram(i), i === 3 ? 9 : socket.port, i === 3 || i === 7 ? '::ffff:192.0.2.1' : '::1');
    }
    socket.flush();
    expect(errors).toEqual([
      ['::ffff:192.0.2.1', 9, 'ENETUNREACH'],
      ['::ffff:192.0.2.1', socket.port, 'ENETUNREACH'],
    ]);
    await done;
    expect(received.map((r) => r.bytes[0]).sort((x, y) => x! - y!)).toEqual([0, 1, 2, 4, 5, 6, 8, 9]);
    const stats = socket.stats();
    expect(stats).toMatchObject({ datagramsSent: 8, sendErrors: 2 });
    // three runs of good datagrams, two failing first datagrams: 5 calls, not 10
    expect(stats.sendCalls).toBe(5);
  });

  it('reports EAFNOSUPPORT for an IPv6 destination on an IPv4 socket', () => {
    const socket = open({ port: 0, family: 4 });
    const errors: string[] = [];
    socket.onSendError((address, _port, code) => errors.push(`${address} ${code}`));
    socket.send(datagram(0), 9, '2001:db8::1');
    socket.flush();
    expect(errors).toEqual(['2001:db8::1 EAFNOSUPPORT']);
  });

  it('throws typed errors for bad arguments', () => {
    const socket = open({ port: 0, family: 4, maxDatagram: 100 });
    const code = (action: () => unknown) => {
      try {
        action();
      } catch (error) {
        expect(error).toBeInstanceOf(UdpError);
        return (error as UdpError).code;
      }
      return 'no error';
    };
    expect(code(() => socket.send(new Uint8Array(4), 9, 'not-an-address'))).toBe('INVALID_ADDRESS');
    expect(code(() => socket.send(new Uint8Array(4), 9, 'localhost'))).toBe('INVALID_ADDRESS');
    expect(code(() => socket.send(new Uint8Array(101), 9, '127.0.0.1'))).toBe('DATAGRAM_TOO_LARGE');
    expect(code(() => socket.send(new Uint8Array(4), 0, '127.0.0.1'))).toBe('INVALID_PORT');
    expect(code(() => socket.send(new Uint8Array(4), 70000, '127.0.0.1'))).toBe('INVALID_PORT');
    expect(code(() => openUdp({ port: 0, family: 5 as 4 }))).toBe('INVALID_OPTION');
    expect(code(() => openUdp({ port: 0, family: 4, batchSize: 0 }))).toBe('INVALID_OPTION');
    expect(code(() => openUdp({ port: -1, family: 4 }))).toBe('INVALID_OPTION');
    expect(code(() => openUdp({ port: 0, family: 4, address: '::1' }))).toBe('INVALID_ADDRESS');
    socket.close();
    expect(code(() => socket.send(new Uint8Array(4), 9, '127.0.0.1'))).toBe('CLOSED');
    expect(code(() => socket.onBatch(() => {}))).toBe('CLOSED');
  });

  it('throws errors carrying the errno and the system call', () => {
    const first = open({ port: 0, family: 4, address: '127.0.0.1' });
    let error: UdpError | undefined;
    try {
      open({ port: first.port, family: 4, address: '127.0.0.1' });
    } catch (caught) {
      error = caught as UdpError;
    }
    expect(error).toBeInstanceOf(UdpError);
    expect(error).toMatchObject({ code: 'ADDRESS_IN_USE', errno: 'EADDRINUSE', syscall: 'bind' });
    expect(error!.message).toContain('127.0.0.1:');
    expect(() => open({ port: 0, family: 4, address: '192.0.2.123' })).toThrow(
      expect.objectContaining({ code: 'ADDRESS_NOT_AVAILABLE', errno: 'EADDRNOTAVAIL' }),
    );
  });
});

describe('lifecycle', () => {
  it('close() is idempotent and no handler runs after it, even with datagrams still queued', async () => {
    const receiver = open({ port: 0, family: 4, address: '127.0.0.1', batchSize: 8 });
    const sender = open({ port: 0, family: 4 });
    let calls = 0;
    receiver.onBatch(() => {
      calls++;
      receiver.close();
      receiver.close();
    });
    for (let i = 0; i < 100; i++) sender.send(datagram(i), receiver.port, '127.0.0.1');
    sender.flush();
    await waitFor(() => calls > 0, 'the first batch', 30_000);
    // 92 or more datagrams are still in the kernel's buffer: a reader that did not stop would
    // be called again at the next poll.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toBe(1);
    expect(receiver.closed).toBe(true);
  });

  it('closing a socket with a pending read (and queued sends) never hangs the process', () => {
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const script = `
      import { openUdp } from ${JSON.stringify(dist)};
      const reading = openUdp({ port: 0, family: 4 }).onBatch(() => { throw new Error('no datagram expected'); });
      const idle = openUdp({ port: 0, family: 6 }).onBatch(() => {});
      idle.unref(); // an unref()ed reader does not keep the process alive
      const sender = openUdp({ port: 0, family: 4 });
      sender.send(new Uint8Array(8), 9, '127.0.0.1');
      sender.close(); // drops the queued datagram; the nextTick flush finds it closed
      setTimeout(() => { reading.close(); reading.close(); console.log('closed'); }, 50);
    `;
    // A hang shows as the timeout killing the child (a generous bound: node starts slowly on a busy machine).
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(output.trim()).toBe('closed');
  });

  it('an unref()ed socket lets the process exit; ref() keeps it alive again', () => {
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const script = `
      import { openUdp } from ${JSON.stringify(dist)};
      const socket = openUdp({ port: 0, family: 4 }).onBatch(() => {});
      socket.unref().ref().unref();
      console.log('exiting');
    `;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(output.trim()).toBe('exiting');
  });
});
