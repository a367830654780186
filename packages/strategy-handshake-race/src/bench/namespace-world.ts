/**
 * The real-network fail-over setup shared by the namespace tests and the fail-over bench: a stock
 * wireguard-go server in a network namespace reachable from the root namespace through two veth
 * links (each with IPv4 and IPv6), and our engine driven over real UDP sockets (one per family,
 * bound to the wildcard address so both links are reachable) with the handshake-race strategy.
 * Pings through the tunnel are built in JS (ICMP echo), every `intervalMs`.
 *
 * Node only (sockets, processes): not part of the package's browser-safe entry point.
 */
import { createSocket, type Socket } from 'node:dgram';
import { bytesToBase64 } from '@pathwire/crypto';
import { nodeBackend } from '@pathwire/crypto/node';
import { Device, type DeviceEvent } from '@pathwire/engine';
import { buildEcho, INNER, parseEcho } from '@pathwire/interop';
import type { Endpoint, StrategyV1 } from '@pathwire/strategy';
import { type Link, type StockDevice, startWireguardGo, Topology } from '@pathwire/testkit';

export const STOCK_PORT = 51820;

/** Our engine over two real UDP sockets (udp4 on 0.0.0.0, udp6 on ::); send errors go back to the device. */
export class DualStackDriver {
  readonly device: Device;
  readonly events: { at: number; event: DeviceEvent }[] = [];
  readonly sendErrors: { at: number; to: Endpoint; code: string }[] = [];
  private readonly sockets: Record<4 | 6, Socket>;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  onPacket: ((packet: Uint8Array, at: number) => void) | undefined;

  constructor(privateKey: Uint8Array) {
    this.sockets = { 4: createSocket('udp4'), 6: createSocket({ type: 'udp6', ipv6Only: true }) };
    this.device = new Device({
      backend: nodeBackend,
      privateKey,
      wallClock: () => Date.now(),
      io: {
        sendDatagram: (to, bytes) => {
          const socket = this.sockets[to.address.includes(':') ? 6 : 4];
          socket.send(bytes, to.port, to.address, (error) => {
            if (!error || this.closed) return;
            const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
            this.sendErrors.push({ at: Date.now(), to, code });
            this.device.reportSendError(Date.now(), to, code);
            this.schedule(); // the strategy may have started a race or asked for a wake
          });
        },
        writePacket: (packet) => this.onPacket?.(packet, Date.now()),
        event: (event) => this.events.push({ at: Date.now(), event }),
      },
    });
    for (const socket of Object.values(this.sockets)) {
      socket.on('message', (data, info) => {
        if (this.closed) return;
        this.device.receiveDatagram(
          Date.now(),
          { address: info.address, port: info.port },
          new Uint8Array(data),
        );
        this.schedule();
      });
    }
  }

  async start(): Promise<{ port4: number; port6: number }> {
    const bind = (socket: Socket, address: string) =>
      new Promise<number>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(0, address, () => resolve(socket.address().port));
      });
    return { port4: await bind(this.sockets[4], '0.0.0.0'), port6: await bind(this.sockets[6], '::') };
  }

  sendPacket(packet: Uint8Array): void {
    this.device.sendPacket(Date.now(), packet);
    this.schedule();
  }

  run(action: (device: Device, now: number) => void): void {
    action(this.device, Date.now());
    this.schedule();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const socket of Object.values(this.sockets)) socket.close();
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    const at = this.device.nextWake();
    if (at === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.device.tick(Date.now());
        this.schedule();
      },
      Math.max(0, at - Date.now()),
    );
  }
}

/** A ping through the tunnel every `intervalMs`: echo requests built in JS, replies counted. */
export class TunnelPinger {
  readonly sent = new Map<number, number>();
  readonly replies: { seq: number; at: number }[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly driver: DualStackDriver,
    private readonly intervalMs = 100,
    private readonly identifier = 0x7077,
  ) {
    driver.onPacket = (packet, at) => {
      const echo = parseEcho(packet);
      if (echo?.type === 0 && echo.identifier === this.identifier)
        this.replies.push({ seq: echo.sequence, at });
    };
  }

