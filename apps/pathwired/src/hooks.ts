/**
 * PreUp/PostUp/PreDown/PostDown, run as wg-quick runs them: each line through `bash -c`, with
 * `%i` replaced by the interface name; a failing PreUp/PostUp aborts the start.
 */
import { spawnSync } from 'node:child_process';

export function runHooks(kind: string, commands: readonly string[], iface: string): void {
  for (const command of commands) {
    const line = command.replaceAll('%i', iface);
    const result = spawnSync('bash', ['-c', line], { stdio: 'inherit' });
    if (result.status !== 0) {
      throw new Error(`${kind} command failed (exit ${result.status ?? result.signal}): ${line}`);
    }
  }
}
