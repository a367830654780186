import { bytesToBase64 } from '@pathwire/crypto';
import { nodeBackend } from '@pathwire/crypto/node';
import { buildIcmpEcho as buildEcho, parseIcmpEcho as parseEcho } from '@pathwire/ip';
import { describeWith, namespaceCapability } from '@pathwire/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createWorld, INNER, type InteropWorld } from './scenario.js';
import { UdpEngineDriver } from './udp-engine-driver.js';

describeWith(
  namespaceCapability(['wireguard-go', 'wg', 'ping']),
  'the engine against stock wireguard-go',
  () => {
    let world: InteropWorld;
    beforeAll(async () => {
      world = await createWorld(nodeBackend);
    });
    afterAll(() => world?.topology.destroy());

    for (const underlay of [4, 6] as const) {
      it(`pings through in both directions over IPv${underlay}`, async () => {
        const privateKey = nodeBackend.generateSecretKey();
        const driver = new UdpEngineDriver({
          backend: nodeBackend,
          privateKey,
          family: underlay,
          bindAddress: underlay === 4 ? world.link.a.ipv4 : world.link.a.ipv6,
        });
        const port = await driver.start();
        const ours = bytesToBase64(driver.device.publicKey);
        try {
          world.stock.setPeer({
            publicKey: ours,
            allowedIPs: [`${INNER[4].ours}/32`, `${INNER[6].ours}/128`],
            endpoint: underlay === 4 ? `${world.link.a.ipv4}:${port}` : `[${world.link.a.ipv6}]:${port}`,
          });
          driver.run((device, now) =>
            device.setPeer(
              {
                publicKey: world.stockPublicKey,
                allowedIPs: [`${INNER[4].stock}/32`, `${INNER[6].stock}/128`],
                endpoints: [{ address: underlay === 4 ? world.link.b.ipv4 : world.link.b.ipv6, port: 51820 }],
              },
              now,
            ),
          );
          // Our side initiates: the first packet is staged, the handshake runs, the packet follows.
          const inner = INNER[underlay];
          const payload = Uint8Array.from({ length: 32 }, (_, i) => i * 3);
          driver.sendPacket(
            buildEcho({
              source: inner.ours,
              destination: inner.stock,
              type: underlay === 4 ? 8 : 128,
              identifier: 7,
              sequence: 1,
              payload,
            }),
          );
          await driver.waitFor('an echo reply from wireguard-go', () =>
            driver.packets.some((p) => parseEcho(p)?.type === (underlay === 4 ? 0 : 129)),
          );
          expect(driver.events.some((e) => e.type === 'handshake-complete' && e.role === 'initiator')).toBe(
            true,
          );

          // The other way: ping from the stock side, answered by us through the engine.
          const ping = world.topology.spawn(world.stock.namespace, 'ping', [
            '-c',
            '2',
            '-i',
            '0.2',
            '-W',
            '3',
            inner.ours,
          ]);
          const exit = new Promise<number | null>((resolve) => ping.once('exit', resolve));
          await driver.waitFor('an echo request from wireguard-go', () =>
            driver.packets.some((p) => parseEcho(p)?.type === (underlay === 4 ? 8 : 128)),
          );
          for (let answered = 0; answered < 2; ) {
            const index = driver.packets.findIndex((p) => parseEcho(p)?.type === (underlay === 4 ? 8 : 128));
            if (index < 0) {
              await driver.waitFor('the next echo request', () =>
                driver.packets.some((p) => parseEcho(p)?.type === (underlay === 4 ? 8 : 128)),
              );
              continue;
            }
            const request = parseEcho(driver.packets.splice(index, 1)[0]!)!;
            driver.sendPacket(
              buildEcho({
                source: inner.ours,
                destination: request.source,
                type: underlay === 4 ? 0 : 129,
                identifier: request.identifier,
                sequence: request.sequence,
                payload: request.payload,
              }),
            );
            answered++;
          }
          expect(await exit).toBe(0);
          const dump = world.stock
            .show()
            .split('\n')
            .find((line) => line.startsWith(ours))!;
          const [, , , , latestHandshake, rx, tx] = dump.split('\t');
          expect(Number(latestHandshake)).toBeGreaterThan(0);
          expect(Number(rx)).toBeGreaterThan(0);
          expect(Number(tx)).toBeGreaterThan(0);
        } finally {
          driver.close();
          world.stock.removePeer(ours);
        }
      });
    }
  },
);
