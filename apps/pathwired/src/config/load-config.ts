/**
 * Reads a config file from disk and parses it: the only I/O of the config loader. Errors
 * name the path as given (`/etc/wireguard/wg0.conf:7: ...`).
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from './errors.js';
import { parseConfig } from './parse-config.js';
import type { DaemonConfig, ParseConfigOptions } from './types.js';

/** Reads `path` as UTF-8 and parses it; a read failure is a `ConfigError` with code `READ_FAILED`. */
export async function loadConfig(path: string, options: ParseConfigOptions = {}): Promise<DaemonConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const detail = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError('READ_FAILED', `cannot read the file (${detail})`, {
      file: path,
      line: 0,
      cause: error,
    });
  }
  return parseConfig(text, path, options);
}
