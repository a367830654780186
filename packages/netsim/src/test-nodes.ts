/**
 * Simple nodes for tests and benchmarks: an echo server and a plain (unencrypted) tunnel
 * that carries inner packets to one peer endpoint and follows the peer when it roams.
 */
import type { Endpoint } from './endpoint.js';
import type { NodeIO, SimNode } from './node.js';

/** Sends every datagram back to where it came from, from the address it arrived at. */
export class EchoNode implements SimNode {
  received = 0;

  onDatagram(io: NodeIO, local: Endpoint, remote: Endpoint, bytes: Uint8Array): void {
    this.received++;
    io.send(remote, bytes, local);
  }

  onWake(): void {}

  nextWake(): number | undefined {
    return undefined;
  }
}

export interface TunnelNodeOptions {
  /** Send an empty keepalive datagram every this many ms (exercises wakes). Default: never. */
  keepalive?: number;
  /** Like WireGuard roaming: a datagram from a new source makes it the peer. Default true. */
  roaming?: boolean;
}

/**
 * A VPN without crypto: tunnel packets go to `peer` as datagrams, non-empty datagrams go to
 * the tunnel. Send failures are logged to the timeline as `send-error`.
 */
export class TunnelNode implements SimNode {
  peer: Endpoint;
  private wakeAt: number | undefined;

  constructor(
    peer: Endpoint,
    private readonly options: TunnelNodeOptions = {},
  ) {
    this.peer = peer;
    if (options.keepalive !== undefined) this.wakeAt = options.keepalive;
  }

  onDatagram(io: NodeIO, _local: Endpoint, remote: Endpoint, bytes: Uint8Array): void {
    if (
      (this.options.roaming ?? true) &&
      (remote.address !== this.peer.address || remote.port !== this.peer.port)
    ) {
      io.record('roam', { from: this.peer, to: remote });
      this.peer = remote;
    }
    if (bytes.length > 0) io.deliverToTunnel(bytes);
  }

  onTunnelPacket(io: NodeIO, packet: Uint8Array): void {
    this.send(io, packet);
  }

  onWake(io: NodeIO): void {
    this.send(io, new Uint8Array(0));
    this.wakeAt = io.now + this.options.keepalive!;
  }

  nextWake(): number | undefined {
    return this.wakeAt;
  }

  private send(io: NodeIO, bytes: Uint8Array): void {
    const result = io.send(this.peer, bytes);
    if (!result.ok) io.record('send-error', { to: this.peer, code: result.code });
  }
}