  start(): void {
    const tick = () => {
      this.seq++;
      this.sent.set(this.seq, Date.now());
      this.driver.sendPacket(
        buildEcho({
          source: INNER[4].ours,
          destination: INNER[4].stock,
          type: 8,
          identifier: this.identifier,
          sequence: this.seq & 0xffff,
          payload: new Uint8Array(16),
        }),
      );
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Waits for a reply received after `after` (ms since epoch), or throws after `timeoutMs`. */
  async replyAfter(after: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = this.replies.find((r) => r.at > after);
      if (reply) return reply.at;
      if (Date.now() > deadline) throw new Error(`no ping reply through the tunnel within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** The outage around a fault at `at`: last reply at or before it → first reply after it. */
  outageAround(at: number): { lastBefore: number; firstAfter: number; ms: number } | undefined {
    const before = this.replies.filter((r) => r.at <= at).at(-1);
    const after = this.replies.find((r) => r.at > at);
    if (!before || !after) return undefined;
    return { lastBefore: before.at, firstAfter: after.at, ms: after.at - before.at };
  }
}

export interface FailoverWorld {
  readonly topology: Topology;
  readonly namespace: string;
  readonly links: readonly [Link, Link];
  readonly stock: StockDevice;
  readonly stockPublicKey: Uint8Array;
}

/** The server namespace, two veth links from the root namespace, a stock wireguard-go (no peers yet). */
export async function createFailoverWorld(): Promise<FailoverWorld> {
  const topology = Topology.create();
  try {
    const namespace = topology.namespace('srv');
    const links = [topology.link(null, namespace), topology.link(null, namespace)] as const;
    const stockPrivate = nodeBackend.generateSecretKey();
    const stock = await startWireguardGo(topology, namespace, 'wg', {
      privateKey: bytesToBase64(stockPrivate),
      listenPort: STOCK_PORT,
      addresses: [INNER[4].stockCidr, INNER[6].stockCidr],
      peers: [],
    });
    return { topology, namespace, links, stock, stockPublicKey: nodeBackend.publicKey(stockPrivate) };
  } catch (error) {
    topology.destroy();
    throw error;
  }
}

/** Silently drops everything on the server end of a link, both directions, both families (or undoes it). */
export function blackholeLink(world: FailoverWorld, link: Link, on: boolean): void {
  const ifname = link.b.ifname;
  for (const tool of ['iptables', 'ip6tables']) {
    for (const rule of [
      ['INPUT', '-i', ifname, '-j', 'DROP'],
      ['OUTPUT', '-o', ifname, '-j', 'DROP'],
    ]) {
      world.topology.exec(world.namespace, tool, [on ? '-A' : '-D', ...rule]);
    }
  }
}

export interface Client {
  readonly driver: DualStackDriver;
  readonly pinger: TunnelPinger;
  readonly publicKey: string;
  close(): void;
}

/**
 * A client of the stock server with the given endpoints (in candidate order) and strategy; the
 * stock side learns our endpoint from the handshake, as a server does. Pinging starts at once.
 */
export async function startClient(
  world: FailoverWorld,
  endpoints: readonly Endpoint[],
  strategy: StrategyV1,
  intervalMs = 100,
): Promise<Client> {
  const driver = new DualStackDriver(nodeBackend.generateSecretKey());
  await driver.start();
  const publicKey = bytesToBase64(driver.device.publicKey);
  world.stock.setPeer({ publicKey, allowedIPs: [`${INNER[4].ours}/32`, `${INNER[6].ours}/128`] });
  driver.run((device, now) =>
    device.setPeer(
      {
        publicKey: world.stockPublicKey,
        allowedIPs: [`${INNER[4].stock}/32`, `${INNER[6].stock}/128`],
        endpoints,
        strategy,
      },
      now,
    ),
  );
  const pinger = new TunnelPinger(driver, intervalMs);
  pinger.start();
  return {
    driver,
    pinger,
    publicKey,
    close() {
      pinger.stop();
      driver.close();
      try {
        world.stock.removePeer(publicKey);
      } catch {}
    },
  };
}

/** The active endpoint's address, and the link it belongs to. */
export function activeLink(
  world: FailoverWorld,
  client: Client,
): { address: string; link: Link } | undefined {
  const active = client.driver.device.peer(world.stockPublicKey)?.active?.endpoint.address;
  if (!active) return undefined;
  const link = world.links.find((l) => l.b.ipv4 === active || l.b.ipv6 === active);
  return link ? { address: active, link } : undefined;
}

/**
 * One fail-over: a client with endpoints on both links (IPv4 and IPv6 of each), pinging every
 * 100 ms; once the tunnel is up, the active link is blackholed on the server side; returns the
 * outage (last reply before → first reply after), the link it recovered on, and the device's
 * events from the fault on.
 */
export async function measureFailover(
  world: FailoverWorld,
  strategy: StrategyV1,
  options: { settleMs?: number; timeoutMs?: number } = {},
): Promise<{ outageMs: number; from: string; to: string; events: DeviceEvent[] }> {
  const [l0, l1] = world.links;
  const endpoints = [l0.b.ipv4, l1.b.ipv4, l0.b.ipv6, l1.b.ipv6].map((address) => ({
    address,
    port: STOCK_PORT,
  }));
  const client = await startClient(world, endpoints, strategy);
  let blackholed: Link | undefined;
  try {
    await client.pinger.replyAfter(0, 30_000);
    await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 1_000));
    const before = activeLink(world, client);
    if (!before) throw new Error('no active endpoint on either link');
    blackholed = before.link;
    const at = Date.now();
    blackholeLink(world, blackholed, true);
    await client.pinger.replyAfter(at, options.timeoutMs ?? 20_000);
    const outage = client.pinger.outageAround(at)!;
    const after = activeLink(world, client);
    const events = client.driver.events.filter((e) => e.at >= at).map((e) => e.event);
    return { outageMs: outage.ms, from: before.address, to: after?.address ?? '?', events };
  } finally {
    client.close();
    if (blackholed) blackholeLink(world, blackholed, false);
  }
}
