import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Results } from '../results.js';

export interface ReportOptions {
  readonly workers?: number;
}

export async function writeReport(dir: string, results: Results, _options: ReportOptions): Promise<string> {
  const file = join(dir, 'report.html');
  await writeFile(file, `<!doctype html><title>pathwire-compare</title><p>${results.runs.length} runs</p>`);
  return file;
}
