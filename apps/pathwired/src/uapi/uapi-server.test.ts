import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, nobleBackend } from '@pathwire/crypto';
import { Device } from '@pathwire/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UapiError } from './uapi-errors.js';
import { parseGetReply } from './uapi-get-reply.js';
import { serveUapi, type UapiRequestEvent, type UapiServer } from './uapi-server.js';

function newDevice() {
  return new Device({
    backend: nobleBackend,
    privateKey: nobleBackend.generateSecretKey(),
    io: { sendDatagram: () => {}, writePacket: () => {} },
  });
}

function peerHex(): string {
  return bytesToHex(nobleBackend.publicKey(nobleBackend.generateSecretKey()));
}

/** Sends `text`, collects the reply until `replies` answers (`errno=N\n\n`) arrived or the server closed. */
function exchange(path: string, text: string, replies = 1, endAfterWrite = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`timeout; received ${JSON.stringify(received)}`));
    }, 30_000);
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      if (endAfterWrite) socket.end(text);
      else socket.write(text);
    });
    socket.on('data', (chunk: string) => {
      received += chunk;
      if ((received.match(/errno=-?\d+\n\n/g) ?? []).length >= replies) done();
    });
    socket.on('end', done);
    socket.on('error', reject);
  });
}

describe('serveUapi', () => {
  let directory: string;
  let server: UapiServer | undefined;
  let device: Device;
  let events: UapiRequestEvent[];

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'pathwire-uapi-'));
    device = newDevice();
    events = [];
    server = await serveUapi({
      iface: 'pwtest0',
      device,
      now: () => 1000,
      directory,
      maxRequestBytes: 64 * 1024,
      onRequest: (event) => events.push(event),
    });
  });

  afterEach(async () => {
    await server?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('creates the socket root-only (mode 0600) at DIRECTORY/IFACE.sock', async () => {
    expect(server!.path).toBe(join(directory, 'pwtest0.sock'));
    const info = await stat(server!.path);
    expect(info.isSocket()).toBe(true);
    expect(info.mode & 0o777).toBe(0o600);
  });

  it('answers get=1 with the device state', async () => {
    const reply = await exchange(server!.path, 'get=1\n\n');
    expect(bytesToHex(nobleBackend.publicKey(devicePrivate(reply)))).toBe(bytesToHex(device.publicKey));
    expect(reply.endsWith('errno=0\n\n')).toBe(true);
    expect(events).toEqual([{ op: 'get', errno: 0, error: undefined }]);
  });

  it('serves several requests on one connection, in order', async () => {
    const peer = peerHex();
    const reply = await exchange(
      server!.path,
      `get=1\n\nset=1\npublic_key=${peer}\nallowed_ip=10.0.0.2/32\n\nget=1\n\n`,
      3,
    );
    const parts = reply.split(/(?<=errno=-?\d+\n\n)/);
    expect(parts).toHaveLength(3);
    expect(parts[1]).toBe('errno=0\n\n');
    expect(parseGetReply(parts[0]!).peers).toHaveLength(0);
    expect(parseGetReply(parts[2]!).peers[0]).toMatchObject({ publicKey: peer, allowedIPs: ['10.0.0.2/32'] });
  });

  it('answers a bad set with EINVAL, changes nothing, and keeps the connection', async () => {
    const reply = await exchange(
      server!.path,
      `set=1\npublic_key=${peerHex()}\nallowed_ip=nope\n\nget=1\n\n`,
      2,
    );
    expect(reply.startsWith('errno=-22\n\n')).toBe(true);
    expect(reply.endsWith('errno=0\n\n')).toBe(true);
    expect([...device.peers()]).toHaveLength(0);
    expect(events[0]).toMatchObject({ op: 'set', errno: 22 });
    expect(events[0]!.error?.code).toBe('INVALID_VALUE');
  });

  it('answers a get with a trailing character with EINVAL and closes', async () => {
    expect(await exchange(server!.path, 'get=1\nx\n')).toBe('errno=-22\n\n');
  });

  it('closes the connection on an unknown operation, as wireguard-go does', async () => {
    expect(await exchange(server!.path, 'hello=1\n\n')).toBe('');
    // The server is still there.
    expect(await exchange(server!.path, 'get=1\n\n')).toMatch(/errno=0\n\n$/);
  });

  it('bounds the size of a request', async () => {
    const huge = `set=1\n${`public_key=${peerHex()}\n`.repeat(2000)}\n`;
    expect(await exchange(server!.path, huge)).toBe('errno=-90\n\n');
    expect([...device.peers()]).toHaveLength(0);
  });

  it('applies a set body cut short by the end of the stream', async () => {
    const peer = peerHex();
    expect(await exchange(server!.path, `set=1\npublic_key=${peer}\n`, 1, true)).toBe('errno=0\n\n');
    expect([...device.peers()]).toHaveLength(1);
  });

  it('refuses to start while another server holds the interface', async () => {
    const second = serveUapi({ iface: 'pwtest0', device: newDevice(), now: () => 0, directory });
    await expect(second).rejects.toBeInstanceOf(UapiError);
    await expect(second).rejects.toMatchObject({ code: 'INTERFACE_IN_USE' });
    await expect(second).rejects.toThrow(/interface already in use/);
    expect(await exchange(server!.path, 'get=1\n\n')).toMatch(/errno=0\n\n$/);
  });

  it('replaces a stale socket file', async () => {
    const stale = join(directory, 'pwstale.sock');
    execFileSync('python3', [
      '-c',
      `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(stale)})`,
    ]);
    expect((await stat(stale)).isSocket()).toBe(true);
    const other = await serveUapi({ iface: 'pwstale', device: newDevice(), now: () => 0, directory });
    try {
      expect(await exchange(other.path, 'get=1\n\n')).toMatch(/errno=0\n\n$/);
    } finally {
      await other.close();
    }
  });

  it('refuses a path that is not a socket, and a bad interface name', async () => {
    await writeFile(join(directory, 'pwfile.sock'), 'x');
    await expect(serveUapi({ iface: 'pwfile', device, now: () => 0, directory })).rejects.toMatchObject({
      code: 'PATH_NOT_SOCKET',
    });
    await expect(serveUapi({ iface: '../etc', device, now: () => 0, directory })).rejects.toMatchObject({
      code: 'BAD_INTERFACE_NAME',
    });
  });

  it('removes the socket file on close, and closing twice is harmless', async () => {
    const path = server!.path;
    await server!.close();
    await server!.close();
    expect(existsSync(path)).toBe(false);
    server = undefined;
  });

  function devicePrivate(reply: string): Uint8Array {
    return Uint8Array.from(Buffer.from(parseGetReply(reply).privateKey ?? '', 'hex'));
  }
});
