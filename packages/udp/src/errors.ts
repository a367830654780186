/**
 * Errors raised by @pathwire/udp, each with a stable `code`, the errno name when the kernel said
 * no (`errno: 'EADDRINUSE'`), the system call, and a message in plain words.
 */

import { constants } from 'node:os';
import { PathwireError } from '@pathwire/errors';

export type UdpErrorCode =
  | 'INVALID_OPTION'
  | 'INVALID_ADDRESS'
  | 'INVALID_PORT'
  | 'DATAGRAM_TOO_LARGE'
  | 'ADDRESS_IN_USE'
  | 'ADDRESS_NOT_AVAILABLE'
  | 'PERMISSION_DENIED'
  | 'FAMILY_UNSUPPORTED'
  | 'CLOSED'
  | 'NATIVE_UNAVAILABLE'
  | 'SOCKET_FAILED'
  | 'READ_FAILED';

const marker = 'pathwire.error.UdpError';
const symbol = Symbol.for(marker);

export class UdpError extends PathwireError<UdpErrorCode> {
  protected readonly [symbol] = true;
  override readonly name: string = 'UdpError';
  constructor(
    code: UdpErrorCode,
    message: string,
    /** The errno name (`'EADDRINUSE'`, `'EACCES'`...) when the error came from a system call. */
    readonly errno?: string,
    /** The system call that failed (`'bind'`, `'recvmmsg'`...). */
    readonly syscall?: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }

  static override isInstance(error: unknown): error is UdpError {
    return PathwireError.hasMarker(error, marker);
  }
}

const ERRNO_NAMES = new Map<number, string>(
  Object.entries(constants.errno).map(([name, value]) => [value, name] as const),
);
// EWOULDBLOCK == EAGAIN and EDEADLOCK == EDEADLK on Linux: prefer the usual names.
ERRNO_NAMES.set(constants.errno.EAGAIN, 'EAGAIN');
ERRNO_NAMES.set(constants.errno.EDEADLK, 'EDEADLK');

/** `'ENETUNREACH'` for 101 (a positive errno), `'errno N'` for an unknown one. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
}

/** The shape of errors thrown by the addon (see native/errno-error.cc). */
interface NativeError {
  readonly code?: string;
  readonly syscall?: string;
  readonly message: string;
}

/** Turns an addon error into a UdpError; `subject` names the socket (`'[::]:51820'`). */
export function fromNativeError(error: unknown, subject: string): UdpError {
  const native = error as NativeError;
  const errno = native.code;
  const syscall = native.syscall;
  const made = (code: UdpErrorCode, message: string) =>
    new UdpError(code, `${message} [${errno ?? '?'} from ${syscall ?? '?'}]`, errno, syscall, {
      cause: error,
    });
  if (typeof errno !== 'string' || typeof syscall !== 'string') {
    return new UdpError('SOCKET_FAILED', `${subject}: ${native.message}`, undefined, undefined, {
      cause: error,
    });
  }
  if (syscall === 'use') return made('CLOSED', `${subject} is closed`);
  switch (errno) {
    case 'EADDRINUSE':
      return made('ADDRESS_IN_USE', `${subject}: the port is already in use by another socket`);
    case 'EADDRNOTAVAIL':
      return made('ADDRESS_NOT_AVAILABLE', `${subject}: no interface of this host has that address`);
    case 'EACCES':
    case 'EPERM':
      return made(
        'PERMISSION_DENIED',
        `${subject}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)`,
      );
    case 'EAFNOSUPPORT':
      return made(
        'FAMILY_UNSUPPORTED',
        `${subject}: this address family is not available (IPv6 disabled in this kernel or namespace?)`,
      );
    case 'EINVAL':
      if (syscall === 'bind') return made('INVALID_ADDRESS', `${subject}: ${native.message}`);
      break;
  }
  if (syscall === 'recvmmsg') return made('READ_FAILED', `reading from ${subject} failed: ${native.message}`);
  return made('SOCKET_FAILED', `${syscall} on ${subject} failed: ${native.message}`);
}
