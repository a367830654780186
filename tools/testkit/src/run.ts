/** Runs system commands for tests, with errors that carry the command line and its stderr. */
import { type ChildProcess, execFileSync, type SpawnOptions, spawn } from 'node:child_process';

export function run(command: string, args: readonly string[], input?: string): string {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      input,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 30_000,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`command failed: ${command} ${args.join(' ')}\n${stderr.trim()}`);
  }
}

/** Like `run`, but returns false instead of throwing. */
export function tryRun(command: string, args: readonly string[]): boolean {
  try {
    run(command, args);
    return true;
  } catch {
    return false;
  }
}

export function hasCommand(command: string): boolean {
  return tryRun('sh', ['-c', `command -v ${command}`]);
}

/** Starts a long-running process; its stderr is kept for error messages. */
export function start(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): ChildProcess & { log: () => string } {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return Object.assign(child, { log: () => output });
}
