import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultBackend as autoNoble } from './auto-noble.js';
import { defaultBackend as autoNode } from './auto-node.js';
import { nobleBackend } from './index.js';
import { nodeBackend } from './node-backend.js';

const source = (file: string): string => readFileSync(new URL(file, import.meta.url), 'utf8');

describe('entry points', () => {
  it('./auto picks node:crypto under the node condition and noble elsewhere', () => {
    expect(autoNode).toBe(nodeBackend);
    expect(autoNode.name).toBe('node');
    expect(autoNoble).toBe(nobleBackend);
    expect(autoNoble.name).toBe('noble');
    const exportsMap = JSON.parse(source('../package.json')).exports;
    expect(exportsMap['./auto']).toEqual({
      types: './dist/auto-noble.d.ts',
      node: './dist/auto-node.js',
      default: './dist/auto-noble.js',
    });
  });

  it('the portable entry and everything it imports use no node: module', () => {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = source(file);
      expect(text, file).not.toMatch(/from\s+['"]node:/);
      for (const [, target] of text.matchAll(/from\s+'\.\/([\w-]+)\.js'/g)) visit(`./${target}.ts`);
    };
    visit('./index.ts');
    visit('./auto-noble.ts');
    expect(seen.has('./noble-backend.ts')).toBe(true);
    expect(seen.has('./node-backend.ts')).toBe(false);
  });
});
