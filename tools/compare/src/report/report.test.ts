/**
 * report.html as a reader gets it: one self-contained file that a real headless Chromium (Debian's
 * `chromium`) renders with its figures, without a console error and without fetching anything.
 * Gated like the namespace tests: skipped on a machine without chromium, failing under CI.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeWith, hasCommand } from '@pathwire/testkit';
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRuns } from '../plan.js';
import { execute } from '../run-one.js';
import { scenarioByName } from '../scenarios/index.js';
import { writeReport } from './write-report.js';

const SCENARIOS = ['blackhole', 'wifi-lte'];
const STRATEGIES = ['roaming', 'handshake-race'];
let dir: string;
let file: string;
let html: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pathwire-report-'));
  const runs = planRuns({ scenarios: SCENARIOS, strategies: STRATEGIES, seeds: 3 }).map(
    (k) =>
      execute({ scenario: scenarioByName(k.scenario), strategy: k.strategy, seed: k.seed, streamHz: 10 })
        .result,
  );
  const meta = {
    command: 'test',
    commit: 'test',
    machine: { cores: 1 },
    date: '2026-01-01T00:00:00Z',
    streamHz: 10,
  };
  file = await writeReport(dir, { runs, meta }, {});
  html = await readFile(file, 'utf8');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('report.html', () => {
  it('is one file with no script and no external resource', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
  });

  it('has the headline, a scatter and a timeline per scenario, the CDFs, the grid and the tables', () => {
    expect(html).toContain('<h2>Headline</h2>');
    for (const name of SCENARIOS) expect(html).toContain(scenarioByName(name).title);
    // 2 scatter + 2 timelines + 2 CDFs + 3 grid panels (ground truth + 2 strategies), legends aside.
    expect((html.match(/<svg[^>]*class="plot/g) ?? []).length).toBeGreaterThanOrEqual(9);
    expect(html).toContain('<dt>commit</dt><dd>test</dd>');
  });
});

const chromiumCapability = hasCommand('chromium')
  ? { ok: true, reason: '' }
  : { ok: false, reason: 'missing command: chromium (run scripts/setup.sh as root)' };

/** Debian's chromium, by absolute path (Playwright wants one). */
const chromiumPath = () => execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();

describeWith(chromiumCapability, 'report.html in headless Chromium', () => {
  it('renders its figures, logs no error and fetches nothing', async () => {
    const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
      const errors: string[] = [];
      const fetched: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) return route.continue();
        fetched.push(url);
        return route.abort();
      });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      // Each figure's chart: the last SVG child (legends before it are SVGs of their own).
      const figures = await page.$$eval('figure', (figs) =>
        figs.map((fig) => {
          const svg = [...fig.querySelectorAll(':scope > svg, :scope > figure > svg')].at(-1);
          const box = svg?.getBoundingClientRect();
          return {
            width: box?.width ?? 0,
            height: box?.height ?? 0,
            marks: svg?.querySelectorAll('rect, path, circle, line').length ?? 0,
          };
        }),
      );
      expect(figures.length).toBeGreaterThanOrEqual(9);
      for (const f of figures) {
        expect(f.width).toBeGreaterThan(100);
        expect(f.height).toBeGreaterThan(100);
        expect(f.marks).toBeGreaterThan(3);
      }
      const shot = PNG.sync.read(await page.screenshot({ fullPage: true }));
      let inked = 0;
      const colours = new Set<number>();
      for (let i = 0; i < shot.data.length; i += 4) {
        const [r, g, b] = [shot.data[i]!, shot.data[i + 1]!, shot.data[i + 2]!];
        if (r + g + b < 720) inked++;
        colours.add((r << 16) | (g << 8) | b);
      }
      expect(inked / (shot.width * shot.height)).toBeGreaterThan(0.02);
      expect(colours.size).toBeGreaterThan(20);
      expect(errors).toEqual([]);
      expect(fetched).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
