/**
 * The daemon: one interface, driven like wireguard-go. It composes the sans-I/O engine with the
 * real world: a TUN (addresses from `Address`, routes for AllowedIPs unless `Table = off`), UDP
 * sockets on `ListenPort`, a resolver per peer feeding its endpoint set live, the UAPI socket
 * `wg` talks to, one timer for the device's single wake-up, and send errors reported back.
 * Start-up is all-or-nothing: a failure undoes what was done, and `stop()` removes the
 * interface, the socket and the pid file, also after an error.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { nodeBackend } from '@pathwire/crypto/node';
import { Device, type DeviceEvent, type Peer } from '@pathwire/engine';
import { EndpointResolver } from '@pathwire/resolver';
import { parseEndpointList } from '@pathwire/resolver/parse';
import type { StrategyRegistry, StrategyV1 } from '@pathwire/strategy';
import { type LinuxTun, openTun, TunWriteQueue } from '@pathwire/tun';
import type { DaemonConfig, EndpointItem, PeerSection, StrategyConfig } from './config/index.js';
import { readStrategy } from './config/values.js';
import { type AppliedDns, applyDns, dnsUnavailable } from './dns.js';
import { runHooks } from './hooks.js';
import { type LinkWatch, watchLink } from './link-watch.js';
import type { Logger } from './log.js';
import { formatMetrics, serveMetrics } from './metrics.js';
import { automaticMtu } from './mtu.js';
import { type OracleServer, serveOracle } from './oracle/oracle-server.js';
import { type RouteWatch, watchRoutes } from './route-watch.js';
import { installRoutes, type Routing } from './routing.js';
import { pidFilePath, RUN_DIRECTORY, UAPI_DIRECTORY } from './runtime-paths.js';
import { saveConfig, savedConfigText } from './save-config.js';
import { peerConfigLines } from './showconf.js';
import { formatGet, serveUapi, type UapiServer } from './uapi/index.js';
import { UdpSockets } from './udp-sockets.js';

export interface DaemonOptions {
  readonly iface: string;
  readonly config: DaemonConfig;
  readonly registry: StrategyRegistry;
  readonly log: Logger;
  /** The file `up` read, for `SaveConfig = true`. */
  readonly configPath?: string;
  /** `host:port` for Prometheus metrics, if wanted. */
  readonly metrics?: string;
}

