/**
 * `pathwire set IFACE peer KEY [endpoints A, B, host:port] [strategy NAME [k=v …]] [peer …]`:
 * gives a peer (also one added with `wg set`) the same endpoint set, resolver and strategy as a
 * config peer, through pathwire's UAPI keys `pathwire_endpoints=` and `pathwire_strategy=`. A
 * peer that does not exist yet is created, as `wg set` does. Everything is checked here first,
 * so a refusal names what was wrong; the daemon applies all of it or nothing.
 *
 * @example
 * ```sh
 * pathwire set wg0 peer xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg= \
 *   endpoints 203.0.113.7:51820, [2001:db8::7]:51820, vpn.example.org:51820 strategy handshake-race
 * ```
 */
import { parseEndpointList } from '@pathwire/resolver/parse';
import { parseWgKey } from './config/index.js';
import { readStrategy } from './config/values.js';
import { uapiRequest } from './uapi-client.js';

const KEYWORDS = new Set(['peer', 'endpoints', 'strategy']);

interface PeerChange {
  publicKeyHex: string;
  endpoints?: string;
  strategy?: string;
}

/** The `set=1` request for the arguments after IFACE; throws an Error naming the bad argument. */
export function setRequest(args: readonly string[], strategies: readonly string[]): string {
  const peers: PeerChange[] = [];
  let index = 0;
  const take = (): string => {
    const words: string[] = [];
    while (index < args.length && !KEYWORDS.has(args[index]!)) words.push(args[index++]!);
    return words.join(' ');
  };
  while (index < args.length) {
    const word = args[index++]!;
    if (word === 'peer') {
      const text = args[index++];
      if (text === undefined) throw new Error('peer: needs a public key');
      const key = parseWgKey(text);
      if (!key) throw new Error(`peer: "${text}" is not a WireGuard public key (44 characters of base64)`);
      peers.push({ publicKeyHex: Buffer.from(key).toString('hex') });
      continue;
    }
    const peer = peers.at(-1);
    if (!peer) throw new Error(`"${word}": name a peer first (peer KEY ${word} …)`);
    if (word === 'endpoints') {
      const list = take();
      try {
        parseEndpointList(list);
      } catch (error) {
        throw new Error(`endpoints: ${(error as Error).message}`);
      }
      peer.endpoints = list;
    } else if (word === 'strategy') {
      const text = take();
      try {
        readStrategy(text, strategies);
      } catch (error) {
        throw new Error(`strategy: ${(error as Error).message}`);
      }
      peer.strategy = text;
    } else {
      throw new Error(`unknown argument "${word}" (peer, endpoints, strategy)`);
    }
  }
  if (peers.length === 0)
    throw new Error('nothing to set: pathwire set IFACE peer KEY endpoints … strategy …');
  const lines = ['set=1'];
  for (const peer of peers) {
    lines.push(`public_key=${peer.publicKeyHex}`);
    if (peer.endpoints !== undefined) lines.push(`pathwire_endpoints=${peer.endpoints}`);
    if (peer.strategy !== undefined) lines.push(`pathwire_strategy=${peer.strategy}`);
  }
  return `${lines.join('\n')}\n\n`;
}

export async function setCommand(
  iface: string,
  args: readonly string[],
  strategies: readonly string[],
): Promise<void> {
  const reply = await uapiRequest(iface, setRequest(args, strategies));
  const errno = /errno=(-?\d+)/.exec(reply)?.[1];
  if (errno !== '0') throw new Error(`${iface} refused the change (errno ${errno}); its log says why`);
}
