/**
 * wireguard-go's calling convention (its `main.go`), so that
 * `WG_QUICK_USERSPACE_IMPLEMENTATION=pathwire wg-quick up wg0` works:
 *
 *     pathwire [-f|--foreground] IFACE
 *
 * creates the TUN and the UAPI socket with no private key and no peers (wg-quick then runs
 * `wg setconf`, adds addresses and routes itself). Without `-f` and without
 * `WG_PROCESS_FOREGROUND=1` it detaches: the parent starts a child in a new session and exits 0
 * only once `wg` can talk to the child's socket (a `get=1` is answered), and non-zero with the
 * child's reason otherwise. wireguard-go's parent hands its TUN and UAPI file descriptors to the
 * child; here the child opens them itself and reports on a pipe (fd 3), which gives the same
 * outcome: nothing is left behind when the start fails. As wireguard-go, the child's output goes
 * to /dev/null unless `LOG_LEVEL` is set.
 */
import { spawn } from 'node:child_process';
import { writeSync } from 'node:fs';
import { uapiRequest } from './uapi-client.js';

/** Set in the detached child: the fd on which it reports `ready` or its error. */
export const READY_FD_ENV = 'PATHWIRE_READY_FD';
const READY_FD = 3;

/** wireguard-go's `LOG_LEVEL` (debug, info, error, silent) as one of our levels; undefined: silent. */
export function wireguardGoLogLevel(text: string | undefined): 'debug' | 'info' | 'error' | undefined {
  switch (text) {
    case 'debug':
    case 'error':
      return text;
    case 'silent':
      return undefined;
    default:
      return 'info';
  }
}

/** Whether this invocation runs in the foreground (`-f`, `--foreground`, `WG_PROCESS_FOREGROUND=1`). */
export function isForeground(flag: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return flag || env.WG_PROCESS_FOREGROUND === '1';
}

/**
 * The child's side: tells the waiting parent that the interface is up (or why it is not).
 * Does nothing when this process was not started by {@link detach}.
 */
export function reportToParent(outcome: { ready: true } | { error: string }): void {
  const fd = Number(process.env[READY_FD_ENV]);
  if (!(fd > 2)) return;
  delete process.env[READY_FD_ENV];
  try {
    writeSync(fd, `${JSON.stringify(outcome)}\n`);
  } catch {
    // the parent is gone: nothing to tell
  }
}

/**
 * The parent's side: starts `argv` again as a detached child in the foreground and waits until
 * the child's UAPI socket answers. Resolves with the exit code for the parent; the reason for a
 * failure is written to stderr.
 */
export async function detach(iface: string, argv: readonly string[], timeoutMs = 30_000): Promise<number> {
  const logs = process.env.LOG_LEVEL !== undefined && process.env.LOG_LEVEL !== 'silent';
  const child = spawn(process.execPath, [...process.execArgv, ...argv], {
    detached: true,
    stdio: ['ignore', logs ? 'inherit' : 'ignore', logs ? 'inherit' : 'ignore', 'pipe'],
    env: { ...process.env, WG_PROCESS_FOREGROUND: '1', [READY_FD_ENV]: String(READY_FD) },
  });
  const report = child.stdio[READY_FD] as NodeJS.ReadableStream;
  const outcome = await new Promise<{ ready: true } | { error: string }>((resolve) => {
    let text = '';
    const timer = setTimeout(
      () => resolve({ error: `the interface did not come up within ${timeoutMs / 1000} s` }),
      timeoutMs,
    );
    const finish = (result: { ready: true } | { error: string }) => {
      clearTimeout(timer);
      resolve(result);
    };
    report.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const newline = text.indexOf('\n');
      if (newline < 0) return;
      try {
        finish(JSON.parse(text.slice(0, newline)) as { ready: true } | { error: string });
      } catch {
        finish({ error: `unreadable report from the daemon: ${JSON.stringify(text.slice(0, 200))}` });
      }
    });
    child.once('error', (error) => finish({ error: `cannot start the daemon: ${error.message}` }));
    child.once('exit', (code, signal) =>
      finish({ error: `the daemon exited during start-up (${signal ?? `exit ${code}`})` }),
    );
  });
  if ('error' in outcome) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    process.stderr.write(`pathwire: ${iface}: ${outcome.error}\n`);
    return 1;
  }
  // `wg` must be able to talk to it before the parent exits (wg-quick runs `wg setconf` next).
  try {
    const reply = await uapiRequest(iface, 'get=1\n\n');
    if (!reply.endsWith('errno=0\n\n')) throw new Error(`the UAPI socket answered ${JSON.stringify(reply)}`);
  } catch (error) {
    child.kill('SIGTERM');
    process.stderr.write(`pathwire: ${iface}: ${(error as Error).message}\n`);
    return 1;
  }
  report.removeAllListeners();
  (report as NodeJS.ReadableStream & { destroy(): void }).destroy();
  child.removeAllListeners();
  child.unref();
  return 0;
}