export class Daemon {
  readonly device: Device;
  private readonly sockets: UdpSockets;
  private tun: LinuxTun | undefined;
  /** Decrypted packets, written a batch per tick so the TUN's offloads can coalesce them. */
  private tunQueue: TunWriteQueue | undefined;
  private uapi: UapiServer | undefined;
  private oracle: OracleServer | undefined;
  private metricsServer: Server | undefined;
  private readonly resolvers = new Map<string, EndpointResolver>();
  private timer: NodeJS.Timeout | undefined;
  private scheduledFor: number | undefined;
  private stopped = false;
  // ---- drop-in (issue 16): the link watch, and the promise that settles when the daemon stops.
  private linkWatch: LinkWatch | undefined;
  private routing: Routing | undefined;
  private dns: AppliedDns | undefined;
  private routeWatch: RouteWatch | undefined;
  /** Each peer's endpoint list as configured (`pathwire showconf`), and each strategy's config. */
  private readonly endpointItems = new Map<string, readonly EndpointItem[]>();
  private readonly strategyConfigs = new WeakMap<StrategyV1, StrategyConfig>();
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
      wallClock: (now) => now,
      io: {
        sendDatagram: (to, bytes, from) => this.sockets.send(to, bytes, from),
        // A packet the TUN refuses (too large, interface down) is dropped and counted, never
        // thrown: a peer must not be able to crash the daemon.
        writePacket: (packet) => {
          if (this.tunQueue && !this.tunQueue.push(packet)) this.device.recordDrop('tun-refused');
        },
        event: (event) => this.onEvent(event),
      },
    });
    this.sockets = new UdpSockets({
      onDatagram: (source, data, local) => this.device.receiveDatagram(Date.now(), source, data, local),
      onBatchDone: () => this.schedule(),
      onSendError: (to, code) => {
        log.debug('send error', { endpoint: to, code });
        this.device.reportSendError(Date.now(), to, code);
        this.schedule();
      },
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
    // drop-in (issue 16): refuse `DNS =` before anything is applied when it cannot be honoured.
    const dnsProblem = config.interface.dns.length > 0 ? dnsUnavailable() : undefined;
    if (dnsProblem) throw new Error(dnsProblem);
    const table = config.interface.table ?? 'auto';
    runHooks('PreUp', config.interface.preUp, iface);
    this.hooksDone.preUp = true;

    // drop-in (issue 16): `FwMark =` marks the sockets from the start.
    if (typeof config.interface.fwMark === 'number') this.sockets.mark = config.interface.fwMark;
    // drop-in (issue 16): without `MTU =`, wg-quick's computation from the endpoints' routes.
    const mtu =
      config.interface.mtu ??
      automaticMtu(
        config.peers.flatMap((peer) =>
          peer.endpoints.flatMap((item) => (item.kind === 'address' ? [item.address] : [])),
        ),
      );
    this.device.setMtu(mtu);
    this.sockets.setInnerMtu(mtu);
    const port = await this.sockets.open(config.interface.listenPort ?? 0);
    this.tun = openTun({
      name: iface,
      mtu,
      addresses: config.interface.addresses,
      routes: [],
      batchSize: 128,
      // Any MTU the link may be given later (`ip link set IFACE mtu N`) can be read and written.
      maxPacketSize: 65_535,
    });
    this.tunQueue = new TunWriteQueue(this.tun, {
      onRefused: (count, reason) => {
        for (let i = 0; i < count; i++) this.device.recordDrop('tun-refused');
        log.debug('TUN write refused', { packets: count, reason });
      },
    });
    this.tun.onBatch((batch) => {
      const now = Date.now();
      for (let i = 0; i < batch.count; i++) {
        const offset = batch.offsets[i]!;
        this.device.sendPacket(now, batch.buffer.subarray(offset, offset + batch.lengths[i]!));
      }
      this.schedule();
      return true;
    });
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
      onMtu: (linkMtu) => {
        // Padding and the UDP sockets follow the link (the TUN reads and writes any size).
        if (linkMtu < 68) return;
        this.device.setMtu(linkMtu);
        try {
          this.sockets.setInnerMtu(linkMtu);
        } catch (error) {
          log.error('cannot rebind the UDP sockets for the new MTU', { message: (error as Error).message });
          void this.stop('UDP rebind failed');
          return;
        }
        log.info('link MTU changed', { interface: iface, mtu: linkMtu });
      },
    });

    const now = Date.now();
    for (const peer of config.peers) this.addPeer(peer, now);

    // ---- drop-in (issue 16): routes as wg-quick installs them (full tunnel: fwmark policy
    // routing), then DNS; both undone in stop().
    this.routing = installRoutes({
      iface,
      allowedIPs: config.peers.flatMap((peer) => peer.allowedIPs),
      table,
      addresses: config.interface.addresses,
      fwmark: this.sockets.mark,
      setFwmark: (mark) => this.sockets.setMark(mark),
    });
    this.dns = applyDns(iface, config.interface.dns);
    this.routeWatch = watchRoutes(
      () => this.device.clearSourceAddresses(),
      (reason) => log.warn('route changes are not followed (sticky source addresses kept)', { reason }),
    );
    // ----

    this.uapi = await serveUapi({
      iface,
      device: this.device,
      now: () => Date.now(),
      directory: UAPI_DIRECTORY,
      hooks: {
        listenPort: () => this.sockets.port,
        setListenPort: async (newPort: number) => {
          // Bind the new port first; on failure the old sockets keep working.
          if (newPort !== this.sockets.port || newPort === 0) {
            await this.sockets.reopen(newPort);
            // drop-in (issue 16): a new socket, new sources (wireguard-go clears them on rebind).
            this.device.clearSourceAddresses();
          }
        },
        changed: () => this.schedule(),
        // drop-in (issue 16): `wg set IFACE fwmark M` marks both UDP sockets (SO_MARK).
        fwmark: () => this.sockets.mark,
        // Run-time multi-endpoint peers (`pathwire set IFACE peer KEY endpoints … strategy …`).
        planEndpoints: (text: string) => {
          const items = parseEndpointList(text);
          return (publicKey: Uint8Array) => {
            const peer = this.device.peer(publicKey);
            if (peer) this.setEndpointItems(peer, items);
          };
        },
        planStrategy: (text: string) => {
          const chosen = readStrategy(text, this.options.registry.names());
          const strategy = this.options.registry.create(chosen.name, chosen.options);
          this.strategyConfigs.set(strategy, chosen);
          return strategy;
        },
        peerLines: (peer: Peer) => this.peerLines(peer),
        setFwmark: (mark: number) => this.sockets.setMark(mark),
      },
    });
    if (this.options.metrics) {
      this.metricsServer = await serveMetrics(this.options.metrics, () => formatMetrics(this.device, iface));
    }
    await mkdir(RUN_DIRECTORY, { recursive: true, mode: 0o700 });
    this.oracle = await serveOracle({
      iface,
      device: this.device,
      now: () => Date.now(),
      directory: RUN_DIRECTORY,
      setEndpoints: (peer, endpoints) => this.setEndpointItems(peer, parseEndpointList(endpoints.join(', '))),
      changed: () => this.schedule(),
    });
    await writeFile(pidFilePath(iface), `${process.pid}\n`, { mode: 0o600 });
    runHooks('PostUp', config.interface.postUp, iface);
    this.hooksDone.postUp = true;
    log.info('interface up', {
      interface: iface,
      listenPort: port,
      publicKey: Buffer.from(this.device.publicKey).toString('base64'),
      peers: config.peers.length,
    });
    this.schedule();
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
    this.strategyConfigs.set(strategy, section.strategy);
    if (section.endpoints.length > 0) this.setEndpointItems(peer, section.endpoints);
  }

  /** pathwire's extra `get=1` lines for a peer: its endpoint list and strategy as configured. */
  private peerLines(peer: Peer): string[] {
    return peerConfigLines(
      this.endpointItems.get(peer.publicKeyText),
      this.strategyConfigs.get(peer.strategy),
    );
  }

  /** `SaveConfig = true`: the running state back into the file (not after a crash or a failed start). */
  private async saveConfig(reason: string): Promise<void> {
    const { config, configPath, log } = this.options;
    if (!config.interface.saveConfig || !configPath || reason === 'crash' || reason === 'start-up failed')
      return;
    try {
      const reply = formatGet(
        this.device,
        Date.now(),
        { listenPort: this.sockets.port, fwmark: this.sockets.mark },
        (peer) => this.peerLines(peer),
      );
      await saveConfig(configPath, savedConfigText(config, reply, this.tun?.mtu));
      log.info('configuration saved', { file: configPath });
    } catch (error) {
      log.warn('SaveConfig failed', { file: configPath, message: (error as Error).message });
    }
  }

  /**
   * A peer's endpoint set from a list (config `Endpoint`, or `pathwire set … endpoints` at run
   * time): a resolver feeds it live, replacing any earlier one.
   */
  private setEndpointItems(peer: Peer, items: readonly EndpointItem[]): void {
    this.resolvers.get(peer.publicKeyText)?.close();
    this.endpointItems.set(peer.publicKeyText, items);
    const resolver = new EndpointResolver(items);
    resolver.on('change', () => this.applyEndpoints(peer, resolver));
    this.resolvers.set(peer.publicKeyText, resolver);
    void resolver.start();
    this.applyEndpoints(peer, resolver);
  }

  private applyEndpoints(peer: Peer, resolver: EndpointResolver): void {
    if (this.stopped) return;
    const endpoints = resolver.endpoints().map(({ address, port }) => ({ address, port }));
    this.device.setEndpoints(peer, endpoints, Date.now());
    this.options.log.info('endpoints', { peer: peer.publicKeyText, endpoints: endpoints.length });
    this.schedule();
  }

  private onEvent(event: DeviceEvent): void {
    const log = this.options.log;
    this.oracle?.deviceEvent(event);
    switch (event.type) {
      case 'peer-removed': {
        // Its resolver must not keep polling DNS for a peer that is gone.
        this.resolvers.get(event.peer)?.close();
        this.resolvers.delete(event.peer);
        this.endpointItems.delete(event.peer);
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

  /** One timer for the device's single next wake-up. */
  private schedule(): void {
    if (this.stopped) return;
    const at = this.device.nextWake();
    if (at === this.scheduledFor) return;
    clearTimeout(this.timer);
    this.scheduledFor = at;
    if (at === undefined) return;
    this.timer = setTimeout(
      () => {
        this.scheduledFor = undefined;
        this.device.tick(Date.now());
        this.schedule();
      },
      Math.max(0, at - Date.now()),
    );
  }

  /** Brings everything down; safe to call twice and after a partial start. */
  async stop(reason: string): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const { iface, config, log } = this.options;
    clearTimeout(this.timer);
    this.linkWatch?.close();
    this.routeWatch?.close();
    if (this.hooksDone.postUp) {
      try {
        runHooks('PreDown', config.interface.preDown, iface);
      } catch (error) {
        log.warn('PreDown failed', { message: (error as Error).message });
      }
    }
    await this.saveConfig(reason);
    for (const resolver of this.resolvers.values()) resolver.close();
    // drop-in (issue 16): what wg-quick's del_if / unset_dns remove.
    for (const failure of [...(this.routing?.undo() ?? []), this.dns?.undo()])
      if (failure) log.warn('clean-up step failed', { message: failure });
    await this.uapi?.close();
    await this.oracle?.close();
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
