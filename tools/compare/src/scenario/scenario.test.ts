import { describe, expect, it } from 'vitest';
import { SCENARIOS, scenarioByName } from '../scenarios/index.js';
import { groundTruth, pathStatesAt, streamDatagramSize, truthAt } from './ground-truth.js';
import type { ScenarioDefinition } from './types.js';
import { ScenarioError, validateScenario } from './validate.js';

const names = (s: ScenarioDefinition) => groundTruth(s).map((seg) => [seg.from, seg.best]);

describe('the scenario catalog', () => {
  it('covers every scenario the design names, each valid and uniquely named', () => {
    const all = SCENARIOS.map((s) => s.name);
    expect(new Set(all).size).toBe(all.length);
    for (const name of [
      'blackhole',
      'oneway-up',
      'oneway-down',
      'loss-1',
      'loss-5',
      'loss-20',
      'loss-50',
      'rtt-jump',
      'near-equal-jitter',
      'flapping',
      'mtu-1280',
      'ipv6-broken',
      'nat-expiry',
      'wifi-lte',
      'bulk-shallow-buffer',
      'dns-change',
      'hub',
    ]) {
      expect(all).toContain(name);
    }
    for (const s of SCENARIOS) expect(() => validateScenario(s)).not.toThrow();
  });

  it('is plain data: a definition survives JSON unchanged (the lab reads the same definitions)', () => {
    for (const s of SCENARIOS) expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});

describe('ground truth', () => {
  it('moves to isp2 when isp1 is blackholed, one way or both', () => {
    for (const name of ['blackhole', 'oneway-up', 'oneway-down']) {
      expect(names(scenarioByName(name))).toEqual([
        [0, 'isp1'],
        [5000, 'isp2'],
      ]);
    }
  });

  it('weighs loss like RTT: 1 % loss on isp1 keeps it best, 5 % does not', () => {
    expect(groundTruth(scenarioByName('loss-1')).every((s) => s.best === 'isp1')).toBe(true);
    const five = groundTruth(scenarioByName('loss-5'));
    expect(truthAt(five, 5_500).best).toBe('isp2');
    expect(truthAt(five, 7_500).best).toBe('isp1');
  });

  it('treats a size limit below the stream datagram as a dead path, and a broken IPv6 from the start', () => {
    const mtu = scenarioByName('mtu-1280');
    expect(streamDatagramSize(mtu)).toBeGreaterThan(1280);
    expect(truthAt(groundTruth(mtu), 6_000).best).toBe('isp2');
    expect(names(scenarioByName('ipv6-broken'))).toEqual([[0, 'v4']]);
  });

  it('follows an interface going down', () => {
    const wifi = scenarioByName('wifi-lte');
    expect(pathStatesAt(wifi, 9_000).find((p) => p.name === 'wifi')!.ifaceUp).toBe(false);
    expect(truthAt(groundTruth(wifi), 9_000).best).toBe('lte');
    // 30 % loss each way weighs about 130 ms: LTE (60 ms) is already better while Wi-Fi degrades.
    expect(truthAt(groundTruth(wifi), 5_500).best).toBe('lte');
  });

  it('keeps the path our own bulk traffic fills as the best', () => {
    expect(groundTruth(scenarioByName('bulk-shallow-buffer')).map((s) => s.best)).toEqual(['isp1']);
  });
});

describe('validation', () => {
  const base = scenarioByName('blackhole');
  it('names the scenario and the field that is wrong', () => {
    expect(() =>
      validateScenario({ ...base, faults: [{ at: 1000, path: 'isp3', set: { blackhole: true } }] }),
    ).toThrow(new ScenarioError('scenario blackhole: faults[0].path: no path "isp3"'));
    expect(() => validateScenario({ ...base, endpoints: ['192.0.2.99'] })).toThrow(
      'scenario blackhole: endpoints[0]: 192.0.2.99 is not a server address',
    );
    expect(() =>
      validateScenario({
        ...base,
        paths: [{ ...base.paths[0]!, link: { rttMs: 20, loss: 2 } }, base.paths[1]!],
      }),
    ).toThrow('scenario blackhole: paths[0].link.loss: must be a number in [0, 1], got 2');
    expect(() => validateScenario({ ...base, faults: [{ at: 99_000, iface: 'eth0', up: false }] })).toThrow(
      'scenario blackhole: faults[0].at: must be a number in [0, 20000], got 99000',
    );
  });
});
