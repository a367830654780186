#!/usr/bin/env node
/**
 * Builds the Node-API addon (build/Release/pathwire_udp.node). The steps are shared with
 * @pathwire/tun and live in the private packages/native-common; inside the monorepo they are
 * copied into ./native-common first, and the published tarball ships that copy.
 *
 * Environment:
 *   PATHWIRE_UDP_SKIP_NATIVE=1  skip the addon (openUdp() will then throw NATIVE_UNAVAILABLE)
 *   PATHWIRE_UDP_FORCE_NATIVE=1 rebuild even when the addon looks up to date
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
  target: 'pathwire_udp',
  packageName: '@pathwire/udp',
  what: 'UDP addon',
  envPrefix: 'PATHWIRE_UDP',
  withoutIt: 'openUdp() will throw; use node:dgram instead',
  needsLinux: 'recvmmsg/sendmmsg need Linux',
  sourceDirs: ['native', 'native-common'],
});
