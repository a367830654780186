/**
 * Whole peers on virtual time through the comparison's own runner: the strategies behave as their
 * descriptions say, the metrics can tell them apart, and a run replays exactly from its seed.
 */
import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../metrics/metrics.js';
import { execute } from '../run-one.js';
import { ISP1, ISP2 } from '../scenarios/base.js';
import { scenarioByName } from '../scenarios/index.js';
import { strategyByName } from '../strategies/registry.js';
import { simulate } from './world.js';

const HZ = 20;
const metrics = (scenario: string, strategy: string, seed = 1) =>
  execute({ scenario: scenarioByName(scenario), strategy, seed, streamHz: HZ }).result.metrics;

describe('a silent blackhole of isp1 at 5 s (20 Hz stream)', () => {
  const stock = metrics('blackhole', 'roaming');
  const race = metrics('blackhole', 'handshake-race');
  const truth = metrics('blackhole', 'oracle-truth');
  const every = metrics('blackhole', 'send-on-every-path');

  it('stock roaming never recovers; the race does, after its suspicion window', () => {
    expect(stock.outageMs).toBeGreaterThanOrEqual(14_900);
    expect(stock.detectionMs).toBeNull();
    expect(stock.switches).toBe(0);
    expect(race.outageMs).toBeGreaterThan(1_000); // 1.5 s of suspicion first
    expect(race.outageMs).toBeLessThan(5_000);
    expect(race.switches).toBe(1);
    expect(race.detectionMs).not.toBeNull();
  });

  it('the all-knowing oracle is the lower bound and send-on-every-path loses nothing but pays in bytes', () => {
    expect(truth.outageMs).toBeLessThanOrEqual(race.outageMs);
    expect(truth.detectionMs).toBe(0);
    expect(truth.timeOnBestPct).toBeGreaterThan(race.timeOnBestPct);
    expect(every.lost).toBe(0);
    expect(every.duplicated).toBe(0); // the receiver's replay window keeps one copy
    expect(every.overheadBytes).toBeGreaterThan(10 * race.overheadBytes);
  });

  it('replays exactly from its seed, and another seed differs', () => {
    expect(metrics('blackhole', 'handshake-race')).toEqual(race);
    expect(metrics('blackhole', 'handshake-race', 2)).not.toEqual(race);
  });
});

describe('the reresolve-dns.sh poller', () => {
  it('re-points a dead peer once its last handshake is over 135 s old (a 200 s blackhole, 5 Hz)', () => {
    const scenario = { ...scenarioByName('blackhole'), durationMs: 200_000 };
    const stock = computeMetrics(simulate(scenario, strategyByName('roaming'), 3, { streamHz: 5 }));
    const polled = simulate(scenario, strategyByName('oracle-reresolve'), 3, { streamHz: 5 });
    const m = computeMetrics(polled);
    expect(stock.outageMs).toBeGreaterThan(190_000);
    // The last handshake was near 0 s: the poller acts at its first run after 135 s, every 30 s.
    expect(m.outageMs).toBeGreaterThan(130_000);
    expect(m.outageMs).toBeLessThan(175_000);
    expect(polled.clients[0]!.switches.map((s) => [s.from, s.to])).toEqual([
      [`${ISP1}:51820`, `${ISP2}:51820`],
    ]);
  });
});

describe('the probe-driven oracle (through the userspace-oracle strategy)', () => {
  it('moves a blackholed peer to isp2 from its probe results, paying for the probes', () => {
    const probe = metrics('blackhole', 'oracle-probe');
    const race = metrics('blackhole', 'handshake-race');
    expect(probe.outageMs).toBeGreaterThan(500); // a lost probe counts only by the next round
    expect(probe.outageMs).toBeLessThan(5_000);
    expect(probe.switches).toBe(1);
    expect(probe.overheadBytes).toBeGreaterThan(race.overheadBytes);
    // It also sees an RTT jump, which no handshake-driven strategy notices within the run.
    expect(metrics('rtt-jump', 'oracle-probe').excessRttPct).toBeLessThan(
      metrics('rtt-jump', 'handshake-race').excessRttPct / 2,
    );
  });
});

describe('the scenario-level drops netsim does not model', () => {
  it('datagrams over 1280 B on isp1 stop the stream but not handshakes', () => {
    const stock = metrics('mtu-1280', 'roaming');
    const truth = metrics('mtu-1280', 'oracle-truth');
    expect(stock.outageMs).toBeGreaterThanOrEqual(14_900);
    expect(truth.outageMs).toBeLessThan(200);
    // The copies on isp2 still get through when isp1 drops the original.
    expect(metrics('mtu-1280', 'send-on-every-path').outageMs).toBeLessThan(200);
  });

  it('a DNS change reaches strategies that re-resolve, not stock WireGuard', () => {
    const stock = metrics('dns-change', 'roaming');
    const race = metrics('dns-change', 'handshake-race');
    expect(stock.outageMs).toBeGreaterThanOrEqual(14_900);
    // The next lookup is at 10 s (TTL): the outage ends soon after it.
    expect(race.outageMs).toBeGreaterThan(4_000);
    expect(race.outageMs).toBeLessThan(8_000);
  });
});
