/**
 * Each published addon must build from its own tarball: the shared pieces it compiles and runs
 * (native-common/) are in the file list `npm pack` would publish.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packages = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function packedFiles(name: string): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: join(packages, name),
    encoding: 'utf8',
  });
  const [report] = JSON.parse(out) as [{ files: { path: string }[] }];
  return report.files.map((f) => f.path);
}

describe.each(['tun', 'udp'])('@pathwire/%s tarball', (name) => {
  it('ships the shared native pieces its binding.gyp and build script use', () => {
    const files = packedFiles(name);
    expect(files).toEqual(
      expect.arrayContaining([
        'binding.gyp',
        'scripts/build-native.mjs',
        'native-common/build-addon.mjs',
        'native-common/errno-error.cc',
        'native-common/errno-error.h',
      ]),
    );
    const gyp = readFileSync(join(packages, name, 'binding.gyp'), 'utf8');
    for (const source of gyp.matchAll(/"(native[^"]*\.cc)"/g)) expect(files).toContain(source[1]);
  });
});
