/** What the device tells its driver besides datagrams and packets: events and drop reasons. */
import type { Endpoint } from '@pathwire/strategy';

/** Why a datagram or packet was dropped; counted per reason by the device. */
export type DropReason =
  | 'malformed'
  | 'bad-mac1'
  | 'cookie-required'
  | 'rate-limited'
  | 'handshake-rejected'
  | 'unknown-peer'
  | 'unknown-index'
  | 'replay'
  | 'authentication'
  | 'expired-keypair'
  | 'counter-limit'
  | 'no-route'
  | 'no-endpoint'
  | 'no-session'
  | 'source-not-allowed'
  | 'bad-inner-packet'
  | 'staged-overflow'
  | 'handshake-gave-up'
  | 'not-ip'
  /** The device has no private key (all zero, as wireguard-go before `wg set private-key`): no handshake. */
  | 'no-private-key'
  /** Reported by the driver: the TUN refused a decrypted packet (too large, interface down, full). */
  | 'tun-refused';

export type DeviceEvent =
  | {
      readonly type: 'handshake-complete';
      readonly peer: string;
      readonly role: 'initiator' | 'responder';
      readonly endpoint: Endpoint;
    }
  | {
      readonly type: 'endpoint-changed';
      readonly peer: string;
      readonly from: Endpoint | undefined;
      readonly to: Endpoint;
    }
  | { readonly type: 'handshake-failed'; readonly peer: string }
  | { readonly type: 'session-expired'; readonly peer: string }
  | { readonly type: 'peer-removed'; readonly peer: string }
  | { readonly type: 'strategy-error'; readonly peer: string; readonly message: string };

/** The driver side of the device: where its outputs go. */
export interface DeviceIO {
  /**
   * Send these bytes to this endpoint. The array is handed over: the device never touches it
   * again. `from` is the local address the peer last reached us at (send from it: a multi-homed
   * host must answer from the address it was asked on), when the driver reported one.
   */
  sendDatagram(to: Endpoint, bytes: Uint8Array, from?: string): void;
  /** Write this decrypted IP packet to the TUN. The view is valid only during the call. */
  writePacket(packet: Uint8Array): void;
  /** Something happened (optional). */
  event?(event: DeviceEvent): void;
}
