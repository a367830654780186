/**
 * `pathwire status`: what a running interface reports over its UAPI socket (the standard
 * keys plus pathwire's `pathwire_*` ones), for people and, with `--json`, for programs.
 */
import { bytesToBase64, hexToBytes } from '@pathwire/crypto';
import { parseGetReply } from './uapi/index.js';
import { uapiRequest } from './uapi-client.js';

export interface EndpointStatus {
  readonly endpoint: string;
  readonly active: boolean;
  readonly fields: Readonly<Record<string, string>>;
}

export interface PeerStatus {
  readonly publicKey: string;
  readonly strategy: string | undefined;
  /** What the strategy reports about itself (e.g. the last race and its winner). */
  readonly strategyState: Record<string, unknown> | undefined;
  /** Whether the peer answers in-band probes: unknown, yes (a pathwire peer), no (stock). */
  readonly probeSupport: string | undefined;
  readonly endpoint: string | undefined;
  readonly endpoints: EndpointStatus[];
  readonly allowedIPs: string[];
  /** Seconds since the last handshake, or undefined when there was none. */
  readonly handshakeAgeSeconds: number | undefined;
  readonly rxBytes: number;
  readonly txBytes: number;
}

export interface InterfaceStatus {
  readonly interface: string;
  readonly listenPort: number | undefined;
  readonly peers: PeerStatus[];
  readonly drops: Record<string, number>;
  /** In-band probe counters of the device (sent, answered, lost, duplicated data). */
  readonly probes: Record<string, number>;
}

export async function readStatus(iface: string): Promise<InterfaceStatus> {
  const text = await uapiRequest(iface, 'get=1\n\n');
  const reply = parseGetReply(text);
  const drops: Record<string, number> = {};
  const probes: Record<string, number> = {};
  const strategyStates: (Record<string, unknown> | undefined)[] = [];
  const probeSupport: (string | undefined)[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('public_key=')) {
      strategyStates.push(undefined);
      probeSupport.push(undefined);
    }
    if (line.startsWith('pathwire_probe_support='))
      probeSupport[probeSupport.length - 1] = line.slice('pathwire_probe_support='.length);
    if (line.startsWith('pathwire_probe=')) {
      const [what = '', count = '0'] = line.slice('pathwire_probe='.length).split(' ');
      probes[what] = Number(count);
    }
    if (line.startsWith('pathwire_strategy_state=')) {
      strategyStates[strategyStates.length - 1] = JSON.parse(line.slice('pathwire_strategy_state='.length));
    }
    if (!line.startsWith('pathwire_drop=')) continue;
    const [reason = '', count = '0'] = line.slice('pathwire_drop='.length).split(' ');
    drops[reason] = Number(count);
  }
  const nowSeconds = Date.now() / 1000;
  return {
    interface: iface,
    listenPort: reply.listenPort,
    drops,
    probes,
    peers: reply.peers.map((peer, index) => ({
      publicKey: bytesToBase64(hexToBytes(peer.publicKey)),
      strategy: peer.strategy,
      strategyState: strategyStates[index],
      probeSupport: probeSupport[index],
      endpoint: peer.endpoint,
      endpoints: peer.endpoints.map((endpoint) => ({
        endpoint: endpoint.key,
        active: endpoint.key === peer.endpoint,
        fields: endpoint.fields,
      })),
      allowedIPs: peer.allowedIPs,
      handshakeAgeSeconds:
        peer.lastHandshakeTimeSec > 0
          ? Math.max(0, Math.round(nowSeconds - peer.lastHandshakeTimeSec))
          : undefined,
      rxBytes: peer.rxBytes,
      txBytes: peer.txBytes,
    })),
  };
}

const bytes = (n: number): string =>
  n >= 1 << 30
    ? `${(n / (1 << 30)).toFixed(2)} GiB`
    : n >= 1 << 20
      ? `${(n / (1 << 20)).toFixed(2)} MiB`
      : n >= 1024
        ? `${(n / 1024).toFixed(2)} KiB`
        : `${n} B`;

export function formatStatus(status: InterfaceStatus): string {
  const lines = [`interface: ${status.interface}`, `  listening port: ${status.listenPort ?? '?'}`];
  const dropped = Object.entries(status.drops).filter(([, count]) => count > 0);
  if (dropped.length)
    lines.push(`  drops: ${dropped.map(([reason, count]) => `${reason} ${count}`).join(', ')}`);
  const probeCounts = Object.entries(status.probes ?? {}).filter(([, count]) => count > 0);
  if (probeCounts.length)
    lines.push(`  probes: ${probeCounts.map(([what, count]) => `${what} ${count}`).join(', ')}`);
  for (const peer of status.peers) {
    lines.push('', `peer: ${peer.publicKey}`, `  strategy: ${peer.strategy ?? 'roaming'}`);
    if (peer.probeSupport && peer.probeSupport !== 'unknown')
      lines.push(
        `  in-band probes: ${peer.probeSupport === 'yes' ? 'answered (pathwire peer)' : 'not answered (stock peer)'}`,
      );
    const probePaths = peer.strategyState?.paths as Record<string, { state?: string }> | undefined;
    const race = peer.strategyState?.lastRace as
      | { winner?: string; rttMs?: number; trigger?: string }
      | undefined;
    if (race?.winner) {
      lines.push(
        `  last race: won by ${race.winner}${race.rttMs !== undefined ? ` in ${race.rttMs} ms` : ''} (${race.trigger ?? 'rekey'})`,
      );
    }
    lines.push(
      `  latest handshake: ${peer.handshakeAgeSeconds === undefined ? 'never' : `${peer.handshakeAgeSeconds} s ago`}`,
    );
    lines.push(`  transfer: ${bytes(peer.rxBytes)} received, ${bytes(peer.txBytes)} sent`);
    lines.push(`  allowed ips: ${peer.allowedIPs.join(', ') || '(none)'}`);
    lines.push('  endpoints:');
    for (const endpoint of peer.endpoints) {
      const f = endpoint.fields;
      const details = [
        f.class,
        f.origin,
        f.state,
        f.srtt_ms !== undefined ? `rtt ${f.srtt_ms} ms (latest ${f.rtt_ms}, min ${f.min_rtt_ms})` : undefined,
        f.rx_ago_ms !== undefined
          ? `last seen ${(Number(f.rx_ago_ms) / 1000).toFixed(1)} s ago`
          : 'never seen',
        f.send_errors !== undefined && f.send_errors !== '0' ? `${f.send_errors} send errors` : undefined,
        f.loss !== undefined && f.loss !== '0' ? `loss ${(Number(f.loss) * 100).toFixed(1)} %` : undefined,
        f.probes_sent !== undefined
          ? `probes ${f.probes_answered}/${f.probes_sent} answered, ${f.probes_lost} lost`
          : undefined,
        probePaths?.[endpoint.endpoint]?.state !== undefined
          ? `probe view ${probePaths[endpoint.endpoint]!.state}`
          : undefined,
      ]
        .filter(Boolean)
        .join(', ');
      lines.push(`    ${endpoint.active ? '*' : ' '} ${endpoint.endpoint}  ${details}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
