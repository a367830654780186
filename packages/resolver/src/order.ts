/**
 * The default candidate order, after Happy Eyeballs Version 2 (RFC 8305 §4, "Sorting of
 * Resolved Destination Addresses"): take `firstFamilyCount` addresses of the preferred family
 * (IPv6 by default), then alternate between the families; when one family runs out, the rest
 * of the other follows. Within a family the input order is kept (configured order, then the
 * order of the DNS answer), since the full RFC 6724 destination sort needs the host's source
 * addresses, which a strategy knows and this package does not.
 *
 * Pure: no `node:` import.
 */

export interface OrderOptions {
  /** The family tried first. Default 6 (RFC 8305 §4, RFC 6724 default policy). */
  readonly preferredFamily?: 4 | 6;
  /** How many of the preferred family before the first of the other (RFC 8305 §4: 1 or 2). Default 1. */
  readonly firstFamilyCount?: number;
}

/**
 * Interleaves candidates by family. Works on anything with a `family`.
 *
 * @example
 * ```ts
 * const order = orderCandidates([
 *   { family: 4, address: '192.0.2.1' },
 *   { family: 4, address: '192.0.2.2' },
 *   { family: 6, address: '2001:db8::1' },
 * ]);
 * order.map((c) => c.address); // ['2001:db8::1', '192.0.2.1', '192.0.2.2']
 * ```
 */
export function orderCandidates<T extends { readonly family: 4 | 6 }>(
  candidates: readonly T[],
  options: OrderOptions = {},
): T[] {
  const preferred = options.preferredFamily ?? 6;
  const firstCount = Math.max(1, Math.floor(options.firstFamilyCount ?? 1));
  const first = candidates.filter((c) => c.family === preferred);
  const second = candidates.filter((c) => c.family !== preferred);
  const out: T[] = first.splice(0, firstCount);
  while (first.length > 0 || second.length > 0) {
    const next = out.length === 0 || out[out.length - 1]!.family === preferred ? second : first;
    const other = next === first ? second : first;
    out.push((next.length > 0 ? next : other).shift()!);
  }
  return out;
}
