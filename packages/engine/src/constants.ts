/**
 * WireGuard's protocol timers and limits (whitepaper §6.1 "Timers & Stateless UI";
 * wireguard-go `device/constants.go`). All times in milliseconds.
 */
export const REKEY_AFTER_TIME = 120_000;
export const REJECT_AFTER_TIME = 180_000;
export const REKEY_ATTEMPT_TIME = 90_000;
export const REKEY_TIMEOUT = 5_000;
/** Up to this much random jitter is added to REKEY_TIMEOUT (wireguard-go: 334 ms). */
export const REKEY_TIMEOUT_JITTER = 334;
export const KEEPALIVE_TIMEOUT = 10_000;
/**
 * Initiations sent before giving up: the first and 19 retransmissions, as wireguard-go
 * (`expiredRetransmitHandshake`: MaxTimerHandshakes + 2, MaxTimerHandshakes = REKEY_ATTEMPT_TIME /
 * REKEY_TIMEOUT = 18) and Linux (`timers.c`) do; the last one times out ≈ 100 s after the first.
 */
export const MAX_HANDSHAKE_ATTEMPTS = REKEY_ATTEMPT_TIME / REKEY_TIMEOUT + 2;
/** The initiator rekeys on receive when its session is this old (REJECT − KEEPALIVE − REKEY_TIMEOUT). */
export const REKEY_ON_RECEIVE_AGE = REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT;
/** Packets staged per peer while a handshake is pending (wireguard-go QueueStagedSize). */
export const MAX_STAGED_PACKETS = 128;
/** Learned endpoints kept per peer (least recently used evicted). */
export const MAX_LEARNED_ENDPOINTS = 8;
/** Handshake messages per second above which the device is "under load" and demands cookies. */
export const UNDER_LOAD_THRESHOLD = 64;
/** How long "under load" lasts after the rate drops (wireguard-go UnderLoadAfterTime). */
export const UNDER_LOAD_AFTER_TIME = 1_000;
/** Per-source handshake rate under load: tokens per second and burst (wireguard-go ratelimiter). */
export const SOURCE_RATE_PER_SECOND = 20;
export const SOURCE_RATE_BURST = 5;
/** At most one "authenticated packet from a non-active endpoint" event per endpoint per this interval. */
export const AUTHENTICATED_EVENT_INTERVAL = 1_000;
/** Minimum spacing of handshakes a strategy starts by itself (not retries or rekeys). */
export const STRATEGY_INITIATION_FLOOR = 250;
/** A probe unanswered for this long counts as lost. */
export const PROBE_TIMEOUT = 3_000;
