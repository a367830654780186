/**
 * The daemon: one interface, driven like wireguard-go. It composes the sans-I/O engine with the
 * real world: a TUN (addresses from `Address`, routes for AllowedIPs unless `Table = off`), UDP
 * sockets on `ListenPort`, a resolver per peer feeding its endpoint set live, the UAPI socket
 * `wg` talks to, all driven by the engine's `RealtimeDriver` (monotonic time, one timer, send
 * errors reported back) through the UDP and TUN ports.
 * Start-up is all-or-nothing: a failure undoes what was done, and `stop()` removes the
 * interface, the socket and the pid file, also after an error.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { nodeBackend } from '@pathwire/crypto/node';
import { Device, type DeviceEvent, type Peer, RealtimeDriver } from '@pathwire/engine';
import { EndpointResolver } from '@pathwire/resolver';
import type { StrategyRegistry } from '@pathwire/strategy';
import { type LinuxTun, openTun } from '@pathwire/tun';
import type { DaemonConfig, PeerSection } from './config/index.js';
import { runHooks } from './hooks.js';
import { type LinkWatch, watchLink } from './link-watch.js';
import type { Logger } from './log.js';
import { formatMetrics, serveMetrics } from './metrics.js';
import { pidFilePath, RUN_DIRECTORY, UAPI_DIRECTORY } from './runtime-paths.js';
import { TunPort } from './tun-port.js';
import { serveUapi, type UapiServer } from './uapi/index.js';
import { UdpSockets } from './udp-sockets.js';

export interface DaemonOptions {
  readonly iface: string;
  readonly config: DaemonConfig;
  readonly registry: StrategyRegistry;
  readonly log: Logger;
  /** `host:port` for Prometheus metrics, if wanted. */
  readonly metrics?: string;
}

export class Daemon {
  readonly device: Device;
  private readonly sockets: UdpSockets;
  private readonly tunPort: TunPort;
  private readonly driver: RealtimeDriver;
  private tun: LinuxTun | undefined;
  private uapi: UapiServer | undefined;
  private metricsServer: Server | undefined;
  private readonly resolvers = new Map<string, EndpointResolver>();
  private stopped = false;
  // ---- drop-in (issue 16): the link watch, and the promise that settles when the daemon stops.
  private linkWatch: LinkWatch | undefined;
  private settle: (reason: string) => void = () => {};
  /** Settles with the reason once the daemon has stopped, whoever stopped it (signal, link deleted, TUN error). */
  readonly finished = new Promise<string>((resolve) => {
    this.settle = resolve;
  });
  // ----
  private hooksDone = { preUp: false, postUp: false };

  private constructor(private readonly options: DaemonOptions) {
    const { config, log } = options;
    this.device = new Device({
      backend: nodeBackend,
      privateKey: config.interface.privateKey,
      mtu: config.interface.mtu ?? 1420,
      wallClock: RealtimeDriver.wallClock,
    });
    this.sockets = new UdpSockets((to, code) => log.debug('send error', { endpoint: to, code }));
    this.tunPort = new TunPort(log);
    this.driver = new RealtimeDriver({
      device: this.device,
      datagrams: this.sockets,
      packets: this.tunPort,
      onEvent: (event) => this.onEvent(event),
    });
  }

  /** Brings the interface up; on any failure everything done so far is undone and the error rethrown. */
  static async start(options: DaemonOptions): Promise<Daemon> {
    const daemon = new Daemon(options);
    try {
      await daemon.bringUp();
      return daemon;
    } catch (error) {
      await daemon.stop('start-up failed');
      throw error;
    }
  }

