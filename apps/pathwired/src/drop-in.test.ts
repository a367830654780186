/**
 * pathwire as a drop-in for wireguard-go, in network namespaces: started as `pathwire IFACE`
 * (wireguard-go's convention) and by `WG_QUICK_USERSPACE_IMPLEMENTATION=pathwire wg-quick`, with
 * a full-tunnel config against a stock wireguard-go, exactly as a user would run it.
 */
import { readFileSync } from 'node:fs';
import {
  describeWith,
  namespaceCapability,
  startWireguardGo,
  Topology,
  waitFor,
  wgKeyPair,
} from '@pathwire/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alive,
  daemonPid,
  dropIn,
  expectFullTunnel,
  expectNoFullTunnel,
  privateResolvConf,
  runtimeFiles,
  stopIfRunning,
} from './test-support/drop-in.js';

const STOCK = { v4: '203.0.113.241', v6: 'fd00:7077:ffff::f1' };
const OURS = { v4: '203.0.113.242', v6: 'fd00:7077:ffff::f2' };

describeWith(
  namespaceCapability(['wireguard-go', 'wg', 'wg-quick', 'ping', 'iptables-restore', 'resolvconf']),
  'pathwire as a drop-in WireGuard',
  () => {
    let topology: Topology;
    let client: string;
    let server: string;
    let tools: ReturnType<typeof dropIn>;
    let resolvConf = '';
    const names: string[] = [];
    const iface = (suffix: string) => {
      const name = topology.name(`pdi${suffix}`);
      names.push(name);
      return name;
    };

    beforeAll(() => {
      topology = Topology.create();
      client = topology.namespace('pdc');
      server = topology.namespace('pds');
      tools = dropIn(topology);
      resolvConf = privateResolvConf(topology, client);
    });
    afterAll(async () => {
      try {
        for (const name of names) await stopIfRunning(name);
      } finally {
        topology?.destroy();
      }
    });

    describe("wireguard-go's calling convention: pathwire IFACE", () => {
      it('detaches; the parent exits 0 once wg can talk to the socket; no private key until one is set', () => {
        const name = iface('a');
        const started = tools.exec(client, 'pathwire', [name]);
        expect(started.status).toBe(0);
        // No waiting: wg-quick runs `wg setconf` right after the parent exits.
        const show = tools.exec(client, 'wg', ['show', name]);
        expect(show.status).toBe(0);
        expect(show.stdout).toContain(`interface: ${name}`);
        expect(tools.exec(client, 'wg', ['show', name, 'private-key']).stdout.trim()).toBe('(none)');
        const key = wgKeyPair();
        const keyFile = tools.config(`${name}-key`, `${key.privateKey}\n`);
        expect(tools.exec(client, 'wg', ['set', name, 'private-key', keyFile]).status).toBe(0);
        expect(tools.exec(client, 'wg', ['show', name, 'public-key']).stdout.trim()).toBe(key.publicKey);
        // An all-zero key clears it again, as for wireguard-go.
        expect(tools.exec(client, 'wg', ['set', name, 'private-key', '/dev/null']).status).toBe(0);
        expect(tools.exec(client, 'wg', ['show', name, 'private-key']).stdout.trim()).toBe('(none)');
        const pid = daemonPid(name);
        expect(pid !== undefined && alive(pid)).toBe(true);
      });

      it('exits and removes its socket and pid file when its link is deleted', async () => {
        const name = iface('b');
        expect(tools.exec(client, 'pathwire', [name]).status).toBe(0);
        const pid = daemonPid(name)!;
        expect(alive(pid)).toBe(true);
        expect(tools.exec(client, 'ip', ['link', 'del', name]).status).toBe(0);
        await waitFor(() => !alive(pid), `pathwire (pid ${pid}) to exit after ip link del`, 15_000);
        expect(runtimeFiles(name)).toEqual({ socket: false, pid: false });
      });

      it('the parent exits non-zero with the reason when the interface cannot be created', () => {
        const name = iface('c');
        // The name is taken by another link (no dummy module here: a veth pair).
        topology.exec(client, 'ip', ['link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`]);
        const started = tools.exec(client, 'pathwire', [name]);
        expect(started.status).not.toBe(0);
        expect(started.stderr).toContain(`interface ${name} already exists`);
        expect(runtimeFiles(name)).toEqual({ socket: false, pid: false });
        topology.exec(client, 'ip', ['link', 'del', name]);
      });

      it('-f and WG_PROCESS_FOREGROUND=1 stay in the foreground; SIGTERM removes everything', async () => {
        for (const [suffix, args, env] of [
          ['d', ['-f'], {}],
          ['e', [], { WG_PROCESS_FOREGROUND: '1' }],
        ] as const) {
          const name = iface(suffix);
          const child = topology.spawn(client, 'pathwire', [...args, name], {
            env: { ...tools.env, ...env },
          });
          await waitFor(
            () => runtimeFiles(name).pid || child.exitCode !== null,
            `${name}'s pid file`,
            15_000,
          );
          expect(child.exitCode).toBeNull();
          expect(tools.exec(client, 'wg', ['show', name]).status).toBe(0);
          const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
          process.kill(daemonPid(name)!, 'SIGTERM');
          expect(await exited).toBe(0);
          expect(runtimeFiles(name)).toEqual({ socket: false, pid: false });
          expect(tools.exec(client, 'ip', ['link', 'show', name]).status).not.toBe(0);
        }
      });
    });

    describe('WG_QUICK_USERSPACE_IMPLEMENTATION=pathwire wg-quick up/down, full tunnel against wireguard-go', () => {
      const ours = wgKeyPair();
      const theirs = wgKeyPair();
      let endpoint = '';

      beforeAll(async () => {
        const link = topology.link(client, server);
        endpoint = `${link.b.ipv4}:51820`;
        await startWireguardGo(topology, server, 'pdwg', {
          privateKey: theirs.privateKey,
          listenPort: 51820,
          addresses: [`${STOCK.v4}/32`, `${STOCK.v6}/128`],
          peers: [{ publicKey: ours.publicKey, allowedIPs: [`${OURS.v4}/32`, `${OURS.v6}/128`] }],
        });
        const stockIface = topology.name('pdwg');
        topology.exec(server, 'ip', ['route', 'add', `${OURS.v4}/32`, 'dev', stockIface]);
        topology.exec(server, 'ip', ['-6', 'route', 'add', `${OURS.v6}/128`, 'dev', stockIface]);
      });

      it('up: fwmark 0xca6c, default routes in table 51820, the rules; pings go through; down removes it all', async () => {
        const name = iface('q');
        // /32 and /128 addresses: the stock peer is reachable only through the default routes.
        const path = tools.config(
          name,
          [
            '[Interface]',
            `PrivateKey = ${ours.privateKey}`,
            `Address = ${OURS.v4}/32, ${OURS.v6}/128`,
            `DNS = ${STOCK.v4}, pdsearch.test`,
            '',
            '[Peer]',
            `PublicKey = ${theirs.publicKey}`,
            'AllowedIPs = 0.0.0.0/0, ::/0',
            `Endpoint = ${endpoint}`,
            '',
          ].join('\n'),
        );
        const up = tools.exec(client, 'wg-quick', ['up', path]);
        expect(up.status, up.stderr).toBe(0);
        expect(up.stderr).toContain(`[#] pathwire ${name}`);
        expectFullTunnel(tools, client, name);
        expect(readFileSync(resolvConf, 'utf8')).toContain(`nameserver ${STOCK.v4}`);
        const ping4 = tools.exec(client, 'ping', ['-c', '3', '-i', '0.2', '-W', '3', STOCK.v4]);
        expect(ping4.stdout).toContain('3 received');
        const ping6 = tools.exec(client, 'ping', ['-6', '-c', '3', '-i', '0.2', '-W', '3', STOCK.v6]);
        expect(ping6.stdout).toContain('3 received');

        const pid = daemonPid(name)!;
        const down = tools.exec(client, 'wg-quick', ['down', path]);
        expect(down.status, down.stderr).toBe(0);
        await waitFor(() => !alive(pid), `pathwire (pid ${pid}) to exit after wg-quick down`, 15_000);
        expect(runtimeFiles(name)).toEqual({ socket: false, pid: false });
        expectNoFullTunnel(tools, client);
        expect(readFileSync(resolvConf, 'utf8')).not.toContain(STOCK.v4);
      });
    });
  },
);
