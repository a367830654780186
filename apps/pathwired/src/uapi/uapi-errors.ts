/**
 * Errors of the WireGuard cross-platform userspace API (https://www.wireguard.com/xplatform/,
 * "Configuration Protocol"): each has a stable `code` and an errno. On the wire the errno is
 * negated, as wireguard-go writes it (`errno=-22`): `wg` reads the set reply with
 * `fscanf("errno=%d")` and sets `errno = -ret` (wireguard-tools `src/ipc-uapi.h`,
 * `userspace_set_device`), so `errno=-98` prints "Address already in use" whereas `errno=98`
 * would print "Unknown error -98".
 */
import { PathwireError } from '@pathwire/errors';

/** Linux errno values the protocol uses. */
export const ERRNO = {
  EIO: 5,
  EINVAL: 22,
  EPROTO: 71,
  EMSGSIZE: 90,
  EOPNOTSUPP: 95,
  EADDRINUSE: 98,
} as const;

export type UapiErrorCode =
  /** A line without `=`, or an operation other than `get=1` / `set=1`. */
  | 'PROTOCOL'
  /** A key that is not part of the protocol (or not valid where it appears). */
  | 'UNKNOWN_KEY'
  /** A known key with a value that does not parse. */
  | 'INVALID_VALUE'
  /** A setting this daemon cannot apply (no hook for it). */
  | 'NOT_SUPPORTED'
  /** The listen port (or fwmark) could not be applied to the sockets. */
  | 'PORT_IN_USE'
  /** A request larger than the server accepts. */
  | 'REQUEST_TOO_LARGE'
  /** The engine threw while applying an already validated transaction (a bug). */
  | 'INTERNAL'
  /** `serveUapi`: another process serves this interface. */
  | 'INTERFACE_IN_USE'
  /** `serveUapi`: not a valid interface name. */
  | 'BAD_INTERFACE_NAME'
  /** `serveUapi`: the socket path exists and is not a socket. */
  | 'PATH_NOT_SOCKET';

const ERRNO_OF: Record<UapiErrorCode, number> = {
  PROTOCOL: ERRNO.EPROTO,
  UNKNOWN_KEY: ERRNO.EINVAL,
  INVALID_VALUE: ERRNO.EINVAL,
  NOT_SUPPORTED: ERRNO.EOPNOTSUPP,
  PORT_IN_USE: ERRNO.EADDRINUSE,
  REQUEST_TOO_LARGE: ERRNO.EMSGSIZE,
  INTERNAL: ERRNO.EIO,
  INTERFACE_IN_USE: ERRNO.EADDRINUSE,
  BAD_INTERFACE_NAME: ERRNO.EINVAL,
  PATH_NOT_SOCKET: ERRNO.EINVAL,
};

const marker = 'pathwire.error.UapiError';
const symbol = Symbol.for(marker);

export class UapiError extends PathwireError<UapiErrorCode> {
  protected readonly [symbol] = true;
  override readonly name: string = 'UapiError';
  /** The (positive) errno; answered as `errno=-N`. */
  readonly errno: number;

  constructor(
    code: UapiErrorCode,
    message: string,
    /** 1-based line of the `set` body the error is about, when there is one. */
    readonly line?: number,
  ) {
    super(code, line === undefined ? message : `line ${line}: ${message}`);
    this.errno = ERRNO_OF[code];
  }

  static override isInstance(error: unknown): error is UapiError {
    return PathwireError.hasMarker(error, marker);
  }
}

/** The status trailer of every reply: `errno=0`, or the errno negated as wireguard-go writes it. */
export function formatErrno(errno: number): string {
  return `errno=${errno === 0 ? 0 : -Math.abs(errno)}\n\n`;
}
