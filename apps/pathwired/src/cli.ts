/**
 * The `pathwire` command: `up CONFIG`, `down IFACE`, `status [IFACE] [--json]`,
 * `genkey | pubkey | genpsk` (same output as wg's), `oracle IFACE watch|select|probe` (oracle/oracle-cli.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRegistry } from '@pathwire/strategy';
import { loadConfig } from './config/index.js';
import { Daemon } from './daemon.js';
import { isInterfaceName, runInterface } from './interface-mode.js';
import { generatePresharedKey, generatePrivateKey, publicKeyOf } from './keys.js';
import { createLogger, parseLogLevel } from './log.js';
import { ORACLE_USAGE, oracleCommand } from './oracle/oracle-cli.js';
import { runUntilStopped } from './run-daemon.js';
import { interfaceNameFromConfig, pidFilePath, UAPI_DIRECTORY, uapiSocketPath } from './runtime-paths.js';
import { setCommand } from './set-command.js';
import { showconf } from './showconf.js';
import { formatStatus, readStatus } from './status.js';
import { registerStrategies } from './strategies.js';

const USAGE = `Usage: pathwire <command>
  [-f|--foreground] IFACE
                       as wireguard-go: create IFACE with no key and no peers for wg(8) and
                       wg-quick to configure, and detach once wg can talk to it
  up CONFIG [--log-level debug|info|warn|error] [--metrics HOST:PORT]
                       run the interface named after CONFIG (wg0.conf -> wg0) in the foreground
  down IFACE           stop a running interface
  status [IFACE] [--json]
                       peers, strategies and every endpoint with its state and RTT
  set IFACE peer KEY [endpoints A, B, host:port] [strategy NAME [k=v ...]]
                       give a peer (also one added with wg set) several endpoints and a strategy
  showconf IFACE       the running interface in pathwire's config format (every endpoint)
  genkey | pubkey | genpsk
                       keys, exactly as wg(8) prints them
${ORACLE_USAGE}`;

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index < 0) return undefined;
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
  args.splice(index, 2);
  return value;
}

async function up(args: string[]): Promise<number> {
  const log = createLogger(parseLogLevel(option(args, '--log-level')));
  const metrics = option(args, '--metrics');
  const [path, ...rest] = args;
  if (!path || rest.length > 0) throw new Error(`usage: pathwire up CONFIG\n${USAGE}`);
  const iface = interfaceNameFromConfig(path);
  const registry = registerStrategies(createRegistry());
  const config = await loadConfig(path, { strategies: registry.names() });
  if (existsSync(uapiSocketPath(iface)) && existsSync(pidFilePath(iface))) {
    const pid = Number(readFileSync(pidFilePath(iface), 'utf8'));
    if (pid > 0 && isAlive(pid))
      throw new Error(`interface ${iface} is already up (pid ${pid}); run: pathwire down ${iface}`);
  }
  const daemon = await Daemon.start({
    iface,
    config,
    registry,
    log,
    configPath: path,
    ...(metrics ? { metrics } : {}),
  });
  return runUntilStopped(daemon, log);
}

/** Whether `pid` runs (a zombie, exited but not yet reaped by its parent, does not count). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

async function down(args: string[]): Promise<number> {
  const [iface] = args;
  if (!iface) throw new Error('usage: pathwire down IFACE');
  let pid: number;
  try {
    pid = Number(readFileSync(pidFilePath(iface), 'utf8'));
  } catch {
    throw new Error(`interface ${iface} is not up (no ${pidFilePath(iface)})`);
  }
  if (!(pid > 0) || !isAlive(pid)) throw new Error(`interface ${iface} is not running (stale pid file)`);
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < 10_000 && isAlive(pid); waited += 50)
    await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) throw new Error(`pid ${pid} did not stop within 10 s`);
  return 0;
}

async function status(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const names = args.filter((arg) => arg !== '--json');
  const interfaces = names.length
    ? names
    : existsSync(UAPI_DIRECTORY)
      ? readdirSync(UAPI_DIRECTORY)
          .filter((file) => file.endsWith('.sock'))
          .map((file) => file.slice(0, -5))
      : [];
  const statuses = [];
  for (const iface of interfaces) statuses.push(await readStatus(iface));
  process.stdout.write(
    json ? `${JSON.stringify(statuses, null, 2)}\n` : statuses.map(formatStatus).join('\n'),
  );
  return 0;
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'up':
      return up(rest);
    case 'down':
      return down(rest);
    case 'status':
    case 'show':
      return status(rest);
    case 'set': {
      // drop-in (issue 16): run-time multi-endpoint peers.
      const [iface, ...changes] = rest;
      if (!iface)
        throw new Error('usage: pathwire set IFACE peer KEY [endpoints A, B, …] [strategy NAME k=v …]');
      await setCommand(iface, changes, registerStrategies(createRegistry()).names());
      return 0;
    }
    case 'showconf': {
      if (rest.length !== 1) throw new Error('usage: pathwire showconf IFACE');
      process.stdout.write(await showconf(rest[0]!));
      return 0;
    }
    case 'oracle':
      return oracleCommand(rest);
    case 'genkey':
      process.stdout.write(`${generatePrivateKey()}\n`);
      return 0;
    case 'genpsk':
      process.stdout.write(`${generatePresharedKey()}\n`);
      return 0;
    case 'pubkey':
      process.stdout.write(`${publicKeyOf(await readStdin())}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 1 : 0;
    case '-f':
    case '--foreground':
      return runInterface(args);
    default:
      if (isInterfaceName(command) && rest.length === 0) return runInterface(args);
      process.stderr.write(`pathwire: unknown command "${command}"\n${USAGE}\n`);
      return 1;
  }
}
