#!/usr/bin/env node
/**
 * Builds the Node-API addon (build/Release/pathwire_tun.node). The steps are shared with
 * @pathwire/udp and live in the private packages/native-common; inside the monorepo they are
 * copied into ./native-common first, and the published tarball ships that copy.
 *
 * Environment:
 *   PATHWIRE_TUN_SKIP_NATIVE=1  skip the addon (MemoryTun still works; openTun() will throw)
 *   PATHWIRE_TUN_FORCE_NATIVE=1 rebuild even when the addon looks up to date
 *   npm_config_nodedir=DIR      use the Node headers in DIR/include/node
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const monorepoCopy = join(root, '..', 'native-common', 'scripts', 'copy-into.mjs');
if (existsSync(monorepoCopy)) (await import(monorepoCopy)).copyInto(root);
const { buildAddon } = await import('../native-common/build-addon.mjs');
buildAddon({
  root,
  target: 'pathwire_tun',
  packageName: '@pathwire/tun',
  what: 'TUN addon',
  envPrefix: 'PATHWIRE_TUN',
  withoutIt: 'only MemoryTun will work',
  needsLinux: 'TUN devices need Linux',
  sourceDirs: ['native', 'native-common'],
});
