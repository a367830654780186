/**
 * Runs a list of runs on a pool of worker threads (one per core by default). Each worker takes
 * the next run when it finishes one; results land at their run's index, so the output does not
 * depend on which worker ran what.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RunOutput, RunRequest } from './run-one.js';
import type { WorkReply, WorkRequest } from './worker.js';

export interface PoolOptions {
  readonly workers?: number;
  /** Called after each finished run with the number done so far. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** The compiled worker (tests run the TypeScript sources, the worker always runs from dist/). */
function workerScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const script = here.endsWith('src') ? join(here, '..', 'dist', 'worker.js') : join(here, 'worker.js');
  if (!existsSync(script))
    throw new Error(`${script} missing: build @pathwire/compare first (pnpm run build)`);
  return script;
}

export function defaultWorkers(): number {
  return availableParallelism();
}

export async function runPool(requests: readonly RunRequest[], options: PoolOptions): Promise<RunOutput[]> {
  const keys = requests;
  const results: RunOutput[] = new Array(keys.length);
  const size = Math.max(1, Math.min(options.workers ?? defaultWorkers(), keys.length));
  if (keys.length === 0) return [];
  const script = workerScript();
  let next = 0;
  let done = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const feed = (worker: Worker) => {
        if (next >= keys.length) return;
        const work: WorkRequest = { index: next, request: keys[next]! };
        next++;
        worker.postMessage(work);
      };
      for (let i = 0; i < size; i++) {
        const worker = new Worker(script);
        workers.push(worker);
        worker.on('message', (reply: WorkReply) => {
          if (!reply.ok) {
            const k = keys[reply.index]!;
            reject(new Error(`run ${k.scenario.name}/${k.strategy}/seed ${k.seed} failed: ${reply.error}`));
            return;
          }
          results[reply.index] = reply.output;
          done++;
          options.onProgress?.(done, keys.length);
          if (done === keys.length) resolve();
          else feed(worker);
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (done < keys.length && code !== 0) reject(new Error(`worker exited with code ${code}`));
        });
        feed(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
