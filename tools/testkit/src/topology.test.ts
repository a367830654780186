import { afterAll, expect, it } from 'vitest';
import { describeWith, namespaceCapability, run, Topology } from './index.js';

describeWith(namespaceCapability(['ping']), 'Topology', () => {
  const topology = Topology.create();
  afterAll(() => topology.destroy());

  it('links the root namespace to a new one over IPv4 and IPv6, then removes everything', () => {
    const ns = topology.namespace('t');
    const link = topology.link(null, ns);
    expect(run('ping', ['-c', '1', '-W', '2', link.b.ipv4])).toContain('1 received');
    expect(run('ping', ['-6', '-c', '1', '-W', '2', link.b.ipv6])).toContain('1 received');
    topology.destroy();
    expect(run('ip', ['netns', 'list'])).not.toContain(ns);
    expect(run('ip', ['link', 'show'])).not.toContain(link.a.ifname);
  });
});
