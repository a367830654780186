/**
 * The README's main job (until the daemon lands): show, in plain words, pathwire's handshake and
 * transport working against a stock wireguard-go peer in a network namespace: as initiator and
 * as responder, with and without a preshared key, over IPv4 and IPv6, on both crypto backends;
 * then the engine itself pinging through in both directions.
 */
import { type CryptoBackend, nobleBackend } from '@pathwire/crypto';
import { nodeBackend } from '@pathwire/crypto/node';
import { namespaceCapability } from '@pathwire/testkit';
import { createWorld, runCase } from './scenario.js';

async function main(): Promise<number> {
  const capability = namespaceCapability(['wireguard-go', 'wg', 'ping']);
  if (!capability.ok) {
    console.log(`pathwire interop demonstration: cannot run here: ${capability.reason}.`);
    console.log('It needs root (network namespaces, a TUN for wireguard-go) and the Debian packages');
    console.log('wireguard-go, wireguard-tools, iproute2 and iputils-ping: run `sudo bash scripts/demo.sh`.');
    return 1;
  }
  console.log('pathwire interop demonstration: our Noise handshake and transport against a stock');
  console.log('wireguard-go (Debian package) running in a network namespace built for this run.\n');
  const world = await createWorld(nodeBackend);
  let failures = 0;
  try {
    console.log(
      `namespace ${world.stock.namespace}: wireguard-go interface ${world.stock.iface}, reachable at`,
    );
    console.log(
      `  ${world.link.b.ipv4}:51820 and [${world.link.b.ipv6}]:51820 from this host (${world.link.a.ipv4}, ${world.link.a.ipv6})\n`,
    );
    const backends: CryptoBackend[] = [nodeBackend, nobleBackend];
    for (const backend of backends) {
      for (const underlay of [4, 6] as const) {
        for (const role of ['initiator', 'responder'] as const) {
          for (const presharedKey of [false, true]) {
            const title = `${backend.name} backend, IPv${underlay} underlay, pathwire as ${role}${presharedKey ? ', preshared key' : ''}`;
            try {
              const result = await runCase(world, { backend, underlay, role, presharedKey });
              console.log(`OK   ${title}`);
              for (const step of result.steps) console.log(`       ${step}`);
            } catch (error) {
              failures++;
              console.log(`FAIL ${title}: ${error instanceof Error ? error.message : String(error)}`);
            }
          }
        }
      }
    }
  } finally {
    world.topology.destroy();
  }
  console.log(
    failures === 0
      ? '\nAll 16 cases agreed with wireguard-go; the namespace is removed.'
      : `\n${failures} case(s) failed.`,
  );
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
