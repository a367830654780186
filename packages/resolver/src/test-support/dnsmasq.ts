/**
 * A private dnsmasq for integration tests: its own loopback address (127.x.y.z) and port, its
 * own hosts file (`--addn-hosts`, reloaded on SIGHUP), authoritative NXDOMAIN for `.test`
 * (RFC 6761 §6.2) through `--local=/test/`, no upstream, no /etc/hosts, no config file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** `PATHWIRE_DNSMASQ` (a path) wins; otherwise PATH and the sbin directories. */
export function findDnsmasq(): string | undefined {
  const forced = process.env.PATHWIRE_DNSMASQ;
  if (forced !== undefined) return existsSync(forced) ? forced : undefined;
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (dir && existsSync(join(dir, 'dnsmasq'))) return join(dir, 'dnsmasq');
  }
  return undefined;
}

export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function portIsFree(address: string, port: number): Promise<boolean> {
  const udp = await new Promise<boolean>((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, address, () => socket.close(() => resolve(true)));
  });
  if (!udp) return false;
  return new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, address, () => server.close(() => resolve(true)));
  });
}

export class Dnsmasq {
  readonly #child: ChildProcess;
  readonly #dir: string;
  readonly #hostsFile: string;
  #output = '';
  #exited = false;

  private constructor(
    child: ChildProcess,
    dir: string,
    hostsFile: string,
    readonly address: string,
    readonly port: number,
  ) {
    this.#child = child;
    this.#dir = dir;
    this.#hostsFile = hostsFile;
    child.stdout?.on('data', (chunk: Buffer) => {
      this.#output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#output += chunk.toString();
    });
    child.once('exit', () => {
      this.#exited = true;
    });
  }

  /** `ip:port`, for `servers`. */
  get server(): string {
    return `${this.address}:${this.port}`;
  }

  get output(): string {
    return this.#output;
  }

  /** How many times dnsmasq has (re)read the hosts file. */
  get reads(): number {
    return this.#output.split(`read ${this.#hostsFile}`).length - 1;
  }

  /** How many queries for `name` dnsmasq logged. */
  queries(name: string): number {
    return this.#output
      .split(/\n/)
      .filter((line) => /query\[(A|AAAA)\]/.test(line) && line.includes(` ${name} `)).length;
  }

  static async start(dnsmasqPath: string, hosts: string, ttlSeconds: number): Promise<Dnsmasq> {
    const dir = await mkdtemp(join(tmpdir(), 'pathwire-dnsmasq-'));
    await chmod(dir, 0o755); // dnsmasq drops root privileges before it rereads the file
    const hostsFile = join(dir, 'hosts');
    await writeFile(hostsFile, hosts, { mode: 0o644 });
    let lastError = '';
    for (let attempt = 0; attempt < 8; attempt++) {
      const address = `127.${53 + (attempt % 3)}.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
      const port = 20_000 + Math.floor(Math.random() * 40_000);
      if (!(await portIsFree(address, port))) continue;
      const child = spawn(
        dnsmasqPath,
        [
          '--no-daemon',
          '--conf-file=/dev/null',
          '--no-resolv',
          '--no-hosts',
          '--no-poll',
          `--listen-address=${address}`,
          '--bind-interfaces',
          `--port=${port}`,
          `--addn-hosts=${hostsFile}`,
          `--local-ttl=${ttlSeconds}`,
          '--local=/test/',
          `--pid-file=${join(dir, 'pid')}`,
          '--log-queries',
          '--log-facility=-',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const server = new Dnsmasq(child, dir, hostsFile, address, port);
      try {
        await waitFor('dnsmasq to read its hosts file', () => server.reads > 0 || server.#exited, 5_000);
      } catch (error) {
        await server.close();
        throw error;
      }
      if (!server.#exited) return server;
      lastError = server.output;
      await server.close();
    }
    await rm(dir, { recursive: true, force: true });
    throw new Error(`dnsmasq would not start: ${lastError}`);
  }

  /** Rewrites the hosts file and makes dnsmasq reload it (SIGHUP also clears its cache). */
  async setHosts(hosts: string): Promise<void> {
    const before = this.reads;
    await writeFile(this.#hostsFile, hosts, { mode: 0o644 });
    this.#child.kill('SIGHUP');
    await waitFor('dnsmasq to reload its hosts file', () => this.reads > before);
  }

  /** Freezes the server: queries go unanswered. */
  pause(): void {
    this.#child.kill('SIGSTOP');
  }

  resume(): void {
    this.#child.kill('SIGCONT');
  }

  /** Kills the server (whatever its state) and removes its files. */
  async close(): Promise<void> {
    if (!this.#exited) {
      this.#child.kill('SIGCONT');
      this.#child.kill('SIGKILL');
      await waitFor('dnsmasq to exit', () => this.#exited, 5_000).catch(() => {});
    }
    await rm(this.#dir, { recursive: true, force: true });
  }
}
