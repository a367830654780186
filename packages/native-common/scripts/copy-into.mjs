/**
 * Copies the shared native pieces (native/errno-error.*, scripts/build-addon.mjs) into
 * `<addon>/native-common/`, the directory an addon's binding.gyp and build script use and its
 * tarball ships. Run from inside the monorepo only; a published addon has its copy already.
 * Files are rewritten only when their content changed, so the addon's up-to-date check holds.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');
const FILES = ['native/errno-error.h', 'native/errno-error.cc', 'scripts/build-addon.mjs'];

/** @param {string} addonRoot the addon package directory */
export function copyInto(addonRoot) {
  const into = join(addonRoot, 'native-common');
  mkdirSync(into, { recursive: true });
  for (const file of FILES) {
    const from = join(here, file);
    const to = join(into, file.slice(file.indexOf('/') + 1));
    if (existsSync(to) && readFileSync(to).equals(readFileSync(from))) continue;
    copyFileSync(from, to);
  }
}
