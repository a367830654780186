/**
 * `pathwire up CONFIG` does what wg-quick does, in namespaces against a stock wireguard-go: a
 * full tunnel (AllowedIPs = 0.0.0.0/0, ::/0) through fwmark policy routing, `DNS =` through
 * resolvconf (answered by a real dnsmasq on the far side of the tunnel), hooks with %i, the MTU
 * computed like wg-quick's and followed after `ip link set mtu`, `Table = N`; and all of it
 * removed when it stops, also when the start fails.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  describeWith,
  namespaceCapability,
  startWireguardGo,
  Topology,
  waitFor,
  wgKeyPair,
} from '@pathwire/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
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

const STOCK = { v4: '203.0.113.249', v6: 'fd00:7077:ffff::f9' };
const OURS = { v4: '203.0.113.250', v6: 'fd00:7077:ffff::fa' };
const RECORD = '198.51.100.177';

describeWith(
  namespaceCapability([
    'wireguard-go',
    'wg',
    'ping',
    'iptables-restore',
    'resolvconf',
    'dnsmasq',
    'getent',
    'iperf3',
    'ss',
  ]),
  'pathwire up: a full tunnel as wg-quick makes it, against wireguard-go',
  () => {
    let topology: Topology;
    let client: string;
    let server: string;
    let tools: ReturnType<typeof dropIn>;
    let resolvConf: string;
    let endpoint = '';
    let stockIface = '';
    const names: string[] = [];
    const ours = wgKeyPair();
    const theirs = wgKeyPair();

    beforeAll(async () => {
      topology = Topology.create();
      client = topology.namespace('pdfc');
      server = topology.namespace('pdfs');
      tools = dropIn(topology);
      resolvConf = privateResolvConf(topology, client);
      const link = topology.link(client, server);
      endpoint = `${link.b.ipv4}:51820`;
      await startWireguardGo(topology, server, 'pdfw', {
        privateKey: theirs.privateKey,
        listenPort: 51820,
        addresses: [`${STOCK.v4}/32`, `${STOCK.v6}/128`],
        peers: [{ publicKey: ours.publicKey, allowedIPs: [`${OURS.v4}/32`, `${OURS.v6}/128`] }],
      });
      stockIface = topology.name('pdfw');
      topology.exec(server, 'ip', ['route', 'add', `${OURS.v4}/32`, 'dev', stockIface]);
      topology.exec(server, 'ip', ['-6', 'route', 'add', `${OURS.v6}/128`, 'dev', stockIface]);
      // A real resolver on the far side of the tunnel, answering one name.
      topology.spawn(server, 'dnsmasq', [
        '--keep-in-foreground',
        '--no-resolv',
        '--no-hosts',
        '--bind-interfaces',
        `--listen-address=${STOCK.v4}`,
        `--address=/pathwire.test/${RECORD}`,
        '--pid-file',
      ]);
    });
    afterAll(async () => {
      try {
        for (const name of names) await stopIfRunning(name);
      } finally {
        topology?.destroy();
      }
    });

    function configFor(name: string, lines: readonly string[], peer: readonly string[]): string {
      return tools.config(
        name,
        [
          '[Interface]',
          `PrivateKey = ${ours.privateKey}`,
          ...lines,
          '',
          '[Peer]',
          `PublicKey = ${theirs.publicKey}`,
          `Endpoint = ${endpoint}`,
          ...peer,
          '',
        ].join('\n'),
      );
    }

    async function up(name: string, path: string) {
      names.push(name);
      const child = topology.spawn(client, 'pathwire', ['up', path, '--log-level', 'debug'], {
        env: tools.env,
      });
      await waitFor(() => runtimeFiles(name).pid || child.exitCode !== null, `${name} to come up`, 20_000);
      if (child.exitCode !== null) throw new Error(`pathwire up exited ${child.exitCode}: ${child.log()}`);
      return child;
    }

    it('routes everything through the tunnel, resolves through it, follows the MTU; SIGTERM undoes it all', async () => {
      const name = topology.name('pdf1');
      const marker = join(tools.dir, 'hook');
      const path = configFor(
        name,
        [
          `Address = ${OURS.v4}/32, ${OURS.v6}/128`,
          `DNS = ${STOCK.v4}, pdsearch.test`,
          `PostUp = echo up %i > ${marker}`,
          `PostDown = echo down %i > ${marker}`,
        ],
        ['AllowedIPs = 0.0.0.0/0, ::/0'],
      );
      const child = await up(name, path);
      expectFullTunnel(tools, client, name);
      expect(readFileSync(marker, 'utf8')).toBe(`up ${name}\n`);
      expect(readFileSync(resolvConf, 'utf8')).toContain(`nameserver ${STOCK.v4}`);
      expect(readFileSync(resolvConf, 'utf8')).toContain('search pdsearch.test');

      expect(tools.exec(client, 'ping', ['-c', '3', '-i', '0.2', '-W', '3', STOCK.v4]).stdout).toContain(
        '3 received',
      );
      expect(
        tools.exec(client, 'ping', ['-6', '-c', '3', '-i', '0.2', '-W', '3', STOCK.v6]).stdout,
      ).toContain('3 received');
      // The name is answered by dnsmasq, reached through the tunnel by the full-tunnel routes.
      expect(tools.exec(client, 'getent', ['ahostsv4', 'pathwire.test']).stdout).toContain(RECORD);

      // MTU raised at run time on both sides: 8000-byte pings that may not fragment go through.
      expect(
        tools.exec(client, 'ping', ['-c', '1', '-W', '2', '-s', '8000', '-M', 'do', STOCK.v4]).status,
      ).not.toBe(0);
      tools.exec(server, 'ip', ['link', 'set', stockIface, 'mtu', '9000']);
      expect(tools.exec(client, 'ip', ['link', 'set', name, 'mtu', '9000']).status).toBe(0);
      await waitFor(
        () =>
          tools.exec(client, 'ping', ['-c', '1', '-W', '2', '-s', '8000', '-M', 'do', STOCK.v4]).status === 0,
        '8000-byte pings after raising the MTU',
        20_000,
      ).catch((error) => {
        throw new Error(
          `${(error as Error).message}\n${child.log()}\n${tools.exec(server, 'wg', ['show']).stdout}`,
        );
      });
      expect(
        tools.exec(client, 'ping', ['-c', '3', '-i', '0.2', '-W', '3', '-s', '8000', '-M', 'do', STOCK.v4])
          .stdout,
      ).toContain('3 received');
      // As the kernel's netns.sh: a flood ping and a TCP transfer at the raised MTU (outcomes only).
      const flood = tools.exec(client, 'ping', ['-f', '-c', '100', '-W', '3', '-s', '8000', STOCK.v4]);
      expect(flood.status, flood.stderr).toBe(0);
      const iperfServer = topology.spawn(server, 'iperf3', ['-s', '-1', '-B', STOCK.v4]);
      await waitFor(
        () =>
          iperfServer.exitCode !== null ||
          tools.exec(server, 'ss', ['-ltn']).stdout.includes(`${STOCK.v4}:5201`),
        'iperf3 to listen',
        20_000,
      );
      const iperf = tools.exec(client, 'iperf3', ['-c', STOCK.v4, '-t', '2', '--json']);
      expect(iperf.status, iperf.stderr).toBe(0);
      expect(JSON.parse(iperf.stdout).end.sum_received.bytes).toBeGreaterThan(0);
      tools.exec(server, 'ip', ['link', 'set', stockIface, 'mtu', '1420']);

      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(runtimeFiles(name)).toEqual({ socket: false, pid: false });
      expectNoFullTunnel(tools, client);
      expect(readFileSync(resolvConf, 'utf8')).not.toContain(STOCK.v4);
      expect(readFileSync(marker, 'utf8')).toBe(`down ${name}\n`);
      expect(tools.exec(client, 'iptables-save', []).stdout).not.toContain(`pathwire rule for ${name}`);
    });

    it('Table = N puts the routes into table N only; SaveConfig = true writes the running state back', async () => {
      const name = topology.name('pdf2');
      const path = configFor(
        name,
        [`Address = ${OURS.v4}/32`, 'Table = 1234', 'SaveConfig = true'],
        [`AllowedIPs = ${STOCK.v4}/32`],
      );
      const child = await up(name, path);
      expect(tools.exec(client, 'ip', ['route', 'show', 'table', '1234']).stdout).toContain(
        `${STOCK.v4} dev ${name}`,
      );
      expect(tools.exec(client, 'ip', ['route', 'show', 'table', 'main']).stdout).not.toContain(name);
      // Changed at run time, so only SaveConfig can have put it into the file.
      const added = wgKeyPair();
      expect(
        tools.exec(client, 'wg', ['set', name, 'peer', added.publicKey, 'allowed-ips', '203.0.113.236/32'])
          .status,
      ).toBe(0);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const saved = readFileSync(path, 'utf8');
      expect(saved).toContain(`PublicKey = ${added.publicKey}`);
      expect(saved).toContain('AllowedIPs = 203.0.113.236/32');
      expect(saved).toContain(`PrivateKey = ${ours.privateKey}`);
      expect(saved).toContain(`Address = ${OURS.v4}/32`);
      expect(saved).toContain('Table = 1234');
      expect(saved).toContain('SaveConfig = true');
      // And it is a config pathwire starts from again.
      const again = await up(name, path);
      expect(tools.exec(client, 'wg', ['show', name, 'peers']).stdout).toContain(added.publicKey);
      const stopped = new Promise<number | null>((resolve) => again.once('exit', resolve));
      again.kill('SIGTERM');
      expect(await stopped).toBe(0);
    });

    it('MTU = 576 and MTU = 65535 both carry pings as large as the MTU allows, in both directions', async () => {
      for (const [suffix, mtu, size] of [
        ['pdf4', 576, 548],
        ['pdf5', 65535, 60000],
      ] as const) {
        const name = topology.name(suffix);
        const path = configFor(
          name,
          [`Address = ${OURS.v4}/32`, `MTU = ${mtu}`],
          [`AllowedIPs = ${STOCK.v4}/32`],
        );
        const child = await up(name, path);
        tools.exec(server, 'ip', ['link', 'set', stockIface, 'mtu', String(mtu)]);
        try {
          expect(tools.exec(client, 'ip', ['link', 'show', name]).stdout).toContain(`mtu ${mtu}`);
          const ping = tools.exec(client, 'ping', [
            '-c',
            '2',
            '-i',
            '0.3',
            '-W',
            '5',
            '-s',
            String(size),
            STOCK.v4,
          ]);
          expect(ping.stdout, ping.stderr).toContain('2 received');
          const back = tools.exec(server, 'ping', [
            '-c',
            '2',
            '-i',
            '0.3',
            '-W',
            '5',
            '-s',
            String(size),
            OURS.v4,
          ]);
          expect(back.stdout, back.stderr).toContain('2 received');
          expect(child.exitCode).toBeNull();
        } finally {
          tools.exec(server, 'ip', ['link', 'set', stockIface, 'mtu', '1420']);
        }
        const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      }
    });

    it('a failed start leaves no interface, rule, DNS entry or socket behind', async () => {
      const name = topology.name('pdf3');
      names.push(name);
      const path = configFor(
        name,
        [`Address = ${OURS.v4}/32`, `DNS = ${STOCK.v4}`, 'PostUp = false'],
        ['AllowedIPs = 0.0.0.0/0'],
      );
      const result = tools.exec(client, 'pathwire', ['up', path]);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('PostUp command failed');
      expect(tools.exec(client, 'ip', ['link', 'show', name]).status).not.toBe(0);
      expect(tools.exec(client, 'ip', ['rule']).stdout).not.toContain('fwmark');
      expect(readFileSync(resolvConf, 'utf8')).not.toContain(STOCK.v4);
      expect(runtimeFiles(name)).toEqual({ socket: false, pid: false });
      const pid = daemonPid(name);
      expect(pid === undefined || !alive(pid)).toBe(true);
      expect(existsSync(`/var/run/wireguard/${name}.sock`)).toBe(false);
    });
  },
);
