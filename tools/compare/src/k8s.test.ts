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
import { parseAllDocuments } from 'yaml';
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

interface Container {
  command: string[];
  args: string[];
  env?: { name: string; value: string }[];
}
interface JobManifest {
  kind: string;
  spec: { completionMode?: string; completions?: number; template: { spec: { containers: Container[] } } };
}

describe('k8s/sweep.yaml', () => {
  it('one shard per pod then the merge step give exactly the whole sweep', async () => {
    const [shardJob, mergeJob] = parseAllDocuments(await readFile(manifest, 'utf8')).map(
      (d) => d.toJS() as JobManifest,
    );
    expect(shardJob!.kind).toBe('Job');
    expect(shardJob!.spec.completionMode).toBe('Indexed');
    const completions = shardJob!.spec.completions!;
    const pod = shardJob!.spec.template.spec.containers[0]!;
    const shards = pod.env!.find((e) => e.name === 'SHARDS')!.value;
    expect(Number(shards)).toBe(completions);
    const podArgs = pod.args;
    expect(pod.command).toEqual(['pathwire-compare']);
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
    const mergeLine = mergeJob!.spec.template.spec.containers[0]!.args[0]!.split(' ');
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
