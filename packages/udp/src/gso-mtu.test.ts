/**
 * UDP GSO over a path whose MTU is smaller than the datagrams (a tunnel MTU of 8920 over a
 * 1500-byte link): the kernel refuses the GSO message (EINVAL) but fragments plain datagrams.
 * The socket must send every datagram, and stop asking for GSO at that size rather than
 * failing one call per flush. A veth from the test's namespace into one of its own; nothing
 * needs to listen (the datagrams are only counted as sent). Runs as root; skips on a laptop;
 * fails under CI=true if it cannot run.
 */
import { describeWith, namespaceCapability, Topology } from '@pathwire/testkit';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { closeOpened, open } from './test-support/collect.js';

describeWith(namespaceCapability(), 'UDP GSO past the path MTU', () => {
  const topology = Topology.create();
  let to = '';
  beforeAll(() => {
    const ns = topology.namespace('dpg');
    to = topology.link(null, ns).b.ipv4;
  });
  afterEach(closeOpened);
  afterAll(() => topology.destroy());

  it('sends 8952-byte datagrams as fragments, with one refused GSO call in all', () => {
    const socket = open({ port: 0, family: 4, batchSize: 64 });
    for (let flush = 0; flush < 10; flush++) {
      for (let i = 0; i < 20; i++) expect(socket.send(new Uint8Array(8952).fill(i), 9, to)).toBe(true);
      socket.flush();
    }
    const stats = socket.stats();
    // One GSO attempt refused in all, not one per flush.
    expect(stats).toMatchObject({
      datagramsSent: 200,
      sendErrors: 0,
      gsoMessages: 0,
      gsoRefused: 1,
      gso: true,
    });
    // Smaller datagrams still go with GSO.
    for (let i = 0; i < 20; i++) socket.send(new Uint8Array(1000), 9, to);
    socket.flush();
    expect(socket.stats().gsoMessages).toBe(1);
  });
});
