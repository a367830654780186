/**
 * The oracle socket's messages (DESIGN.md "userspace-oracle"; normative text:
 * apps/pathwired/ORACLE.md). JSON Lines both ways: requests `{"id":N,"op":…}`, replies
 * `{"id":N,"ok":true,…}` or `{"id":N,"ok":false,"error":{code,message,field?}}`, events
 * `{"event":…,"seq":N,…}` numbered per connection (a gap means: ask for a new snapshot).
 */

/** Protocol versions this implementation speaks; `hello` picks the highest both sides know. */
export const PROTOCOL_VERSIONS: readonly number[] = [1];
/** Longest line accepted or sent, in bytes, newline excluded. */
export const MAX_LINE_BYTES = 64 * 1024;
/** Events queued for one connection at most; beyond, events are dropped and counted. */
export const MAX_QUEUED_EVENTS = 1024;
/** Lease bounds, ms (`select.leaseMs`). */
export const MIN_LEASE_MS = 100;
export const MAX_LEASE_MS = 86_400_000;
export const DEFAULT_LEASE_MS = 30_000;
/** `subscribe.statsMs` bounds, ms. */
export const MIN_STATS_MS = 100;
export const MAX_STATS_MS = 3_600_000;
/** Endpoints in one `set-endpoints` at most. */
export const MAX_ENDPOINTS = 64;

export type SelectMode = 'advise' | 'prefer' | 'pin';
export const SELECT_MODES: readonly SelectMode[] = ['advise', 'prefer', 'pin'];
export type Role = 'writer' | 'watcher';

export type OracleRequest =
  | { readonly id: number; readonly op: 'hello'; readonly version: number; readonly role: Role }
  | { readonly id: number; readonly op: 'subscribe'; readonly statsMs: number | undefined }
  | { readonly id: number; readonly op: 'unsubscribe' }
  | {
      readonly id: number;
      readonly op: 'select';
      readonly peer: string;
      readonly endpoint: string;
      readonly leaseMs: number;
      readonly mode: SelectMode;
    }
  | { readonly id: number; readonly op: 'release'; readonly peer: string | undefined }
  | { readonly id: number; readonly op: 'probe'; readonly peer: string; readonly endpoint: string }
  | {
      readonly id: number;
      readonly op: 'set-endpoints';
      readonly peer: string;
      readonly endpoints: readonly string[];
    };

export type OracleOp = OracleRequest['op'];
export const OPS: readonly OracleOp[] = [
  'hello',
  'subscribe',
  'unsubscribe',
  'select',
  'release',
  'probe',
  'set-endpoints',
];

export type OracleErrorCode =
  /** The line is not JSON. */
  | 'PARSE_ERROR'
  /** The line is longer than MAX_LINE_BYTES. */
  | 'LINE_TOO_LONG'
  /** The JSON is not an object, or `id` is missing or not a non-negative integer. */
  | 'BAD_REQUEST'
  | 'UNKNOWN_OP'
  | 'MISSING_FIELD'
  | 'BAD_FIELD'
  | 'UNKNOWN_FIELD'
  /** Any op before `hello`. */
  | 'HELLO_REQUIRED'
  | 'ALREADY_GREETED'
  | 'UNSUPPORTED_VERSION'
  /** `hello {role:"writer"}` while another connection is the writer. */
  | 'WRITER_TAKEN'
  /** select/release/probe/set-endpoints from a watcher. */
  | 'NOT_WRITER'
  | 'UNKNOWN_PEER'
  | 'UNKNOWN_ENDPOINT'
  /** The peer's strategy is not `userspace-oracle`: it takes no orders. */
  | 'NOT_ORACLE_PEER'
  | 'BAD_ENDPOINT';

export interface OracleError {
  readonly code: OracleErrorCode;
  readonly message: string;
  /** The request field at fault, when one is. */
  readonly field?: string;
}

/** What a snapshot and `stats` say about one endpoint. */
export interface EndpointSnapshot {
  readonly endpoint: string;
  readonly state: 'unknown' | 'up' | 'suspect' | 'down';
  readonly origin: 'configured' | 'learned';
  readonly class: string;
  readonly rttMs: number | null;
  readonly loss: number;
  /** ms since the last authenticated packet from it, or null. */
  readonly lastRxMs: number | null;
}

export interface PeerSnapshot {
  readonly publicKey: string;
  readonly strategy: string;
  readonly active: string | null;
  /** ms since the last completed handshake, or null (never): reresolve-dns.sh's test. */
  readonly lastHandshakeMs: number | null;
  /** The writer's current order for this peer, if any. */
  readonly lease: {
    readonly endpoint: string;
    readonly mode: SelectMode;
    readonly remainingMs: number;
  } | null;
  readonly endpoints: readonly EndpointSnapshot[];
}

/** Why the active endpoint changed. */
export type ActiveCause = 'oracle' | 'fallback' | 'strategy' | 'user' | 'engine';
/** Why a lease ended. */
export type LeaseEndReason =
  | 'expired'
  | 'released'
  | 'writer-disconnected'
  | 'replaced'
  | 'peer-removed'
  | 'endpoint-removed';

/** Events, without `seq` (added per connection). */
export type OracleEvent =
  | { readonly event: 'snapshot'; readonly peers: readonly PeerSnapshot[]; readonly more: boolean }
  | {
      readonly event: 'active-changed';
      readonly peer: string;
      readonly from: string | null;
      readonly to: string;
      readonly cause: ActiveCause;
    }
  | {
      readonly event: 'endpoint-state';
      readonly peer: string;
      readonly endpoint: string;
      readonly state: EndpointSnapshot['state'];
      readonly previous: EndpointSnapshot['state'];
    }
  | {
      readonly event: 'handshake';
      readonly peer: string;
      readonly endpoint: string;
      readonly role: 'initiator' | 'responder';
    }
  | { readonly event: 'roam'; readonly peer: string; readonly endpoint: string }
  | {
      readonly event: 'probe-result';
      readonly peer: string;
      readonly endpoint: string;
      /** `probe`: in-band PING (pathwire peer); `handshake`: an initiation (stock peer). */
      readonly via: 'probe' | 'handshake';
      readonly rttMs: number | null;
      /** Why there is no RTT (e.g. `rate-limited`, `no-session`). */
      readonly error?: string;
    }
  | { readonly event: 'advice'; readonly peer: string; readonly endpoint: string }
  | { readonly event: 'lease-ended'; readonly peer: string; readonly reason: LeaseEndReason }
  | { readonly event: 'writer'; readonly connected: boolean }
  | { readonly event: 'stats'; readonly peer: string; readonly endpoints: readonly EndpointSnapshot[] };

export type OracleEventName = OracleEvent['event'];

/** A reply's extra fields, by op. */
export interface HelloReply {
  readonly version: number;
  readonly versions: readonly number[];
  readonly role: Role;
}
