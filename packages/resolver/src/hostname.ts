/**
 * Host names as DNS can look them up: RFC 1035 §2.3.1 / RFC 1123 §2.1 (labels of letters,
 * digits and hyphens, 1 to 63 octets, not starting or ending with a hyphen, at most 253
 * octets in all), an optional trailing dot, and internationalised names mapped to their
 * A-label form by the WHATWG URL parser (UTS #46). A name whose last label is all digits is
 * refused (RFC 3696 §2): it is a mistyped IPv4 address, not a name.
 *
 * Canonical form: lower case, A-labels, no trailing dot (names are always absolute here:
 * no search domains are applied).
 *
 * Pure: no `node:` import.
 */

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Underscore labels (`_acme`, `_wireguard`) are legal DNS names even if not host names. */
const LABEL_WITH_UNDERSCORE = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

export type HostnameResult = { ok: true; hostname: string } | { ok: false; reason: string };

/** Validates and canonicalises a host name. */
export function canonicalHostname(text: string): HostnameResult {
  if (text.length === 0) return { ok: false, reason: 'empty host name' };
  let ascii = text.toLowerCase();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is the point.
  if (/[^\x00-\x7f]/.test(ascii)) {
    let mapped: string;
    try {
      mapped = new URL(`http://${ascii}/`).hostname;
    } catch {
      return { ok: false, reason: 'not a valid internationalised host name' };
    }
    ascii = mapped;
  }
  if (ascii.endsWith('.')) ascii = ascii.slice(0, -1);
  if (ascii.length === 0) return { ok: false, reason: 'a host name cannot be just "."' };
  if (ascii.length > 253)
    return { ok: false, reason: `host name is ${ascii.length} characters, at most 253` };
  const labels = ascii.split('.');
  for (const label of labels) {
    if (label.length === 0) return { ok: false, reason: 'empty label (two dots in a row, or a leading dot)' };
    if (label.length > 63) return { ok: false, reason: `label "${label}" is longer than 63 characters` };
    if (!LABEL.test(label) && !LABEL_WITH_UNDERSCORE.test(label)) {
      return { ok: false, reason: `label "${label}" may hold only letters, digits and inner hyphens` };
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) {
    return { ok: false, reason: 'all-numeric top-level label: a mistyped IPv4 address?' };
  }
  return { ok: true, hostname: ascii };
}
