/**
 * The in-band probe reserved for heartbeat-style strategies (RFC "Extend WireGuard to perform
 * measurements"). A probe travels as the plaintext of an ordinary transport data message, so it
 * is authenticated and replay-protected by WireGuard itself. Its first byte has IP version
 * nibble 0, which no IP packet has: a stock peer decrypts it, finds no IPv4/IPv6 header and
 * drops it (wireguard-go: "received packet with unknown IP version"), while a pathwire peer
 * answers it.
 *
 *   byte 0: 0x01 request | 0x02 reply    bytes 1–3: "pwp"    bytes 4–7: probe id (LE)
 *   bytes 8–15: reserved (0)             padded to 16 bytes like any payload
 */

export const PROBE_LENGTH = 16;
export const PROBE_REQUEST = 0x01;
export const PROBE_REPLY = 0x02;
const MAGIC = [0x70, 0x77, 0x70]; // "pwp"

export function writeProbe(kind: typeof PROBE_REQUEST | typeof PROBE_REPLY, id: number): Uint8Array {
  const probe = new Uint8Array(PROBE_LENGTH);
  probe[0] = kind;
  probe.set(MAGIC, 1);
  new DataView(probe.buffer).setUint32(4, id >>> 0, true);
  return probe;
}

/** The probe in a decrypted payload, or undefined when it is not one. */
export function readProbe(payload: Uint8Array): { kind: number; id: number } | undefined {
  if (payload.length < 8 || payload[0]! >> 4 !== 0) return undefined;
  const kind = payload[0]!;
  if (
    (kind !== PROBE_REQUEST && kind !== PROBE_REPLY) ||
    payload[1] !== 0x70 ||
    payload[2] !== 0x77 ||
    payload[3] !== 0x70
  ) {
    return undefined;
  }
  const id = (payload[4]! | (payload[5]! << 8) | (payload[6]! << 16) | (payload[7]! << 24)) >>> 0;
  return { kind, id };
}
