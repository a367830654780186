/** Reading a child process's JSON-lines output in tests. */
import type { ChildProcess } from 'node:child_process';

/**
 * The next JSON line `child` prints on stdout; rejects (with what it printed) when it exits
 * first or after `ms`.
 */
export function nextJsonLine(
  child: ChildProcess & { log: () => string },
  ms = 60_000,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => finish(new Error(`no output within ${ms} ms: ${child.log()}`)), ms);
    const onData = (data: Buffer) => {
      text += data.toString();
      const newline = text.indexOf('\n');
      if (newline >= 0) finish(undefined, JSON.parse(text.slice(0, newline)) as Record<string, unknown>);
    };
    const onExit = () => finish(new Error(`exited early: ${child.log()}`));
    function finish(error?: Error, value?: Record<string, unknown>) {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(value!);
    }
    child.stdout!.on('data', onData);
    child.on('exit', onExit);
  });
}
