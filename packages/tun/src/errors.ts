/**
 * Errors raised by @pathwire/tun, each with a stable `code`, the errno name when the kernel
 * said no (`errno: 'EPERM'`), and a message in plain words that says what to do.
 */
import { PathwireError } from '@pathwire/errors';
export type TunErrorCode =
  | 'PERMISSION_DENIED'
  | 'NO_TUN_DEVICE'
  | 'NAME_IN_USE'
  | 'INVALID_NAME'
  | 'INVALID_MTU'
  | 'INVALID_ADDRESS'
  | 'INVALID_OPTION'
  | 'NAMESPACE_NOT_FOUND'
  | 'PACKET_TOO_LARGE'
  | 'INVALID_PACKET'
  | 'CLOSED'
  | 'NATIVE_UNAVAILABLE'
  | 'SETUP_FAILED'
  | 'READ_FAILED'
  | 'WRITE_FAILED';

const marker = 'pathwire.error.TunError';
const symbol = Symbol.for(marker);

export class TunError extends PathwireError<TunErrorCode> {
  protected readonly [symbol] = true;
  override readonly name: string = 'TunError';
  constructor(
    code: TunErrorCode,
    message: string,
    /** The errno name (`'EPERM'`, `'EBUSY'`...) when the error came from a system call. */
    readonly errno?: string,
    /** The system call or request that failed (`'TUNSETIFF'`, `'RTM_NEWROUTE'`...). */
    readonly syscall?: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }

  static override isInstance(error: unknown): error is TunError {
    return PathwireError.hasMarker(error, marker);
  }
}

/** The shape of errors thrown by the addon (see native/errno-error.cc). */
interface NativeError {
  readonly code?: string;
  readonly syscall?: string;
  readonly message: string;
  readonly index?: number;
  readonly written?: number;
  readonly length?: number;
}

const CAP_NET_ADMIN_HINT =
  'run as root, or give node CAP_NET_ADMIN (setcap cap_net_admin+ep "$(command -v node)")';

/** Turns an addon error into a TunError; `subject` names the interface or the address involved. */
export function fromNativeError(error: unknown, subject: string): TunError {
  const native = error as NativeError;
  const errno = native.code;
  const syscall = native.syscall;
  const made = (code: TunErrorCode, message: string) =>
    new TunError(code, `${message} [${errno ?? '?'} from ${syscall ?? '?'}]`, errno, syscall, {
      cause: error,
    });
  if (typeof errno !== 'string' || typeof syscall !== 'string') {
    return new TunError('SETUP_FAILED', `${subject}: ${native.message}`, undefined, undefined, {
      cause: error,
    });
  }
  switch (syscall) {
    case 'setns':
      if (errno === 'ENOENT')
        return made('NAMESPACE_NOT_FOUND', `network namespace ${subject} does not exist`);
      if (errno === 'EPERM' || errno === 'EACCES')
        return made(
          'PERMISSION_DENIED',
          `entering network namespace ${subject} needs CAP_SYS_ADMIN: run as root`,
        );
      break;
    case 'open':
      if (errno === 'ENOENT' || errno === 'ENODEV' || errno === 'ENXIO')
        return made(
          'NO_TUN_DEVICE',
          '/dev/net/tun does not exist: load the tun module (modprobe tun), or in a container pass the device in (--device /dev/net/tun)',
        );
      if (errno === 'EPERM' || errno === 'EACCES')
        return made(
          'PERMISSION_DENIED',
          `cannot open /dev/net/tun: permission denied; ${CAP_NET_ADMIN_HINT}`,
        );
      break;
    case 'TUNSETIFF':
      if (errno === 'EPERM' || errno === 'EACCES')
        return made(
          'PERMISSION_DENIED',
          `creating TUN interface ${subject} needs CAP_NET_ADMIN; ${CAP_NET_ADMIN_HINT}`,
        );
      if (errno === 'EBUSY')
        return made('NAME_IN_USE', `interface name ${subject} is already in use by another open TUN`);
      if (errno === 'EINVAL')
        return made(
          'INVALID_NAME',
          `${subject} cannot be a TUN name: longer than 15 bytes, or taken by an interface that is not a TUN`,
        );
      break;
    case 'SIOCSIFMTU':
      if (errno === 'EINVAL') return made('INVALID_MTU', `the kernel rejected the MTU of ${subject}`);
      break;
    case 'write':
      if (errno === 'EMSGSIZE')
        return made(
          'PACKET_TOO_LARGE',
          `cannot write to ${subject}: ${native.message.replace(/^.*\(|\)$/g, '')}`,
        );
      if (errno === 'EINVAL')
        return made(
          'INVALID_PACKET',
          `${subject} refused a packet (empty, or not IPv4/IPv6): ${native.message}`,
        );
      return made('WRITE_FAILED', `writing to ${subject} failed: ${native.message}`);
    case 'read':
      if (errno === 'EBADFD' || errno === 'EBADF')
        return made('READ_FAILED', `reading from ${subject} failed: the interface was removed or closed`);
      return made('READ_FAILED', `reading from ${subject} failed: ${native.message}`);
    case 'use':
      return made('CLOSED', `${subject} is closed`);
  }
  if (errno === 'EPERM' || errno === 'EACCES')
    return made('PERMISSION_DENIED', `${syscall} on ${subject} was denied; ${CAP_NET_ADMIN_HINT}`);
  return made('SETUP_FAILED', `${syscall} on ${subject} failed: ${native.message}`);
}
