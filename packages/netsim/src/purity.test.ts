import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The library must run in a browser and replay exactly: no node: imports, no real time,
// no unseeded randomness. Tests and the bench script are exempt.
const dir = fileURLToPath(new URL('.', import.meta.url));
const forbidden = [
  /from ['"]node:/,
  /\bDate\.now\b/,
  /\bnew Date\b/,
  /\bsetTimeout\b/,
  /\bsetInterval\b/,
  /\bMath\.random\b/,
  /\bperformance\./,
  /\bprocess\./,
];

describe('purity', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  it.each(files)('%s touches no I/O, real time or unseeded randomness', (file) => {
    const text = readFileSync(`${dir}/${file}`, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    for (const pattern of forbidden) expect(text).not.toMatch(pattern);
  });
});