  private async bringUp(): Promise<void> {
    const { iface, config, log } = this.options;
    if (existsSync(`/sys/class/net/${iface}`)) {
      throw new Error(`interface ${iface} already exists: is it already up? (pathwire down ${iface})`);
    }
    if (config.interface.dns.length > 0) {
      throw new Error(
        'DNS = is not applied by pathwire: remove it and configure the resolver yourself (e.g. resolvectl)',
      );
    }
    const table = config.interface.table ?? 'auto';
    if (typeof table === 'number') throw new Error(`Table = ${table} is not supported: use auto or off`);
    runHooks('PreUp', config.interface.preUp, iface);
    this.hooksDone.preUp = true;

    // drop-in (issue 16): `FwMark =` marks the sockets from the start.
    if (typeof config.interface.fwMark === 'number') this.sockets.mark = config.interface.fwMark;
    const port = await this.sockets.open(config.interface.listenPort ?? 0);
    const routes = table === 'off' ? [] : config.peers.flatMap((peer) => peer.allowedIPs);
    const defaults = routes.filter((route) => route.endsWith('/0'));
    if (defaults.length > 0) {
      // wg-quick installs default routes with fwmark policy routing; pathwire does not (yet).
      log.warn('default routes are not installed: route them yourself (e.g. ip route add ... dev IFACE)', {
        interface: iface,
        allowedIPs: defaults,
      });
    }
    this.tun = openTun({
      name: iface,
      mtu: config.interface.mtu ?? 1420,
      addresses: config.interface.addresses,
      routes: routes.filter((route) => !route.endsWith('/0')),
      batchSize: 128,
    });
    this.tunPort.attach(this.tun);
    // A TUN read error is fatal, as in wireguard-go (RoutineReadFromTUN closes the device): no
    // zombie interface. The link deleted under us shows up here or in the link watch.
    this.tun.onError((error) => {
      log.error('TUN read error', { code: error.code, message: error.message });
      void this.stop(`TUN error (${error.code})`);
    });
    this.linkWatch = watchLink({
      name: this.tun.name,
      ifindex: this.tun.ifindex,
      mtu: this.tun.mtu,
      onDeleted: () => void this.stop('link deleted'),
      onMtu: (mtu) => log.info('link MTU changed', { interface: iface, mtu }),
    });

    this.driver.run((_device, now) => {
      for (const peer of config.peers) this.addPeer(peer, now);
    });

    this.uapi = await serveUapi({
      iface,
      device: this.device,
      now: () => this.driver.now(),
      directory: UAPI_DIRECTORY,
      hooks: {
        listenPort: () => this.sockets.port,
        setListenPort: async (newPort: number) => {
          // Bind the new port first; on failure the old sockets keep working.
          if (newPort !== this.sockets.port || newPort === 0) await this.sockets.reopen(newPort);
        },
        changed: () => this.driver.settle(),
        // drop-in (issue 16): `wg set IFACE fwmark M` marks both UDP sockets (SO_MARK).
        fwmark: () => this.sockets.mark,
        setFwmark: (mark: number) => this.sockets.setMark(mark),
      },
    });
    if (this.options.metrics) {
      this.metricsServer = await serveMetrics(this.options.metrics, () => formatMetrics(this.device, iface));
    }
    await mkdir(RUN_DIRECTORY, { recursive: true, mode: 0o700 });
    await writeFile(pidFilePath(iface), `${process.pid}\n`, { mode: 0o600 });
    runHooks('PostUp', config.interface.postUp, iface);
    this.hooksDone.postUp = true;
    log.info('interface up', {
      interface: iface,
      listenPort: port,
      publicKey: Buffer.from(this.device.publicKey).toString('base64'),
      peers: config.peers.length,
    });
    this.driver.settle();
  }

  private addPeer(section: PeerSection, now: number): void {
    const strategy = this.options.registry.create(section.strategy.name, section.strategy.options);
    const peer = this.device.setPeer(
      {
        publicKey: section.publicKey,
        ...(section.presharedKey ? { presharedKey: section.presharedKey } : {}),
        allowedIPs: section.allowedIPs,
        ...(section.persistentKeepalive !== undefined
          ? { persistentKeepalive: section.persistentKeepalive }
          : {}),
        strategy,
      },
      now,
    );
    if (section.endpoints.length === 0) return;
    const resolver = new EndpointResolver(section.endpoints);
    resolver.on('change', () => this.applyEndpoints(peer, resolver));
    this.resolvers.set(peer.publicKeyText, resolver);
    void resolver.start();
    this.applyEndpoints(peer, resolver);
  }

  private applyEndpoints(peer: Peer, resolver: EndpointResolver): void {
    if (this.stopped) return;
    const endpoints = resolver.endpoints().map(({ address, port }) => ({ address, port }));
    this.driver.run((device, now) => device.setEndpoints(peer, endpoints, now));
    this.options.log.info('endpoints', { peer: peer.publicKeyText, endpoints: endpoints.length });
  }

  private onEvent(event: DeviceEvent): void {
    const log = this.options.log;
    switch (event.type) {
      case 'peer-removed': {
        // Its resolver must not keep polling DNS for a peer that is gone.
        this.resolvers.get(event.peer)?.close();
        this.resolvers.delete(event.peer);
        log.info('peer removed', { peer: event.peer });
        break;
      }
      case 'endpoint-changed':
        log.info('active endpoint changed', { peer: event.peer, from: event.from, to: event.to });
        break;
      case 'handshake-complete':
        log.debug('handshake complete', { peer: event.peer, role: event.role, endpoint: event.endpoint });
        break;
      case 'strategy-error':
        log.warn('strategy error', { peer: event.peer, message: event.message });
        break;
      default:
        log.info(event.type, { peer: event.peer });
    }
  }

  /** Brings everything down; safe to call twice and after a partial start. */
  async stop(reason: string): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const { iface, config, log } = this.options;
    this.driver.close();
    this.linkWatch?.close();
    if (this.hooksDone.postUp) {
      try {
        runHooks('PreDown', config.interface.preDown, iface);
      } catch (error) {
        log.warn('PreDown failed', { message: (error as Error).message });
      }
    }
    for (const resolver of this.resolvers.values()) resolver.close();
    await this.uapi?.close();
    this.metricsServer?.close();
    this.tun?.close();
    this.sockets.close();
    await rm(pidFilePath(iface), { force: true });
    if (this.hooksDone.preUp) {
      try {
        runHooks('PostDown', config.interface.postDown, iface);
      } catch (error) {
        log.warn('PostDown failed', { message: (error as Error).message });
      }
    }
    log.info('interface down', { interface: iface, reason });
    this.settle(reason);
  }
}
