/**
 * `pathwire-compare`: run the comparison (or one shard of it), merge shards, render the report.
 *
 *   pathwire-compare run --out DIR [--seeds N] [--scenario NAME]… [--strategy NAME]… [--shard i/N]
 *                        [--workers N] [--stream-hz HZ] [--no-report]
 *   pathwire-compare merge --out DIR DIR…
 *   pathwire-compare report DIR
 *   pathwire-compare list
 */
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import { currentCommit, machine } from './meta.js';
import { parseShard, planRuns } from './plan.js';
import { defaultWorkers, runPool } from './pool.js';
import { createProgress } from './progress.js';
import { writeReport } from './report/write-report.js';
import { mergeRuns, type Results, type ResultsMeta, readResults, writeResults } from './results.js';
import { DEFAULT_STREAM_HZ, type RunResult } from './run-one.js';
import { SCENARIOS, scenarioByName } from './scenarios/index.js';
import { STRATEGIES } from './strategies/registry.js';

const USAGE = `usage:
  pathwire-compare run --out DIR [--seeds N] [--scenario NAME]... [--strategy NAME]... [--shard i/N]
                       [--workers N] [--stream-hz HZ] [--no-report]
  pathwire-compare merge --out DIR DIR...
  pathwire-compare report DIR
  pathwire-compare list`;

export const DEFAULT_SEEDS = 30;

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} ${JSON.stringify(text)}: expected a whole number >= 1`);
  return n;
}

function commandLine(argv: readonly string[]): string {
  return ['pathwire-compare', ...argv]
    .map((a) => (/^[\w./:=@-]+$/.test(a) ? a : JSON.stringify(a)))
    .join(' ');
}

/** The exact command, the commit, the machine and the date. */
function baseMeta(argv: readonly string[]): ResultsMeta {
  return {
    command: commandLine(argv),
    commit: currentCommit(),
    machine: machine(),
    date: new Date().toISOString(),
  };
}

async function run(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      out: { type: 'string' },
      seeds: { type: 'string' },
      scenario: { type: 'string', multiple: true },
      strategy: { type: 'string', multiple: true },
      shard: { type: 'string' },
      workers: { type: 'string' },
      'stream-hz': { type: 'string' },
      'no-report': { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!values.out) throw new UsageError('run: --out DIR is required');
  const seeds = positiveInteger('seeds', values.seeds, DEFAULT_SEEDS);
  const workers = positiveInteger('workers', values.workers, defaultWorkers());
  const streamHz = positiveInteger('stream-hz', values['stream-hz'], DEFAULT_STREAM_HZ);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  const keys = planRuns({
    seeds,
    ...(values.scenario ? { scenarios: values.scenario } : {}),
    ...(values.strategy ? { strategies: values.strategy } : {}),
    ...(shard ? { shard } : {}),
  });
  await mkdir(values.out, { recursive: true });
  const started = Date.now();
  const progress = createProgress(keys.length);
  let runs: RunResult[];
  try {
    const requests = keys.map((k) => ({
      scenario: scenarioByName(k.scenario),
      strategy: k.strategy,
      seed: k.seed,
      streamHz,
    }));
    const outputs = await runPool(requests, {
      workers,
      onProgress: (done, total) => progress.update(done, total),
    });
    runs = outputs.map((o) => o.result);
  } finally {
    progress.stop();
  }
  const wallMs = Date.now() - started;
  const results: Results = {
    runs,
    meta: {
      ...baseMeta(['run', ...argv]),
      seeds,
      streamHz,
      scenarios: [...new Set(keys.map((k) => k.scenario))],
      strategies: [...new Set(keys.map((k) => k.strategy))],
      ...(shard ? { shard: `${shard.index}/${shard.count}` } : {}),
      workers,
      wallMs,
    },
  };
  const file = await writeResults(values.out, results);
  console.log(`${file}: ${runs.length} runs in ${(wallMs / 1000).toFixed(1)} s on ${workers} worker(s)`);
  if (!values['no-report'] && !shard) console.log(await writeReport(values.out, results, { workers }));
  return 0;
}

async function merge(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { out: { type: 'string' }, 'no-report': { type: 'boolean' } },
    strict: true,
    allowPositionals: true,
  });
  if (!values.out) throw new UsageError('merge: --out DIR is required');
  if (positionals.length === 0) throw new UsageError('merge: give the shard directories to merge');
  const parts = await Promise.all(
    positionals.map(async (dir) => ({ source: dir, results: await readResults(dir) })),
  );
  const rates = new Set(parts.map((p) => p.results.meta.streamHz));
  if (rates.size > 1)
    throw new Error(`merge: the shards used different --stream-hz (${[...rates].join(', ')})`);
  const runs = mergeRuns(parts.map((p) => ({ source: p.source, runs: p.results.runs })));
  const first = parts[0]!.results.meta;
  const results: Results = {
    runs,
    meta: {
      ...baseMeta(['merge', ...argv]),
      seeds: first.seeds,
      streamHz: first.streamHz,
      shards: parts.map((p) => ({
        dir: p.source,
        command: p.results.meta.command,
        commit: p.results.meta.commit,
        machine: p.results.meta.machine,
        wallMs: p.results.meta.wallMs,
      })),
    },
  };
  await mkdir(values.out, { recursive: true });
  const file = await writeResults(values.out, results);
  console.log(`${file}: ${runs.length} runs merged from ${parts.length} shard(s)`);
  if (!values['no-report']) console.log(await writeReport(values.out, results, {}));
  return 0;
}

async function report(argv: readonly string[]): Promise<number> {
  const { positionals } = parseArgs({ args: [...argv], options: {}, strict: true, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError('report: give one results directory');
  const dir = positionals[0]!;
  console.log(await writeReport(dir, await readResults(dir), {}));
  return 0;
}

function list(): number {
  console.log('scenarios:');
  for (const s of SCENARIOS) console.log(`  ${s.name.padEnd(20)} ${s.title}`);
  console.log('strategies:');
  for (const s of STRATEGIES) console.log(`  ${s.name.padEnd(20)} ${s.title}`);
  return 0;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await run(rest);
      case 'merge':
        return await merge(rest);
      case 'report':
        return await report(rest);
      case 'list':
        return list();
      default:
        throw new UsageError(command === undefined ? 'no command' : `unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`pathwire-compare: ${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}
