/**
 * Prometheus text exposition (format 0.0.4) of the device: bytes and handshakes per peer, drops
 * by reason, per-endpoint RTT and state. Served over HTTP only when asked for (`--metrics`).
 */
import { createServer, type Server } from 'node:http';
import type { Device } from '@pathwire/engine';

const STATES = ['unknown', 'up', 'suspect', 'down'] as const;

const label = (value: string): string => value.replaceAll('\\', '\\\\').replaceAll('"', '\\"');

export function formatMetrics(device: Device, iface: string): string {
  const lines: string[] = [];
  const i = `interface="${label(iface)}"`;
  lines.push(
    '# HELP pathwire_handshakes_total Handshakes completed by the device.',
    '# TYPE pathwire_handshakes_total counter',
  );
  lines.push(`pathwire_handshakes_total{${i}} ${device.counters.handshakesCompleted}`);
  lines.push(
    '# HELP pathwire_initiations_total Handshake initiations sent.',
    '# TYPE pathwire_initiations_total counter',
  );
  lines.push(`pathwire_initiations_total{${i}} ${device.counters.handshakesInitiated}`);
  lines.push(
    '# HELP pathwire_drops_total Datagrams and packets dropped, by reason.',
    '# TYPE pathwire_drops_total counter',
  );
  for (const [reason, count] of Object.entries(device.counters.drops)) {
    lines.push(`pathwire_drops_total{${i},reason="${label(reason)}"} ${count}`);
  }
  lines.push(
    '# HELP pathwire_peer_bytes_total Bytes on the wire per peer.',
    '# TYPE pathwire_peer_bytes_total counter',
  );
  const endpointLines: string[] = [];
  const stateLines: string[] = [];
  for (const peer of device.peers()) {
    const p = `${i},peer="${label(peer.publicKeyText)}"`;
    lines.push(`pathwire_peer_bytes_total{${p},direction="rx"} ${peer.rxBytes}`);
    lines.push(`pathwire_peer_bytes_total{${p},direction="tx"} ${peer.txBytes}`);
    for (const endpoint of peer.endpoints.list) {
      const e = `${p},endpoint="${label(endpoint.key)}",active="${endpoint === peer.active}"`;
      if (endpoint.rtt)
        endpointLines.push(`pathwire_endpoint_rtt_milliseconds{${e}} ${endpoint.rtt.smoothed.toFixed(3)}`);
      for (const state of STATES)
        stateLines.push(`pathwire_endpoint_state{${e},state="${state}"} ${endpoint.state === state ? 1 : 0}`);
    }
  }
  lines.push(
    '# HELP pathwire_endpoint_rtt_milliseconds Smoothed round-trip time per endpoint.',
    '# TYPE pathwire_endpoint_rtt_milliseconds gauge',
  );
  lines.push(...endpointLines);
  lines.push(
    '# HELP pathwire_endpoint_state Endpoint state (1 for the current one).',
    '# TYPE pathwire_endpoint_state gauge',
  );
  lines.push(...stateLines);
  return `${lines.join('\n')}\n`;
}

/** Serves `/metrics` on `host:port`. */
export async function serveMetrics(address: string, render: () => string): Promise<Server> {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address);
  if (!match) throw new Error(`--metrics ${address}: expected host:port, e.g. 127.0.0.1:9586`);
  const host = match[1] ?? match[2]!;
  const port = Number(match[3]);
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(render());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
