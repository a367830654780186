/**
 * Gating for tests that need root and network namespaces: on a laptop they skip; under
 * `CI=true` they run, and fail with the reason when the machine cannot run them.
 */
import { describe, it } from 'vitest';
import { hasCommand } from './run.js';

export interface Capability {
  readonly ok: boolean;
  readonly reason: string;
}

export const isCI = (): boolean => process.env.CI === 'true' || process.env.CI === '1';

/** Whether this process can build namespaces and run the given commands. */
export function namespaceCapability(commands: readonly string[] = []): Capability {
  if (process.platform !== 'linux') return { ok: false, reason: 'network namespaces need Linux' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'network namespaces need root (CAP_NET_ADMIN)' };
  for (const command of ['ip', ...commands]) {
    if (!hasCommand(command))
      return { ok: false, reason: `missing command: ${command} (run scripts/setup.sh as root)` };
  }
  return { ok: true, reason: '' };
}

/** Whether these commands are installed (no privileges needed), e.g. `wg` for `wg pubkey`. */
export function commandCapability(commands: readonly string[]): Capability {
  for (const command of commands) {
    if (!hasCommand(command))
      return { ok: false, reason: `missing command: ${command} (run scripts/setup.sh as root)` };
  }
  return { ok: true, reason: '' };
}

/**
 * `describe` that runs when the capability is there, skips on a laptop (without running `body`),
 * and under CI turns into one failing test that names what is missing.
 */
export function describeWith(capability: Capability, name: string, body: () => void): void {
  if (capability.ok) {
    describe(name, body);
  } else if (isCI()) {
    describe(name, () => {
      it('has what it needs to run in CI', () => {
        throw new Error(`${name} cannot run: ${capability.reason}`);
      });
    });
  } else {
    // The body is not even collected: it may build namespaces or take leases as it is declared.
    describe.skip(`${name} (skipped: ${capability.reason})`, () => {
      it('runs where it has what it needs', () => {});
    });
  }
}
