/** A pool worker: runs the request it is sent and posts the output back. */
import { parentPort } from 'node:worker_threads';
import { execute, type RunOutput, type RunRequest } from './run-one.js';

export interface WorkRequest {
  readonly index: number;
  readonly request: RunRequest;
}

export type WorkReply =
  | { readonly index: number; readonly ok: true; readonly output: RunOutput }
  | { readonly index: number; readonly ok: false; readonly error: string };

parentPort?.on('message', ({ index, request }: WorkRequest) => {
  let reply: WorkReply;
  try {
    reply = { index, ok: true, output: execute(request) };
  } catch (error) {
    reply = {
      index,
      ok: false,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
  }
  parentPort!.postMessage(reply);
});
