/**
 * The probe-driven oracle of @pathwire/oracle-client's `examples/probe-oracle.mjs`, in process:
 * every second, probe every endpoint (in-band probes to a pathwire peer, 300 ms apart), keep an
 * RTT average and a loss estimate per endpoint (α = 0.3; a probe unanswered by the next round
 * counts as lost), and order the peer onto the endpoint with the lowest RTT + 1000 ms × loss,
 * switching only past a 5 ms margin, under a lease of three rounds (mode `prefer`). The peer runs
 * `userspace-oracle` with its default fallback, handshake-race.
 */
import type { OracleProcess, RunContext } from './types.js';

const ROUND_MS = 1_000;
const ALPHA = 0.3;
const LOSS_PENALTY_MS = 1_000;
const SWITCH_MARGIN_MS = 5;
const STAGGER_MS = 300;

interface PathEstimate {
  rtt: number | undefined;
  loss: number;
  pending: boolean;
}

const score = (p: PathEstimate) => (p.rtt ?? 1000) + LOSS_PENALTY_MS * p.loss;

export function createProbeOracle(_context: RunContext): OracleProcess {
  const paths = new Map<string, PathEstimate>();
  let chosen: string | undefined;
  return {
    periodMs: ROUND_MS,
    poll(view) {
      chosen ??= view.activeEndpoint();
      for (const [i, endpoint] of view.endpoints().entries()) {
        const path = paths.get(endpoint) ?? { rtt: undefined, loss: 0, pending: false };
        paths.set(endpoint, path);
        if (path.pending) path.loss += ALPHA * (1 - path.loss);
        path.pending = true;
        if (i === 0) view.probe(endpoint);
        else view.after(i * STAGGER_MS, () => view.probe(endpoint));
      }
      let best = chosen;
      for (const [endpoint, path] of paths) {
        const current = best === undefined ? undefined : paths.get(best);
        if (!current || score(path) + SWITCH_MARGIN_MS < score(current)) best = endpoint;
      }
      if (best === undefined) return;
      chosen = best;
      view.select(best, 3 * ROUND_MS, 'prefer');
    },
    onNotice(notice) {
      if (notice.type !== 'probe-result') return;
      const path = paths.get(notice.endpoint);
      if (!path) return;
      path.pending = false;
      if (notice.rttMs === null) return; // not sent (rate limit, no session): no sample
      path.rtt = path.rtt === undefined ? notice.rttMs : (1 - ALPHA) * path.rtt + ALPHA * notice.rttMs;
      path.loss *= 1 - ALPHA;
    },
  };
}
