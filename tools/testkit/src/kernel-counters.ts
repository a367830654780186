/**
 * The kernel's own counts inside a namespace, so tests can account for every datagram (what a
 * reader got plus what the kernel dropped) instead of asserting a delivery rate that depends on
 * how busy the machine is. /proc/net/snmp and /proc/net/snmp6 are per network namespace.
 */
import type { Topology } from './topology.js';

export interface UdpCounters {
  /** Datagrams handed to a reader by recvmsg/recvmmsg (counted when read, not when queued). */
  readonly inDatagrams: number;
  /** Datagrams dropped because a socket's receive buffer was full. */
  readonly rcvbufErrors: number;
}

/** The namespace's UDP counters for one family (`null`: the test's own namespace). */
export function udpCounters(topology: Topology, namespace: string | null, family: 4 | 6): UdpCounters {
  if (family === 4) {
    const [names, values] = topology
      .exec(namespace, 'cat', ['/proc/net/snmp'])
      .split('\n')
      .filter((line) => line.startsWith('Udp: '))
      .map((line) => line.trim().split(/\s+/).slice(1));
    const get = (name: string) => Number(values![names!.indexOf(name)]);
    return { inDatagrams: get('InDatagrams'), rcvbufErrors: get('RcvbufErrors') };
  }
  const table = new Map(
    topology
      .exec(namespace, 'cat', ['/proc/net/snmp6'])
      .split('\n')
      .map((line) => line.trim().split(/\s+/) as [string, string]),
  );
  return {
    inDatagrams: Number(table.get('Udp6InDatagrams')),
    rcvbufErrors: Number(table.get('Udp6RcvbufErrors')),
  };
}

export interface LinkCounters {
  readonly rx: { readonly packets: number; readonly dropped: number };
  readonly tx: { readonly packets: number; readonly dropped: number };
}

/** An interface's packet and drop counters (`ip -s link`). */
export function linkCounters(topology: Topology, namespace: string | null, ifname: string): LinkCounters {
  const [link] = JSON.parse(topology.exec(namespace, 'ip', ['-j', '-s', 'link', 'show', 'dev', ifname])) as {
    stats64: LinkCounters;
  }[];
  return link!.stats64;
}
