/** A pool worker: runs the (scenario, strategy, seed) it is sent and posts the result back. */
import { parentPort } from 'node:worker_threads';
import { type RunKey, runOne } from './run-one.js';

export interface WorkRequest {
  readonly index: number;
  readonly key: RunKey;
  readonly streamHz: number;
}

export type WorkReply =
  | { readonly index: number; readonly ok: true; readonly result: ReturnType<typeof runOne> }
  | { readonly index: number; readonly ok: false; readonly error: string };

parentPort?.on('message', (request: WorkRequest) => {
  let reply: WorkReply;
  try {
    reply = { index: request.index, ok: true, result: runOne(request.key, request.streamHz) };
  } catch (error) {
    reply = {
      index: request.index,
      ok: false,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
  }
  parentPort!.postMessage(reply);
});
