/**
 * Builds a pathwire Node-API addon (build/Release/<target>.node) from source with node-gyp,
 * using the Node headers already on this machine: it never downloads headers, so it works
 * with no network beyond the npm registry. It explains what is missing (compiler, make,
 * python3, headers) instead of failing deep inside node-gyp, and skips the build when the
 * addon is newer than every source file.
 *
 * Shared by @pathwire/tun and @pathwire/udp: each package's scripts/build-native.mjs copies
 * this file (with native/errno-*) into its own `native-common/` directory, which its tarball
 * ships, so a published addon builds alone.
 *
 * Environment (PREFIX is PATHWIRE_TUN or PATHWIRE_UDP):
 *   PREFIX_SKIP_NATIVE=1   skip the addon
 *   PREFIX_FORCE_NATIVE=1  rebuild even when the addon looks up to date
 *   npm_config_nodedir=DIR use the Node headers in DIR/include/node
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * @param {object} addon
 * @param {string} addon.root        the package directory (holds binding.gyp)
 * @param {string} addon.target      the gyp target name, e.g. 'pathwire_tun'
 * @param {string} addon.packageName e.g. '@pathwire/tun'
 * @param {string} addon.what        what the addon is, e.g. 'TUN addon'
 * @param {string} addon.envPrefix   e.g. 'PATHWIRE_TUN'
 * @param {string} addon.withoutIt   what still works without the addon
 * @param {string} addon.needsLinux  why it needs Linux
 * @param {readonly string[]} addon.sourceDirs directories whose files the addon is built from
 */
export function buildAddon(addon) {
  const { root, envPrefix } = addon;
  const output = join(root, 'build', 'Release', `${addon.target}.node`);
  const log = (message) => console.error(`[${addon.packageName}] ${message}`);
  const fail = (message) => {
    log(`cannot build the ${addon.what}: ${message}`);
    log(`set ${envPrefix}_SKIP_NATIVE=1 to install without it (${addon.withoutIt})`);
    process.exit(1);
  };

  if (process.env[`${envPrefix}_SKIP_NATIVE`] === '1') {
    log(`${envPrefix}_SKIP_NATIVE=1: not building the addon`);
    return;
  }
  if (process.platform !== 'linux') {
    log(`${addon.needsLinux}; skipping the addon on ${process.platform} (${addon.withoutIt})`);
    return;
  }

  let newest = statSync(join(root, 'binding.gyp')).mtimeMs;
  for (const dir of addon.sourceDirs) {
    for (const file of readdirSync(join(root, dir))) {
      newest = Math.max(newest, statSync(join(root, dir, file)).mtimeMs);
    }
  }
  if (
    process.env[`${envPrefix}_FORCE_NATIVE`] !== '1' &&
    existsSync(output) &&
    statSync(output).mtimeMs > newest
  ) {
    log('addon up to date');
    return;
  }

  const has = (command) => {
    try {
      execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  const cxx = process.env.CXX ?? (has('g++') ? 'g++' : has('c++') ? 'c++' : null);
  if (cxx === null || !has(cxx.split(' ')[0]))
    fail('no C++ compiler (g++). On Debian: apt-get install g++ make python3');
  if (!has('make')) fail('no make. On Debian: apt-get install make');
  if (!has('python3')) fail('no python3 (node-gyp needs it). On Debian: apt-get install python3');

  // Node's headers: npm_config_nodedir, then the prefix of this node binary.
  const nodedir = [process.env.npm_config_nodedir, join(dirname(process.execPath), '..')].find(
    (dir) => dir && existsSync(join(dir, 'include', 'node', 'node_api.h')),
  );
  if (nodedir === undefined) {
    fail(
      `Node's headers (include/node/node_api.h) are not next to ${process.execPath}. ` +
        'Install a Node build that ships them (the official tarballs and NodeSource packages do), ' +
        'or point npm_config_nodedir at a directory containing include/node.',
    );
  }

  let nodeGyp;
  try {
    nodeGyp = createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    fail('node-gyp is not installed: run pnpm install first');
  }

  log(`building the addon with ${cxx} and the headers in ${nodedir}/include/node`);
  const result = spawnSync(
    process.execPath,
    [nodeGyp, 'rebuild', `--nodedir=${nodedir}`, '--loglevel=warn'],
    { cwd: root, stdio: 'inherit', env: { ...process.env, npm_config_nodedir: nodedir } },
  );
  if (result.status !== 0)
    fail(`node-gyp exited with ${result.status ?? result.signal}; see the output above`);
  log(`built ${output}`);
}
