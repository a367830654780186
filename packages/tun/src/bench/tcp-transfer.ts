/**
 * Both ends of one TCP transfer, for namespace tests through TUNs and tunnels: the receiver
 * hashes what arrives, the sender hashes what it sent, each prints one JSON line, so a test
 * can assert the exact bytes (never a rate).
 *
 *   node dist/bench/tcp-transfer.js serve ADDRESS PORT
 *     prints {"listening":PORT}, then after the one connection ends {"bytes":N,"sha256":"..."}
 *   node dist/bench/tcp-transfer.js send ADDRESS PORT BYTES
 *     prints {"bytes":N,"sha256":"..."} once everything was sent and the receiver closed
 */
import { createHash } from 'node:crypto';
import { createConnection, createServer } from 'node:net';
import { xorshiftBytes } from './xorshift-bytes.js';

const [mode, host, portText, bytesText] = process.argv.slice(2);
const port = Number(portText);
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

/** Chunk k of the stream: every chunk differs. */
const chunk = (k: number, length: number): Buffer =>
  Buffer.from(xorshiftBytes(length, (k + 1) * 2654435761).buffer);

if (mode === 'serve') {
  const server = createServer((socket) => {
    const hash = createHash('sha256');
    let bytes = 0;
    socket.on('data', (data) => {
      hash.update(data);
      bytes += data.length;
    });
    socket.on('end', () => {
      print({ bytes, sha256: hash.digest('hex') });
      socket.end(() => process.exit(0));
    });
  });
  server.listen(port, host, () => print({ listening: (server.address() as { port: number }).port }));
} else if (mode === 'send') {
  const total = Number(bytesText);
  const hash = createHash('sha256');
  const socket = createConnection({ host, port }, () => {
    let sent = 0;
    let k = 0;
    const pump = () => {
      while (sent < total) {
        const data = chunk(k++, Math.min(65536, total - sent));
        hash.update(data);
        sent += data.length;
        if (!socket.write(data)) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
    };
    pump();
  });
  socket.on('close', () => {
    print({ bytes: total, sha256: hash.digest('hex') });
    process.exit(0);
  });
  socket.on('data', () => {});
  socket.on('error', (error) => {
    console.error(error.message);
    process.exit(1);
  });
} else {
  console.error('usage: tcp-transfer serve ADDRESS PORT | send ADDRESS PORT BYTES');
  process.exit(2);
}
