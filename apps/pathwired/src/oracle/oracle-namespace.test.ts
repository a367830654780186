/**
 * The oracle end to end, in network namespaces: our `pathwire up` with `Strategy =
 * userspace-oracle` and two paths to a server that is a stock wireguard-go, then a second
 * pathwire. Outcomes only (which endpoint carries traffic, whether pings come back), never
 * times: the figures are in the benches.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OracleClient, type ReceivedEvent } from '@pathwire/oracle-client';
import { describeWith, namespaceCapability, waitFor } from '@pathwire/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PATHWIRE_BIN } from '../test-support/daemon-process.js';
import { createOracleLab, type OracleLab, snapshotOf } from '../test-support/oracle-lab.js';

const PROBE_ORACLE = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../packages/oracle-client/examples/probe-oracle.mjs',
);

async function until(
  condition: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Collects every event of the interface in the background. */
async function collect(iface: string): Promise<{ events: ReceivedEvent[]; close(): void }> {
  const client = await OracleClient.connect({ iface });
  const events: ReceivedEvent[] = [];
  void (async () => {
    for await (const event of client.events()) events.push(event);
  })();
  return { events, close: () => client.close() };
}

for (const kind of ['stock', 'pathwire'] as const) {
  describeWith(
    namespaceCapability(['wg', 'ping', 'iptables', ...(kind === 'stock' ? ['wireguard-go'] : [])]),
    `the userspace oracle against ${kind === 'stock' ? 'a stock wireguard-go' : 'pathwire'} over two paths`,
    () => {
      let lab: OracleLab;
      const linkOf = (endpoint: string | undefined) =>
        lab.links.find((link) => endpoint?.startsWith(`${link.b.ipv4}:`))!;
      const other = (endpoint: string | undefined) => lab.endpoints.find((e) => e !== endpoint)!;

      beforeAll(async () => {
        lab = await createOracleLab(kind);
      }, 60_000);
      afterAll(async () => {
        await lab?.destroy();
      });

      it('select moves the active endpoint, the server follows; the lease ends with the writer', async () => {
        const writer = await OracleClient.connect({
          iface: lab.daemon.iface,
          role: 'writer',
          reconnect: false,
        });
        try {
          const before = lab.active();
          const target = other(before);
          await writer.select(lab.peer, target, { leaseMs: 60_000, mode: 'pin' });
          expect(lab.active()).toBe(target);
          expect(await lab.ping(3)).toBeGreaterThan(0);
          // the server now sends to our address on the selected path
          await waitFor(
            () => lab.serverSeesUsAt()?.startsWith(`${linkOf(target).a.ipv4}:`) === true,
            'the server to follow',
            10_000,
          );
          expect((await snapshotOf(lab.daemon.iface, lab.peer))?.lease).toMatchObject({
            endpoint: target,
            mode: 'pin',
          });
        } finally {
          writer.close();
        }
        await until(
          async () => (await snapshotOf(lab.daemon.iface, lab.peer))?.lease === null,
          'the lease to end',
          10_000,
        );
      });

      it('pathwire oracle IFACE select holds the lease while it runs, and the peer moves', async () => {
        const before = lab.active();
        const target = other(before);
        const cli = new Promise<string>((resolve, reject) =>
          execFile(
            process.execPath,
            [
              PATHWIRE_BIN,
              'oracle',
              lab.daemon.iface,
              'select',
              lab.peer,
              target,
              '--lease',
              '2s',
              '--mode',
              'pin',
            ],
            (error, stdout) => (error ? reject(error) : resolve(stdout)),
          ),
        );
        await until(() => lab.active() === target, 'the CLI select', 15_000);
        const printed = JSON.parse(await cli) as { endpoint: string };
        expect(printed.endpoint).toBe(target);
        expect(await lab.ping(2)).toBeGreaterThan(0);
      });

      it(`${kind === 'stock' ? 'handshake' : 'in-band'} probes of the other path lose no traffic`, async () => {
        const writer = await OracleClient.connect({
          iface: lab.daemon.iface,
          role: 'writer',
          reconnect: false,
        });
        const watch = await collect(lab.daemon.iface);
        try {
          const active = lab.active()!;
          const probed = other(active);
          await writer.probe(lab.peer, active); // a pathwire peer proves itself on the active path
          const probing = setInterval(() => void writer.probe(lab.peer, probed).catch(() => {}), 400);
          const received = await lab.ping(15);
          clearInterval(probing);
          expect(received).toBe(15);
          await until(
            () =>
              watch.events.some(
                (e) => e.event === 'probe-result' && e.endpoint === probed && e.rttMs !== null,
              ),
            'a probe result for the other path',
            10_000,
          );
          const result = watch.events.find(
            (e) => e.event === 'probe-result' && e.endpoint === probed && e.rttMs !== null,
          );
          expect(result).toMatchObject({ via: kind === 'stock' ? 'handshake' : 'probe' });
          expect(lab.active()).toBe(active); // a probe never moves the peer
        } finally {
          watch.close();
          writer.close();
        }
      });

      it('the probe-driven example oracle recovers a silent blackhole; killed, the fallback recovers the next', async () => {
        const oracle = lab.topology.spawn(null, process.execPath, [PROBE_ORACLE, lab.daemon.iface, '500']);
        try {
          await until(
            async () => (await snapshotOf(lab.daemon.iface, lab.peer))?.lease != null,
            'the oracle to order',
            20_000,
          );
          const first = lab.active();
          lab.blackhole(linkOf(first), true);
          await until(async () => (await lab.ping(1)) === 1, 'pings through the other path', 60_000);
          expect(lab.active()).toBe(other(first));
          expect((await snapshotOf(lab.daemon.iface, lab.peer))?.lease).toMatchObject({
            endpoint: other(first),
          });
        } finally {
          oracle.kill('SIGKILL');
        }
        await until(
          async () => (await snapshotOf(lab.daemon.iface, lab.peer))?.lease === null,
          'the lease to end',
          10_000,
        );
        // the fallback (handshake-race) owns the peer: blackhole the path in use, heal the other
        const second = lab.active();
        lab.blackhole(linkOf(other(second)), false);
        lab.blackhole(linkOf(second), true);
        await until(async () => (await lab.ping(1)) === 1, 'pings after the fallback recovered', 60_000);
        expect(lab.active()).toBe(other(second));
        lab.blackhole(linkOf(second), false);
      }, 180_000);
    },
  );
}
