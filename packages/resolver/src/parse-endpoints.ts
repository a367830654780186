/**
 * Parsing an `Endpoint =` value as users write it: a comma-separated list of `IPv4:port`,
 * `[IPv6]:port`, `[IPv6%zone]:port` (RFC 4007 §11 zone) and `hostname:port`, whitespace
 * around items tolerated. Stock `wg` takes one such item; pathwire takes several (the RFC
 * "Handling multiple endpoints for a single peer", `seeds/000_*.txt`).
 *
 * Only syntax is checked here; nothing is looked up. Every error quotes the item and its
 * position (0-based index, 0-based character offset in the whole input).
 *
 * Pure: no `node:` import.
 */
import { formatAddress, isValidZone, parseAddress, parseIPv4, parseIPv6 } from '@pathwire/ip';
import { EndpointParseError, type ParseErrorCode } from './errors.js';
import { canonicalHostname } from './hostname.js';

interface ItemBase {
  /** The item as written, trimmed. */
  readonly text: string;
  /** 0-based position in the list. */
  readonly index: number;
  /** 0-based character offset of the item in the input. */
  readonly offset: number;
  readonly port: number;
}

/** An item that is an IP literal. `address` is canonical (see `ip-address.ts`). */
export interface AddressItem extends ItemBase {
  readonly kind: 'address';
  readonly address: string;
  readonly family: 4 | 6;
}

/** An item that names a host, to be expanded by DNS. `hostname` is canonical. */
export interface HostnameItem extends ItemBase {
  readonly kind: 'hostname';
  readonly hostname: string;
}

export type EndpointItem = AddressItem | HostnameItem;

const PORT = /^[0-9]+$/;
const WHITESPACE = /\s/;

/**
 * Parses a whole endpoint list. An empty or all-blank input is an empty list; an empty item
 * between commas (or a trailing comma) is an error.
 *
 * @example
 * ```ts
 * const items = parseEndpointList('203.0.113.7:51820, [2001:db8::7]:51820, vpn.example.org:51820');
 * items.map((i) => i.kind); // ['address', 'address', 'hostname']
 * ```
 */
export function parseEndpointList(input: string): EndpointItem[] {
  if (input.trim() === '') return [];
  const items: EndpointItem[] = [];
  let start = 0;
  let index = 0;
  for (;;) {
    const comma = input.indexOf(',', start);
    const end = comma === -1 ? input.length : comma;
    const raw = input.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    items.push(parseItem(raw.trim(), index, start + lead));
    if (comma === -1) return items;
    start = comma + 1;
    index++;
  }
}

/**
 * Parses one endpoint (`IPv4:port`, `[IPv6]:port`, `[IPv6%zone]:port` or `hostname:port`),
 * for callers that take a single one (a UAPI `endpoint=` line, a CLI flag).
 *
 * @example
 * ```ts
 * parseEndpoint('[2001:DB8::7]:51820'); // { kind: 'address', address: '2001:db8::7', port: 51820, ... }
 * ```
 */
export function parseEndpoint(input: string): EndpointItem {
  const lead = input.length - input.trimStart().length;
  return parseItem(input.trim(), 0, lead);
}

function parseItem(text: string, index: number, offset: number): EndpointItem {
  function fail(code: ParseErrorCode, reason: string): never {
    throw new EndpointParseError(code, reason, text, index, offset);
  }
  if (text === '') fail('EMPTY_ITEM', 'empty item (two commas in a row, or a trailing comma?)');
  if (WHITESPACE.test(text)) fail('UNEXPECTED_WHITESPACE', 'whitespace inside an endpoint');

  let host: string;
  let portText: string | undefined;
  let bracketed = false;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) fail('UNBALANCED_BRACKET', '"[" without a matching "]"');
    if (text.indexOf('[', 1) !== -1 || text.indexOf(']', close + 1) !== -1) {
      fail('UNBALANCED_BRACKET', 'more than one pair of brackets');
    }
    host = text.slice(1, close);
    bracketed = true;
    const rest = text.slice(close + 1);
    if (rest === '') fail('MISSING_PORT', 'missing ":port" after "]"');
    if (!rest.startsWith(':')) fail('MISSING_PORT', `expected ":port" after "]", found "${rest}"`);
    portText = rest.slice(1);
  } else {
    if (text.includes(']')) fail('UNBALANCED_BRACKET', '"]" without a matching "["');
    if (text.includes('[')) fail('UNBALANCED_BRACKET', '"[" must start the item');
    const colons = text.split(':').length - 1;
    if (colons > 1) {
      fail('IPV6_WITHOUT_BRACKETS', 'an IPv6 address must be written in brackets: [2001:db8::1]:51820');
    }
    const colon = text.indexOf(':');
    host = colon === -1 ? text : text.slice(0, colon);
    portText = colon === -1 ? undefined : text.slice(colon + 1);
  }

  if (host === '') fail('MISSING_HOST', 'missing address or host name before ":port"');
  if (portText === undefined) fail('MISSING_PORT', 'missing ":port" (for example ":51820")');
  if (portText === '') fail('MISSING_PORT', 'empty port after ":"');
  if (!PORT.test(portText)) fail('BAD_PORT', `port "${portText}" is not a decimal number`);
  const port = Number(portText);
  if (port < 1 || port > 65535) fail('PORT_OUT_OF_RANGE', `port ${portText} is outside 1-65535`);

  if (bracketed) {
    const percent = host.indexOf('%');
    const bare = percent === -1 ? host : host.slice(0, percent);
    if (percent !== -1 && !isValidZone(host.slice(percent + 1))) {
      fail('BAD_ZONE', `zone "${host.slice(percent + 1)}" is not an interface name or index`);
    }
    if (!parseIPv6(bare)) {
      const hint = parseIPv4(bare) ? ' (brackets are for IPv6 only)' : '';
      fail('BAD_IPV6', `"${bare}" is not an IPv6 address${hint}`);
    }
    const parsed = parseAddress(host)!;
    return {
      kind: 'address',
      text,
      index,
      offset,
      port,
      address: formatAddress(parsed),
      family: parsed.family,
    };
  }
  if (/^[0-9]+(?:\.[0-9]*)*$/.test(host)) {
    const v4 = parseIPv4(host);
    if (!v4)
      fail('BAD_IPV4', `"${host}" is not a dotted-quad IPv4 address (four numbers 0-255, no leading zeros)`);
    return { kind: 'address', text, index, offset, port, address: Array.from(v4).join('.'), family: 4 };
  }
  if (host.includes('%')) fail('BAD_ZONE', 'a "%zone" is only allowed on a bracketed IPv6 address');
  const name = canonicalHostname(host);
  if (!name.ok) fail('INVALID_HOSTNAME', name.reason);
  return { kind: 'hostname', text, index, offset, port, hostname: name.hostname };
}
