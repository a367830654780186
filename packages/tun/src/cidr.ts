/**
 * IPv4 / IPv6 prefixes in CIDR notation ("10.0.0.1/24", "fd00::1/64") parsed to network-order
 * bytes for rtnetlink. A bare address means a host prefix (/32 or /128).
 */
import { TunError } from './errors.js';

export interface Cidr {
  readonly family: 4 | 6;
  readonly address: Uint8Array;
  readonly prefixLength: number;
}

function invalid(text: string, why: string): TunError {
  return new TunError('INVALID_ADDRESS', `${JSON.stringify(text)} is not an IP prefix: ${why}`);
}

function parseIPv4(text: string, into: Uint8Array, at: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return false;
    into[at + i] = Number(part);
  }
  return true;
}

function parseIPv6(text: string, into: Uint8Array): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = (half: string | undefined): string[] => (half ? half.split(':') : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const words: number[] = [];
  const push = (list: string[], out: number[]): boolean => {
    for (const [i, group] of list.entries()) {
      if (i === list.length - 1 && group.includes('.')) {
        const v4 = new Uint8Array(4);
        if (!parseIPv4(group, v4, 0)) return false;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(group)) {
        out.push(Number.parseInt(group, 16));
      } else {
        return false;
      }
    }
    return true;
  };
  const tailWords: number[] = [];
  if (!push(head, words) || !push(tail, tailWords)) return false;
  if (halves.length === 1 ? words.length !== 8 : words.length + tailWords.length > 7) return false;
  while (words.length + tailWords.length < 8) words.push(0);
  words.push(...tailWords);
  for (const [i, word] of words.entries()) {
    into[2 * i] = word >> 8;
    into[2 * i + 1] = word & 0xff;
  }
  return true;
}

export function parseCidr(text: string): Cidr {
  const slash = text.indexOf('/');
  const host = slash < 0 ? text : text.slice(0, slash);
  const family = host.includes(':') ? 6 : 4;
  const address = new Uint8Array(family === 6 ? 16 : 4);
  if (!(family === 6 ? parseIPv6(host, address) : parseIPv4(host, address, 0)))
    throw invalid(text, `bad IPv${family} address`);
  const max = family === 6 ? 128 : 32;
  if (slash < 0) return { family, address, prefixLength: max };
  const prefix = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max)
    throw invalid(text, `prefix length must be 0..${max}`);
  return { family, address, prefixLength: Number(prefix) };
}
