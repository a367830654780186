/**
 * Checks a scenario definition before anything runs, so a mistake is reported with the scenario
 * and the field that is wrong (`scenario blackhole: faults[1].path: no path "isp3"`), never as a
 * simulator error halfway through a sweep.
 */
import type { LinkSpec, PathChange, ScenarioDefinition } from './types.js';

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

function checkNumber(where: string, value: unknown, min: number, max = Number.POSITIVE_INFINITY): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ScenarioError(`${where}: must be a number in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
}

function checkLink(where: string, link: Partial<LinkSpec> & PathChange): void {
  if (link.rttMs !== undefined) checkNumber(`${where}.rttMs`, link.rttMs, 0);
  if (link.jitterMs !== undefined) checkNumber(`${where}.jitterMs`, link.jitterMs, 0);
  if (link.loss !== undefined) checkNumber(`${where}.loss`, link.loss, 0, 1);
  if (link.rateMbps !== undefined) checkNumber(`${where}.rateMbps`, link.rateMbps, 0);
  if (link.bufferMs !== undefined) checkNumber(`${where}.bufferMs`, link.bufferMs, 0);
  if (link.maxDatagram !== undefined) checkNumber(`${where}.maxDatagram`, link.maxDatagram, 0);
}

/** Throws a `ScenarioError` naming the scenario and the field at fault. */
export function validateScenario(s: ScenarioDefinition): void {
  const at = (field: string) => `scenario ${s.name}: ${field}`;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(s.name))
    throw new ScenarioError(`scenario name ${JSON.stringify(s.name)}: use a-z, 0-9 and -`);
  checkNumber(at('durationMs'), s.durationMs, 1000);
  const clientAddresses = new Set(s.client.flatMap((i) => i.addresses));
  const serverAddresses = new Set(s.server.flatMap((i) => i.addresses));
  const pathNames = new Set<string>();
  for (const [i, p] of s.paths.entries()) {
    const where = at(`paths[${i}]`);
    if (pathNames.has(p.name)) throw new ScenarioError(`${where}.name: duplicate path "${p.name}"`);
    pathNames.add(p.name);
    if (!clientAddresses.has(p.client))
      throw new ScenarioError(`${where}.client: ${p.client} is not a client address`);
    if (!serverAddresses.has(p.server))
      throw new ScenarioError(`${where}.server: ${p.server} is not a server address`);
    if (p.client.includes(':') !== p.server.includes(':'))
      throw new ScenarioError(`${where}: mixes IPv4 and IPv6`);
    checkLink(`${where}.link`, p.link);
    if (p.natTimeoutMs !== undefined) checkNumber(`${where}.natTimeoutMs`, p.natTimeoutMs, 1);
  }
  if (s.endpoints.length === 0) throw new ScenarioError(at('endpoints: at least one endpoint'));
  for (const [i, e] of s.endpoints.entries()) {
    if (!serverAddresses.has(e)) throw new ScenarioError(at(`endpoints[${i}]: ${e} is not a server address`));
  }
  const ifaces = new Set(s.client.map((i) => i.name));
  for (const [i, f] of s.faults.entries()) {
    const where = at(`faults[${i}]`);
    checkNumber(`${where}.at`, f.at, 0, s.durationMs);
    if ('path' in f) {
      if (!pathNames.has(f.path)) throw new ScenarioError(`${where}.path: no path "${f.path}"`);
      checkLink(`${where}.set`, f.set);
    } else if ('iface' in f) {
      if (!ifaces.has(f.iface))
        throw new ScenarioError(`${where}.iface: the client has no interface "${f.iface}"`);
    } else {
      if (!s.dns) throw new ScenarioError(`${where}.dns: the scenario has no dns section`);
      for (const a of f.dns)
        if (!serverAddresses.has(a)) throw new ScenarioError(`${where}.dns: ${a} is not a server address`);
    }
  }
  if (s.dns) checkNumber(at('dns.ttlMs'), s.dns.ttlMs, 1000);
  if (s.clients !== undefined) checkNumber(at('clients'), s.clients, 1, 200);
  if (s.streamSize !== undefined) checkNumber(at('streamSize'), s.streamSize, 48, 1420);
  if (s.load) {
    checkNumber(at('load.rateMbps'), s.load.rateMbps, 0);
    checkNumber(at('load.size'), s.load.size, 48, 1420);
  }
}
