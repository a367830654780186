/**
 * The command line's contract: results do not depend on the pool size, shards merge into exactly
 * the whole run (what a Kubernetes Indexed Job relies on), and bad arguments get a clear error.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from './cli.js';
import { planRuns } from './plan.js';

const SMALL = [
  '--scenario',
  'blackhole',
  '--scenario',
  'loss-20',
  '--strategy',
  'roaming',
  '--strategy',
  'handshake-race',
];
const COMMON = [...SMALL, '--seeds', '2', '--stream-hz', '10', '--no-report'];

let root: string;
const dir = (name: string) => join(root, name);
/** The `runs` part of a results.json, byte for byte. */
const runsText = async (d: string) => {
  const text = await readFile(join(d, 'results.json'), 'utf8');
  return text.slice(0, text.indexOf('\n"meta"'));
};

async function cli(...argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const spy = vi.spyOn(console, 'error').mockImplementation((...a) => {
    err += `${a.join(' ')}\n`;
  });
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    return { code: await main(argv), err };
  } finally {
    spy.mockRestore();
    log.mockRestore();
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pathwire-compare-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('shards', () => {
  it('partition the plan: every run in exactly one shard, for any shard count', () => {
    const all = planRuns({ seeds: 3 }).map((k) => `${k.scenario}/${k.strategy}/${k.seed}`);
    for (let count = 1; count <= 7; count++) {
      const parts = Array.from({ length: count }, (_, index) =>
        planRuns({ seeds: 3, shard: { index, count } }).map((k) => `${k.scenario}/${k.strategy}/${k.seed}`),
      );
      expect(parts.flat().sort()).toEqual([...all].sort());
    }
  });
});

describe('pathwire-compare run and merge', () => {
  it('writes byte-identical runs with 1 and 2 workers, and three shards merge into exactly the same', async () => {
    expect((await cli('run', '--out', dir('one'), '--workers', '1', ...COMMON)).code).toBe(0);
    expect((await cli('run', '--out', dir('two'), '--workers', '2', ...COMMON)).code).toBe(0);
    const whole = await runsText(dir('one'));
    expect(whole.split('\n').length).toBe(2 + 2 * 2 * 2); // brackets + 8 runs
    expect(await runsText(dir('two'))).toBe(whole);

    for (let i = 0; i < 3; i++) {
      expect((await cli('run', '--out', dir(`shard${i}`), '--shard', `${i}/3`, ...COMMON)).code).toBe(0);
    }
    const merged = await cli(
      'merge',
      '--out',
      dir('merged'),
      '--no-report',
      dir('shard2'),
      dir('shard0'),
      dir('shard1'),
    );
    expect(merged.code).toBe(0);
    expect(await runsText(dir('merged'))).toBe(whole);
    const meta = JSON.parse(await readFile(join(dir('merged'), 'results.json'), 'utf8')).meta;
    expect(meta.shards).toHaveLength(3);
    expect(meta.command).toContain('pathwire-compare merge');
  });

  it('refuses to merge overlapping shards, naming both', async () => {
    await expect(
      main(['merge', '--out', dir('bad'), '--no-report', dir('shard0'), dir('one')]),
    ).rejects.toThrow(/run blackhole\/roaming\/1 is in both .*shard0 and .*one/);
  });

  it('answers bad arguments with the reason and the usage', async () => {
    const shard = await cli('run', '--out', dir('x'), '--shard', '3/3');
    expect(shard.code).toBe(2);
    expect(shard.err).toContain('--shard "3/3": expected i/N with 0 <= i < N');
    const unknown = await cli('run', '--out', dir('x'), '--strategy', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown strategy "nope" (known: roaming, handshake-race');
    const seeds = await cli('run', '--out', dir('x'), '--seeds', '0');
    expect(seeds.err).toContain('--seeds "0": expected a whole number >= 1');
    expect((await cli('frobnicate')).err).toContain('unknown command "frobnicate"');
  });
});
