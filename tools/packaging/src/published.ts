/** The published packages of the workspace, and a command runner for the packaging test. */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface Published {
  readonly name: string;
  readonly dir: string;
  readonly dependencies: Record<string, string>;
}

/** The workspace's published packages (`packages/*` and the daemon, not `private`). */
export function published(): Published[] {
  const dirs = [
    ...readdirSync(join(ROOT, 'packages')).map((name) => join(ROOT, 'packages', name)),
    join(ROOT, 'apps', 'pathwired'),
  ];
  return dirs.flatMap((dir) => {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return manifest.private
        ? []
        : [{ name: manifest.name, dir, dependencies: manifest.dependencies ?? {} }];
    } catch {
      return [];
    }
  });
}

/** Runs a command; throws with its output when it fails. */
export function check(program: string, args: readonly string[], cwd: string): string {
  const result = spawnSync(program, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 540_000 });
  if (result.status !== 0) {
    throw new Error(
      `${program} ${args.join(' ')} failed (${result.status}):\n${result.stderr}${result.stdout}`,
    );
  }
  return result.stdout;
}
