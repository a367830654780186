#!/usr/bin/env node
// A probe-driven oracle: every second, measure every endpoint of every userspace-oracle peer
// (in-band probes for pathwire peers, handshakes for stock ones), keep an RTT average and a loss
// estimate, and order each peer onto the endpoint with the lowest RTT + loss penalty, under a
// lease of 3 rounds: if this process dies, the daemon's fallback takes over within 3 s.
// Usage: probe-oracle.mjs IFACE [intervalMs]
import { OracleClient, SnapshotAssembler } from '@pathwire/oracle-client';

const [iface, interval = '1000'] = process.argv.slice(2);
const ROUND = Number(interval);
const ALPHA = 0.3; // weight of a new sample
const LOSS_PENALTY_MS = 1000; // a path losing 30 % of probes counts as 300 ms slower
const SWITCH_MARGIN_MS = 5; // do not flap between near-equal paths
const STAGGER_MS = 300; // a stock peer's probe is a handshake: one per 250 ms at most

const oracle = await OracleClient.connect({ iface, role: 'writer' });
const peers = new Map(); // publicKey -> { chosen, paths: Map<endpoint, { rtt, loss, pending }> }
const snapshots = new SnapshotAssembler();

function track(peer) {
  const known = peers.get(peer.publicKey) ?? { chosen: peer.active, paths: new Map() };
  const paths = new Map(peer.endpoints.map((e) => [e.endpoint, known.paths.get(e.endpoint) ?? { loss: 0 }]));
  peers.set(peer.publicKey, { ...known, paths });
}

const score = (path) => (path.rtt ?? 1000) + LOSS_PENALTY_MS * path.loss;

async function round() {
  for (const [key, peer] of peers) {
    [...peer.paths].forEach(([endpoint, path], i) => {
      if (path.pending) path.loss += ALPHA * (1 - path.loss); // no answer since last round: lost
      path.pending = true;
      setTimeout(() => oracle.probe(key, endpoint).catch(() => (path.pending = false)), i * STAGGER_MS);
    });
    let best = peer.chosen;
    for (const [endpoint, path] of peer.paths) {
      const current = peer.paths.get(best);
      if (!current || score(path) + SWITCH_MARGIN_MS < score(current)) best = endpoint;
    }
    if (!best) continue;
    if (best !== peer.chosen)
      console.log(`${key}: ${peer.chosen} -> ${best} (score ${score(peer.paths.get(best))})`);
    peer.chosen = best;
    await oracle
      .select(key, best, { leaseMs: 3 * ROUND, mode: 'prefer' })
      .catch((e) => console.error(e.message));
  }
}

setInterval(() => void round(), ROUND);
for await (const event of oracle.events()) {
  const snapshot = snapshots.add(event);
  if (snapshot) for (const peer of snapshot) if (peer.strategy === 'userspace-oracle') track(peer);
  const path = peers.get(event.peer)?.paths.get(event.endpoint);
  if (event.event === 'probe-result' && path) {
    path.pending = false;
    if (event.rttMs === null) continue; // not sent (rate limit, no session): no sample
    path.rtt = path.rtt === undefined ? event.rttMs : (1 - ALPHA) * path.rtt + ALPHA * event.rttMs;
    path.loss *= 1 - ALPHA;
  }
}
