/**
 * The oracle users run today: wireguard-tools' `contrib/reresolve-dns/reresolve-dns.sh` from a
 * 30 s timer, as @pathwire/oracle-client's `examples/reresolve-dns.mjs` does it over the oracle
 * socket. Each run, a peer whose latest handshake is more than 135 s old (or that never had one)
 * gets its endpoints set again from the configuration, freshly resolved; with several endpoints
 * it also steps to the next one (a `select`), which the single-endpoint script gets for free from
 * the new DNS answer. The peer runs `userspace-oracle` with the `roaming` fallback: stock
 * behaviour between the script's runs.
 */
import type { OracleProcess, RunContext } from './types.js';

/** reresolve-dns.sh: `(( EPOCHSECONDS - latest_handshake > 135 ))`. */
export const STALE_HANDSHAKE_MS = 135_000;
/** The usual systemd timer / cron period for the script. */
export const POLL_PERIOD_MS = 30_000;
/** A `wg set … endpoint` lasts until something moves it: a lease far beyond the run. */
export const SELECT_LEASE_MS = 3_600_000;

export function createReresolvePoller(_context: RunContext): OracleProcess {
  return {
    periodMs: POLL_PERIOD_MS,
    poll(view) {
      const last = view.lastHandshakeAt();
      if (last !== undefined && view.now - last <= STALE_HANDSHAKE_MS) return;
      const records = view.resolve();
      if (records.length === 0) return;
      view.setEndpoints(records);
      // Step through the candidates: the one after the active endpoint (a single name: itself).
      const active = view.activeEndpoint();
      const next = records[(records.indexOf(active ?? '') + 1) % records.length]!;
      view.select(next, SELECT_LEASE_MS, 'prefer');
    },
  };
}
