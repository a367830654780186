/**
 * results.json: `{"runs":[…],"meta":{…}}`, one run per line so two files diff well. `runs` is
 * a pure function of the arguments (canonical order, rounded numbers): byte-identical whatever the
 * pool size or sharding; `meta` says how, where and when it was produced.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareRunKeys } from './plan.js';
import type { RunResult } from './run-one.js';

export interface ResultsMeta {
  readonly command: string;
  readonly commit: string;
  readonly machine: Record<string, unknown>;
  readonly date: string;
  readonly [key: string]: unknown;
}

export interface Results {
  readonly runs: readonly RunResult[];
  readonly meta: ResultsMeta;
}

export const RESULTS_FILE = 'results.json';

/** The `runs` array as it appears in the file. */
export function serializeRuns(runs: readonly RunResult[]): string {
  const sorted = [...runs].sort(compareRunKeys);
  return `[\n${sorted.map((r) => JSON.stringify(r)).join(',\n')}\n]`;
}

export function serializeResults(results: Results): string {
  return `{"runs":${serializeRuns(results.runs)},\n"meta":${JSON.stringify(results.meta, null, 2)}}\n`;
}

export async function writeResults(dir: string, results: Results): Promise<string> {
  const file = join(dir, RESULTS_FILE);
  await writeFile(file, serializeResults(results));
  return file;
}

export async function readResults(dir: string): Promise<Results> {
  const file = join(dir, RESULTS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not JSON (${(error as Error).message})`);
  }
  const results = parsed as Results;
  if (!Array.isArray(results?.runs) || typeof results.meta !== 'object') {
    throw new Error(`${file}: expected {"runs":[…],"meta":{…}}`);
  }
  for (const [i, run] of results.runs.entries()) {
    if (
      typeof run?.scenario !== 'string' ||
      typeof run.strategy !== 'string' ||
      !Number.isInteger(run.seed)
    ) {
      throw new Error(`${file}: runs[${i}]: expected scenario, strategy and seed`);
    }
    if (typeof run.metrics !== 'object' || run.metrics === null)
      throw new Error(`${file}: runs[${i}]: no metrics`);
  }
  return results;
}

/** Union of shards' runs; the same (scenario, strategy, seed) twice is an error naming both sources. */
export function mergeRuns(parts: readonly { source: string; runs: readonly RunResult[] }[]): RunResult[] {
  const seen = new Map<string, string>();
  const out: RunResult[] = [];
  for (const part of parts) {
    for (const run of part.runs) {
      const key = `${run.scenario}/${run.strategy}/${run.seed}`;
      const other = seen.get(key);
      if (other !== undefined)
        throw new Error(`run ${key} is in both ${other} and ${part.source}: overlapping shards?`);
      seen.set(key, part.source);
      out.push(run);
    }
  }
  return out.sort(compareRunKeys);
}
