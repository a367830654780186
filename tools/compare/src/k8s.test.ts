/**
 * The Kubernetes Indexed Job of k8s/sweep.yaml, without Kubernetes: every pod's command line (with
 * JOB_COMPLETION_INDEX, SHARDS and SEEDS substituted as the kubelet does, on a small sweep), then
 * the merge step's command: the merged runs are exactly the whole sweep's, byte for byte.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from './cli.js';

const manifest = join(dirname(fileURLToPath(import.meta.url)), '..', 'k8s', 'sweep.yaml');
/** Restricts the sweep so the test is small (appended to each pod's arguments). */
const SMALL = [
  '--scenario',
  'blackhole',
  '--strategy',
  'roaming',
  '--strategy',
  'oracle-truth',
  '--stream-hz',
  '10',
];
const SEEDS = '3';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pathwire-k8s-'));
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterAll(async () => {
  vi.restoreAllMocks();
  await rm(root, { recursive: true, force: true });
});

const runsText = async (dir: string) => {
  const text = await readFile(join(dir, 'results.json'), 'utf8');
  return text.slice(0, text.indexOf('\n"meta"'));
};

/** The JSON array after `key:` in the YAML (the manifest writes args as flow sequences). */
function flowSequence(yaml: string, key: string, nth = 0): string[] {
  const matches = [...yaml.matchAll(new RegExp(`${key}: (\\[.*\\])`, 'g'))];
  return JSON.parse(matches[nth]![1]!) as string[];
}

describe('k8s/sweep.yaml', () => {
  it('one shard per pod then the merge step give exactly the whole sweep', async () => {
    const yaml = await readFile(manifest, 'utf8');
    const completions = Number(/completions: (\d+)/.exec(yaml)![1]);
    const shards = /name: SHARDS\s+value: "(\d+)"/.exec(yaml)![1]!;
    expect(Number(shards)).toBe(completions);
    expect(yaml).toContain('completionMode: Indexed');
    const podArgs = flowSequence(yaml, 'args', 0);
    expect(flowSequence(yaml, 'command', 0)).toEqual(['pathwire-compare']);
    expect(podArgs).toContain('$(JOB_COMPLETION_INDEX)/$(SHARDS)');

    for (let index = 0; index < completions; index++) {
      const args = podArgs.map((a) =>
        a
          .replaceAll('$(JOB_COMPLETION_INDEX)', String(index))
          .replaceAll('$(SHARDS)', shards)
          .replaceAll('$(SEEDS)', SEEDS)
          .replace('/results', root),
      );
      expect(await main([...args, ...SMALL])).toBe(0);
    }
    // The merge step: `pathwire-compare merge --out /results/all /results/shard-*` (the shell expands the glob).
    const mergeLine = flowSequence(yaml, 'args', 1)[0]!.split(' ');
    expect(mergeLine.slice(0, 4)).toEqual(['pathwire-compare', 'merge', '--out', '/results/all']);
    const shardDirs = (await readdir(root)).filter((d) => d.startsWith('shard-')).map((d) => join(root, d));
    expect(shardDirs).toHaveLength(completions);
    expect(await main(['merge', '--out', join(root, 'all'), '--no-report', ...shardDirs])).toBe(0);

    expect(await main(['run', '--out', join(root, 'whole'), '--seeds', SEEDS, '--no-report', ...SMALL])).toBe(
      0,
    );
    expect(await runsText(join(root, 'all'))).toBe(await runsText(join(root, 'whole')));
    expect((await runsText(join(root, 'all'))).split('\n')).toHaveLength(2 + 2 * 3);
  });
});
