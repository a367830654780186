/**
 * What the oracle protocol's state machine sees of a running device (ORACLE.md §5): peers by
 * public key, their endpoints by canonical `ip:port` key, and the snapshot rows.
 */
import type { Device, Peer } from '@pathwire/engine';
import { endpointKey, parseEndpoint } from '@pathwire/resolver/parse';
import { isUserspaceOracle } from '@pathwire/strategy-userspace-oracle';
import type {
  EndpointSnapshot,
  OracleWorld,
  PeerSnapshot,
} from '@pathwire/strategy-userspace-oracle/protocol';

/** The canonical key of an endpoint literal (`[2001:DB8::1]:1` → `[2001:db8::1]:1`), or undefined. */
export function canonicalEndpoint(text: string): string | undefined {
  try {
    const item = parseEndpoint(text);
    return item.kind === 'address' ? endpointKey({ address: item.address, port: item.port }) : undefined;
  } catch {
    return undefined;
  }
}

export function endpointRows(peer: Peer, now: number): EndpointSnapshot[] {
  return peer.endpoints.list.map((record) => ({
    endpoint: record.key,
    state: record.state,
    origin: record.origin,
    class: record.addressClass,
    rttMs: record.rtt ? Math.round(record.rtt.smoothed * 100) / 100 : null,
    loss: Math.round(record.loss * 1000) / 1000,
    lastRxMs: record.lastReceivedAt === undefined ? null : Math.max(0, now - record.lastReceivedAt),
  }));
}

export function peerRow(peer: Peer, now: number): Omit<PeerSnapshot, 'lease'> {
  return {
    publicKey: peer.publicKeyText,
    strategy: peer.strategy.name,
    active: peer.active?.key ?? null,
    // The daemon's engine clock is the wall clock (Date.now), as its handshake times.
    lastHandshakeMs:
      peer.lastHandshakeWallClock === undefined ? null : Math.max(0, now - peer.lastHandshakeWallClock),
    endpoints: endpointRows(peer, now),
  };
}

export function deviceWorld(device: Device, now: () => number): OracleWorld {
  return {
    peer(publicKey) {
      const peer = device.peer(publicKey);
      if (!peer) return undefined;
      return {
        oracle: isUserspaceOracle(peer.strategy),
        endpoint: (text) => {
          const key = canonicalEndpoint(text);
          return key !== undefined && peer.endpoints.get(key) ? key : undefined;
        },
      };
    },
    checkEndpoint(text) {
      try {
        parseEndpoint(text);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    },
    snapshot() {
      const at = now();
      return [...device.peers()].map((peer) => peerRow(peer, at));
    },
  };
}
