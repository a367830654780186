/**
 * `pathwire oracle IFACE watch [--json] [--stats 5s]`: the event stream, for people (or raw
 * JSON Lines for programs). `pathwire oracle IFACE select PEER ENDPOINT [--lease 30s] [--mode
 * prefer|pin|advise]`: orders a peer onto an endpoint for a lease and holds it (a lease ends
 * when its writer disconnects, ORACLE.md §6): the command returns when the lease lapses, at
 * once with `--lease` reached, or on Ctrl-C. `pathwire oracle IFACE probe PEER ENDPOINT`: one
 * measurement, its RTT printed.
 */
import { OracleClient, type ReceivedEvent, SnapshotAssembler } from '@pathwire/oracle-client';
import { durationOption } from '@pathwire/strategy';
import type { SelectMode } from '@pathwire/strategy-userspace-oracle/protocol';
import { RUN_DIRECTORY } from '../runtime-paths.js';
import { oracleSocketPath } from './oracle-server.js';

export const ORACLE_USAGE = `  oracle IFACE watch [--json] [--stats 5s]
                       print the oracle socket's events (snapshot, active-changed, ...)
  oracle IFACE select PEER ENDPOINT [--lease 30s] [--mode prefer|pin|advise]
                       order PEER onto ENDPOINT and hold the lease until it lapses (or Ctrl-C)
  oracle IFACE probe PEER ENDPOINT
                       measure ENDPOINT (in-band probe, or a handshake for a stock peer)`;

function take(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index < 0) return undefined;
  const value = args[index + 1];
  if (value === undefined) throw new Error(`${name} needs a value`);
  args.splice(index, 2);
  return value;
}

const short = (key: string) => `${key.slice(0, 8)}…`;

/** One line per event, for people. */
export function formatEvent(event: ReceivedEvent, peers?: readonly unknown[]): string {
  const head = `#${event.seq}${event.dropped ? ` (${event.dropped} events lost before this)` : ''}`;
  switch (event.event) {
    case 'snapshot':
      return `${head} snapshot: ${peers ? `${peers.length} peers` : `${event.peers.length} peers (more follow)`}`;
    case 'active-changed':
      return `${head} ${short(event.peer)} active ${event.from ?? '(none)'} -> ${event.to} (${event.cause})`;
    case 'endpoint-state':
      return `${head} ${short(event.peer)} ${event.endpoint} ${event.previous} -> ${event.state}`;
    case 'handshake':
      return `${head} ${short(event.peer)} handshake as ${event.role} via ${event.endpoint}`;
    case 'roam':
      return `${head} ${short(event.peer)} roamed: packets from ${event.endpoint}`;
    case 'probe-result':
      return `${head} ${short(event.peer)} probe ${event.endpoint} (${event.via}): ${event.rttMs === null ? `no answer (${event.error})` : `${event.rttMs} ms`}`;
    case 'advice':
      return `${head} ${short(event.peer)} advice: ${event.endpoint}`;
    case 'lease-ended':
      return `${head} ${short(event.peer)} lease ended (${event.reason}): fallback decides`;
    case 'writer':
      return `${head} writer ${event.connected ? 'connected' : 'gone'}`;
    case 'stats':
      return `${head} ${short(event.peer)} ${event.endpoints.map((e) => `${e.endpoint} ${e.state} rtt ${e.rttMs ?? '-'} loss ${e.loss}`).join('; ')}`;
  }
}

async function watch(path: string, args: string[]): Promise<number> {
  const json = args.includes('--json');
  const statsText = take(args, '--stats');
  const statsMs = statsText === undefined ? undefined : durationOption({ stats: statsText }, 'stats', 0);
  const client = await OracleClient.connect({ path });
  process.once('SIGINT', () => client.close());
  process.once('SIGTERM', () => client.close());
  const snapshots = new SnapshotAssembler();
  for await (const event of client.events(statsMs === undefined ? {} : { statsMs })) {
    if (json) process.stdout.write(`${JSON.stringify(event)}\n`);
    else process.stdout.write(`${formatEvent(event, snapshots.add(event))}\n`);
  }
  return 0;
}

async function select(path: string, args: string[]): Promise<number> {
  const leaseMs = durationOption({ lease: take(args, '--lease') ?? '30s' }, 'lease', 30_000);
  const mode = (take(args, '--mode') ?? 'prefer') as SelectMode;
  const [peer, endpoint, ...rest] = args;
  if (!peer || !endpoint || rest.length) throw new Error(`usage:\n${ORACLE_USAGE}`);
  const client = await OracleClient.connect({ path, role: 'writer', reconnect: false });
  try {
    const reply = await client.select(peer, endpoint, { leaseMs, mode });
    process.stdout.write(`${JSON.stringify(reply)}\n`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, leaseMs);
      const stop = () => {
        clearTimeout(timer);
        resolve();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  } finally {
    client.close();
  }
  return 0;
}

async function probe(path: string, args: string[]): Promise<number> {
  const [peer, endpoint, ...rest] = args;
  if (!peer || !endpoint || rest.length) throw new Error(`usage:\n${ORACLE_USAGE}`);
  const client = await OracleClient.connect({ path, role: 'writer', reconnect: false });
  try {
    const events = client.events();
    const { endpoint: key } = await client.probe(peer, endpoint);
    const deadline = setTimeout(() => client.close(), 5000);
    for await (const event of events) {
      if (event.event !== 'probe-result' || event.peer !== peer || event.endpoint !== key) continue;
      clearTimeout(deadline);
      process.stdout.write(`${JSON.stringify(event)}\n`);
      return event.rttMs === null ? 1 : 0;
    }
    process.stderr.write(`pathwire: no answer to the probe of ${key} within 5 s\n`);
    return 1;
  } finally {
    client.close();
  }
}

export async function oracleCommand(args: string[]): Promise<number> {
  const [iface, command, ...rest] = args;
  if (!iface || !command) throw new Error(`usage:\n${ORACLE_USAGE}`);
  const path = oracleSocketPath(RUN_DIRECTORY, iface);
  switch (command) {
    case 'watch':
      return watch(path, rest);
    case 'select':
      return select(path, rest);
    case 'probe':
      return probe(path, rest);
    default:
      throw new Error(`unknown oracle command "${command}"\nusage:\n${ORACLE_USAGE}`);
  }
}
