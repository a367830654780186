/**
 * Readers for single values of the config file, each mirroring what wg (`config.c`) or
 * wg-quick (`linux.bash`) accepts, stricter where wg would silently do something surprising.
 * They throw `ValueError` (code and reason); the parser adds file, line and key.
 */

import {
  formatIpAddress,
  formatIpPrefix,
  IpPrefixError,
  parseIpAddress,
  parseIpPrefix,
} from '@pathwire/engine';
import { PathwireError } from '@pathwire/errors';
import type { ConfigErrorCode } from './errors.js';
import type { StrategyConfig } from './types.js';

const marker = 'pathwire.error.ValueError';
const symbol = Symbol.for(marker);

export class ValueError extends PathwireError<ConfigErrorCode> {
  protected readonly [symbol] = true;
  override readonly name: string = 'ValueError';

  static override isInstance(error: unknown): error is ValueError {
    return PathwireError.hasMarker(error, marker);
  }
}

const DECIMAL = /^[0-9]+$/;
const HEX = /^0[xX][0-9a-fA-F]+$/;
const UINT32_MAX = 0xffff_ffff;

/** Lowest MTU accepted: RFC 791's 576 (below it even IPv4 hosts are not required to cope). */
export const MIN_MTU = 576;
/** Lowest MTU on an interface with an IPv6 address (RFC 8200 §5). */
export const MIN_MTU_IPV6 = 1280;
export const MAX_MTU = 65535;

/** A decimal integer in `[min, max]`. */
export function readInteger(text: string, min: number, max: number): number {
  if (!DECIMAL.test(text)) throw new ValueError('BAD_NUMBER', `"${text}" is not a decimal number`);
  const n = Number(text);
  if (n < min || n > max) throw new ValueError('OUT_OF_RANGE', `${text} is outside ${min}-${max}`);
  return n;
}

/** `ListenPort`: 0 to 65535 (0: any port). wg also takes service names; pathwire does not. */
export function readListenPort(text: string): number {
  return readInteger(text, 0, 65535);
}

/** `PersistentKeepalive`: `off` (0) or 0 to 65535 seconds, as in wg. */
export function readKeepalive(text: string): number {
  if (text.toLowerCase() === 'off') return 0;
  return readInteger(text, 0, 65535);
}

/** `FwMark`: `off`, or a 32-bit mark in decimal or `0x` hex, as wg's `parse_fwmark`. */
export function readFwMark(text: string): number | 'off' {
  if (text.toLowerCase() === 'off') return 'off';
  if (HEX.test(text)) {
    const n = Number.parseInt(text.slice(2), 16);
    if (n > UINT32_MAX) throw new ValueError('OUT_OF_RANGE', `${text} does not fit in 32 bits`);
    return n;
  }
  if (!DECIMAL.test(text)) {
    throw new ValueError('BAD_NUMBER', `"${text}" is not "off", a decimal number or a 0x hex number`);
  }
  return readInteger(text, 0, UINT32_MAX);
}

/** `Table`: `off`, `auto` or a routing table number (1 to 2^32-1; 0 is "unspecified" on Linux). */
export function readTable(text: string): 'off' | 'auto' | number {
  const lower = text.toLowerCase();
  if (lower === 'off' || lower === 'auto') return lower;
  if (!DECIMAL.test(text))
    throw new ValueError('BAD_NUMBER', `"${text}" is not "off", "auto" or a table number`);
  return readInteger(text, 1, UINT32_MAX);
}

/** `SaveConfig`: `true` or `false`, any case, as wg-quick's `read_bool`. */
export function readBoolean(text: string): boolean {
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new ValueError('BAD_BOOLEAN', `"${text}" is not "true" or "false"`);
}

/** `MTU`: see `MIN_MTU`, `MIN_MTU_IPV6`, `MAX_MTU`. The IPv6 floor is checked once addresses are known. */
export function readMtu(text: string): number {
  return readInteger(text, MIN_MTU, MAX_MTU);
}

/**
 * Splits a comma-separated list into trimmed items. A blank value is an empty list; an empty
 * item between commas is an error (wg would fail on it too).
 */
export function splitList(text: string): string[] {
  if (text === '') return [];
  const items = text.split(',').map((item) => item.trim());
  const empty = items.indexOf('');
  if (empty !== -1) {
    throw new ValueError(
      'EMPTY_VALUE',
      `item ${empty + 1} is empty (two commas in a row, or a trailing comma?)`,
    );
  }
  return items;
}

function ipError(index: number, error: unknown): ValueError {
  const reason = error instanceof IpPrefixError ? error.message : String(error);
  return new ValueError('BAD_ADDRESS', `item ${index + 1}: ${reason}`, { cause: error });
}

/** One `Address` item: the address in canonical text, with its prefix length (not masked). */
export function readInterfaceAddress(item: string, index: number): { text: string; family: 4 | 6 } {
  try {
    const prefix = parseIpPrefix(item);
    const slash = item.indexOf('/');
    const address = parseIpAddress(slash === -1 ? item : item.slice(0, slash));
    return { text: `${formatIpAddress(address.bytes)}/${prefix.bits}`, family: prefix.family };
  } catch (error) {
    throw ipError(index, error);
  }
}

/** One `AllowedIPs` item, canonical and masked, as `wg show` prints it. */
export function readAllowedIp(item: string, index: number): string {
  try {
    return formatIpPrefix(parseIpPrefix(item));
  } catch (error) {
    throw ipError(index, error);
  }
}

/**
 * One `DNS` item. wg-quick counts an item made of digits and dots, or holding a colon, as a
 * server and anything else as a search domain; servers must be IP addresses (kept canonical).
 */
export function readDnsItem(item: string, index: number): string {
  if (!/^[0-9.]+$/.test(item) && !item.includes(':')) {
    if (/\s/.test(item))
      throw new ValueError('BAD_ADDRESS', `item ${index + 1}: "${item}" contains whitespace`);
    return item;
  }
  try {
    return formatIpAddress(parseIpAddress(item).bytes);
  } catch (error) {
    throw ipError(index, error);
  }
}

/** `Strategy = name [key=value ...]`, tokens separated by whitespace. */
export function readStrategy(text: string, known: readonly string[]): StrategyConfig {
  const [name, ...tokens] = text.split(/\s+/);
  if (name === undefined || name === '') throw new ValueError('EMPTY_VALUE', 'empty value');
  if (!known.includes(name)) {
    throw new ValueError(
      'UNKNOWN_STRATEGY',
      `unknown strategy "${name}" (known: ${[...known].sort().join(', ')})`,
    );
  }
  const entries: [string, string][] = [];
  for (const token of tokens) {
    const eq = token.indexOf('=');
    const key = eq === -1 ? token : token.slice(0, eq);
    const value = eq === -1 ? '' : token.slice(eq + 1);
    if (eq === -1 || key === '' || value === '') {
      throw new ValueError(
        'BAD_STRATEGY_OPTION',
        `option "${token}" is not "key=value" (for example head-start=10ms)`,
      );
    }
    if (entries.some(([k]) => k === key)) {
      throw new ValueError('BAD_STRATEGY_OPTION', `option "${key}" given twice`);
    }
    entries.push([key, value]);
  }
  return { name, options: Object.fromEntries(entries) };
}
