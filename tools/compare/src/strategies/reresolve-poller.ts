/**
 * The oracle users run today: wireguard-tools' `contrib/reresolve-dns/reresolve-dns.sh` from a
 * 30 s timer. Each run, a peer whose latest handshake is more than 135 s old gets its endpoint set
 * again (`wg set … endpoint`), which re-resolves the name; with several endpoints we step to the
 * next one each time. The device itself runs stock roaming.
 */
import type { OracleProcess, RunContext } from './types.js';

/** reresolve-dns.sh: `(( EPOCHSECONDS - latest_handshake > 135 ))`. */
export const STALE_HANDSHAKE_MS = 135_000;
/** The usual systemd timer / cron period for the script. */
export const POLL_PERIOD_MS = 30_000;

export function createReresolvePoller(_context: RunContext): OracleProcess {
  let next = 0;
  return {
    periodMs: POLL_PERIOD_MS,
    poll(view) {
      const last = view.lastHandshakeAt();
      if (last !== undefined && view.now - last <= STALE_HANDSHAKE_MS) return;
      const endpoints = view.configuredEndpoints();
      if (endpoints.length === 0) return;
      const active = view.activeEndpoint();
      // Step through the candidates: the one after the active endpoint (a single name: itself, re-resolved).
      const at = active === undefined ? -1 : endpoints.indexOf(active);
      next = (at + 1) % endpoints.length;
      view.setEndpoint(endpoints[next]!);
    },
  };
}
