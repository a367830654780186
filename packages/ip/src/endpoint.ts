/**
 * The endpoint shape shared across pathwire (DESIGN.md, "The endpoint model"): a UDP
 * destination, written `IP:port` with RFC 3986 §3.2.2 brackets for IPv6. It is structural, so
 * a strategy or a test can build one as a plain object literal.
 */

/** A UDP destination. `address` is canonical: dotted quad, or RFC 5952 IPv6 with `%zone`. */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

/**
 * The string key of an endpoint: `192.0.2.1:51820`, `[2001:db8::1]:51820`,
 * `[fe80::1%eth0]:51820`. Two endpoints are the same iff their keys are equal, provided their
 * addresses are canonical (see `canonicalAddress`).
 *
 * @example
 * ```ts
 * endpointKey({ address: '2001:db8::1', port: 51820 }); // '[2001:db8::1]:51820'
 * ```
 */
export function endpointKey(endpoint: Endpoint): string {
  return endpoint.address.includes(':')
    ? `[${endpoint.address}]:${endpoint.port}`
    : `${endpoint.address}:${endpoint.port}`;
}
