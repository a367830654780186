#!/usr/bin/env node
/**
 * Builds the Node-API addon (build/Release/pathwire_udp.node) from source with node-gyp,
 * using the Node headers already on this machine: it never downloads headers, so it works
 * with no network beyond the npm registry. It explains what is missing (compiler, make,
 * python3, headers) instead of failing deep inside node-gyp, and skips the build when the
 * addon is newer than every source file.
 *
 * Environment:
 *   PATHWIRE_UDP_SKIP_NATIVE=1  skip the addon (openUdp() will then throw NATIVE_UNAVAILABLE)
 *   PATHWIRE_UDP_FORCE_NATIVE=1 rebuild even when the addon looks up to date
 *   npm_config_nodedir=DIR      use the Node headers in DIR/include/node
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const output = join(root, 'build', 'Release', 'pathwire_udp.node');
const log = (message) => console.error(`[@pathwire/udp] ${message}`);

function fail(message) {
  log(`cannot build the UDP addon: ${message}`);
  log('set PATHWIRE_UDP_SKIP_NATIVE=1 to install without it (openUdp() will throw; use node:dgram instead)');
  process.exit(1);
}

if (process.env.PATHWIRE_UDP_SKIP_NATIVE === '1') {
  log('PATHWIRE_UDP_SKIP_NATIVE=1: not building the addon');
  process.exit(0);
}
if (process.platform !== 'linux') {
  log(`recvmmsg/sendmmsg need Linux; skipping the addon on ${process.platform} (openUdp() will throw)`);
  process.exit(0);
}

function newestSource() {
  let newest = statSync(join(root, 'binding.gyp')).mtimeMs;
  for (const file of readdirSync(join(root, 'native'))) {
    newest = Math.max(newest, statSync(join(root, 'native', file)).mtimeMs);
  }
  return newest;
}

if (
  process.env.PATHWIRE_UDP_FORCE_NATIVE !== '1' &&
  existsSync(output) &&
  statSync(output).mtimeMs > newestSource()
) {
  log('addon up to date');
  process.exit(0);
}

function has(command) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const cxx = process.env.CXX ?? (has('g++') ? 'g++' : has('c++') ? 'c++' : null);
if (cxx === null || !has(cxx.split(' ')[0]))
  fail('no C++ compiler (g++). On Debian: apt-get install g++ make python3');
if (!has('make')) fail('no make. On Debian: apt-get install make');
if (!has('python3')) fail('no python3 (node-gyp needs it). On Debian: apt-get install python3');

/** Node's headers: npm_config_nodedir, then the prefix of this node binary. */
function findNodedir() {
  const candidates = [process.env.npm_config_nodedir, join(dirname(process.execPath), '..')];
  for (const dir of candidates) {
    if (dir && existsSync(join(dir, 'include', 'node', 'node_api.h'))) return dir;
  }
  return null;
}

const nodedir = findNodedir();
if (nodedir === null) {
  fail(
    `Node's headers (include/node/node_api.h) are not next to ${process.execPath}. ` +
      'Install a Node build that ships them (the official tarballs and NodeSource packages do), ' +
      'or point npm_config_nodedir at a directory containing include/node.',
  );
}

const require = createRequire(import.meta.url);
let nodeGyp;
try {
  nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch {
  fail('node-gyp is not installed: run pnpm install first');
}

log(`building the addon with ${cxx} and the headers in ${nodedir}/include/node`);
const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodedir}`, '--loglevel=warn'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, npm_config_nodedir: nodedir },
});
if (result.status !== 0) fail(`node-gyp exited with ${result.status ?? result.signal}; see the output above`);
log(`built ${output}`);
