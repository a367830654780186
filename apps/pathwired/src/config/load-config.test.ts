import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { FULL, STRATEGIES } from './fixtures.test-helper.js';
import { loadConfig } from './load-config.js';
import { parseConfig } from './parse-config.js';

describe('loadConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pathwire-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and parses a file', async () => {
    const path = join(dir, 'wg0.conf');
    await writeFile(path, FULL, { mode: 0o600 });
    const config = await loadConfig(path, { strategies: STRATEGIES });
    expect(config).toStrictEqual(parseConfig(FULL, path, { strategies: STRATEGIES }));
    expect(config.peers).toHaveLength(3);
  });

  it('names the path in parse errors', async () => {
    const path = join(dir, 'wg1.conf');
    await writeFile(path, '[Interface]\nListenPrt = 1\n');
    await expect(loadConfig(path)).rejects.toThrow(`${path}:2: unknown key "ListenPrt" in [Interface]`);
  });

  it('turns a missing file into READ_FAILED', async () => {
    const path = join(dir, 'missing.conf');
    const error = await loadConfig(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'READ_FAILED', file: path, line: 0 });
    expect((error as ConfigError).message).toBe(`${path}: cannot read the file (ENOENT)`);
  });
});
