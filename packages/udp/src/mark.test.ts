/**
 * SO_MARK (`setMark`): in a namespace with `ip rule add fwmark 42 prohibit`, a datagram from a
 * marked socket is refused by routing (EACCES) while the same socket unmarked sends it; this is
 * what wg-quick's `ip rule not fwmark M table T` relies on to keep the tunnel's own datagrams out
 * of the tunnel. Runs as root; skips on a laptop; fails under CI=true if it cannot run.
 */
import { fileURLToPath } from 'node:url';
import { describeWith, namespaceCapability, Topology } from '@pathwire/testkit';
import { afterAll, expect, it } from 'vitest';
import { openUdp } from './index.js';

const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

it('setMark refuses a mark that is not a 32-bit unsigned integer', () => {
  const socket = openUdp({ port: 0, family: 4 });
  try {
    expect(() => socket.setMark(-1)).toThrow(/mark must be an integer in 0\.\.4294967295/);
    expect(() => socket.setMark(2 ** 32)).toThrow(/mark/);
  } finally {
    socket.close();
  }
});

describeWith(namespaceCapability(), 'SO_MARK on a batched UDP socket', () => {
  const topology = Topology.create();
  afterAll(() => topology.destroy());

  it('marked datagrams follow fwmark policy routing, unmarked ones do not', () => {
    const a = topology.namespace('pdma');
    const b = topology.namespace('pdmb');
    const link = topology.link(a, b);
    topology.exec(a, 'ip', ['rule', 'add', 'fwmark', '42', 'priority', '100', 'prohibit']);
    const script = `
      import { openUdp } from ${JSON.stringify(DIST)};
      const socket = openUdp({ port: 0, family: 4 });
      const errors = [];
      socket.onSendError((address, port, code) => errors.push(code));
      const send = () => { socket.send(new Uint8Array(8), 9, ${JSON.stringify(link.b.ipv4)}); socket.flush(); };
      send();
      const unmarked = errors.splice(0);
      socket.setMark(42);
      send();
      const marked = errors.splice(0);
      socket.setMark(0);
      send();
      const cleared = errors.splice(0);
      socket.close();
      console.log(JSON.stringify({ unmarked, marked, cleared }));`;
    const output = topology.exec(a, process.execPath, ['--input-type=module', '-e', script]);
    expect(JSON.parse(output)).toEqual({ unmarked: [], marked: ['EACCES'], cleared: [] });
  });
});
