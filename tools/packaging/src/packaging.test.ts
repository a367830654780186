/**
 * Packages as users get them. Every published package (`packages/*` and the daemon, not
 * private) is packed with `pnpm pack` (which turns `workspace:^` into versions) and the
 * browser-safe ones (@pathwire/noise, transport, crypto with noble, ip, strategy) are installed
 * into a clean project from those tarballs alone (npm `overrides` point every @pathwire name
 * at its tarball; only third-party dependencies come from the registry). A script importing
 * them by their published names is bundled with esbuild and run in a real headless chromium: a
 * complete handshake and a data round trip in both directions.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandCapability, describeWith } from '@pathwire/testkit';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BROWSER_PACKAGES = ['crypto', 'noise', 'transport', 'ip', 'strategy'];

interface Published {
  readonly name: string;
  readonly dir: string;
  readonly dependencies: Record<string, string>;
}

function published(): Published[] {
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

function check(program: string, args: readonly string[], cwd: string): string {
  const result = spawnSync(program, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 540_000 });
  if (result.status !== 0) {
    throw new Error(
      `${program} ${args.join(' ')} failed (${result.status}):\n${result.stderr}${result.stdout}`,
    );
  }
  return result.stdout;
}

describeWith(commandCapability(['chromium', 'npm', 'pnpm']), 'packages as users get them', () => {
  const work = mkdtempSync(join(tmpdir(), 'pathwire-packaging-'));
  const tarballs = new Map<string, string>();
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(() => {
    const out = join(work, 'tarballs');
    mkdirSync(out);
    for (const pkg of published()) {
      const printed = check('pnpm', ['pack', '--pack-destination', out], pkg.dir).trim().split('\n');
      tarballs.set(pkg.name, printed[printed.length - 1]!.trim());
    }
  });

  it('every published package packs, with no workspace: reference left in its manifest', () => {
    expect(tarballs.size).toBeGreaterThanOrEqual(BROWSER_PACKAGES.length + 1);
    for (const [name, tarball] of tarballs) {
      const manifest = check('tar', ['-xOzf', tarball, 'package/package.json'], work);
      expect(manifest, name).not.toContain('workspace:');
      const files = check('tar', ['-tzf', tarball], work);
      expect(files, name).toContain('package/README.md');
    }
  });

  it('the browser packages, installed from their tarballs, do a handshake and a round trip in headless chromium', async () => {
    const project = join(work, 'project');
    mkdirSync(project);
    const local = Object.fromEntries([...tarballs].map(([name, tarball]) => [name, `file:${tarball}`]));
    const wanted = BROWSER_PACKAGES.map((short) => `@pathwire/${short}`);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify(
        {
          name: 'clean-project',
          private: true,
          type: 'module',
          dependencies: Object.fromEntries(wanted.map((name) => [name, local[name]])),
          overrides: local,
        },
        null,
        2,
      ),
    );
    check('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], project);
    // Nothing came from the workspace: every @pathwire package in the project is a copy from its tarball.
    const installed = readdirSync(join(project, 'node_modules', '@pathwire'));
    expect(installed).toEqual(expect.arrayContaining(BROWSER_PACKAGES));

    const entry = join(project, 'entry.js');
    writeFileSync(
      entry,
      readFileSync(fileURLToPath(new URL('./browser-entry.txt', import.meta.url)), 'utf8'),
    );
    const bundle = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      write: false,
      absWorkingDir: project,
      logLevel: 'silent',
    });
    const script = bundle.outputFiles[0]!.text.replaceAll('</script', '<\\/script');
    const page = join(project, 'index.html');
    writeFileSync(
      page,
      `<!doctype html><html><body><pre id="result">not run</pre><script>${script}</script></body></html>`,
    );
    const dom = check(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        `--user-data-dir=${join(work, 'profile')}`,
        '--dump-dom',
        `file://${page}`,
      ],
      project,
    );
    const text = /<pre id="result">([\s\S]*?)<\/pre>/.exec(dom)?.[1] ?? '';
    const result = JSON.parse(text.replaceAll('&quot;', '"').replaceAll('&amp;', '&'));
    expect(result.error).toBeUndefined();
    expect(result.userAgent).toContain('HeadlessChrome');
    expect(result.handshake).toBe(true);
    expect(result.sameKeys).toBe(true);
    expect(result.aToB).toEqual({ length: expect.any(Number), same: true, routed: true });
    expect(result.bToA).toEqual({ length: expect.any(Number), same: true, routed: true });
    expect(result.strategy).toEqual({ name: 'roaming', specificationVersion: 'v1' });
  });
});
