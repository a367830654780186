/**
 * Errors of the config loader, with stable codes. Every message starts with `file:line:`
 * (line 0 when the problem is the whole file), then `Key: ` when the line holds a key known
 * in its section, so that a user can jump to the spot (DESIGN.md: "Errors name the file,
 * line and key").
 */
import { PathwireError } from '@pathwire/errors';

export type ConfigErrorCode =
  /** A line that is neither `Key = Value`, a `[Section]` header, a comment nor blank. */
  | 'SYNTAX'
  | 'UNKNOWN_SECTION'
  | 'UNKNOWN_KEY'
  /** A key before the first section header. */
  | 'KEY_OUTSIDE_SECTION'
  /** `[Peer]` before `[Interface]`. */
  | 'INTERFACE_NOT_FIRST'
  /** A second `[Interface]`. */
  | 'DUPLICATE_SECTION'
  /** A single-valued key written twice in one section. */
  | 'DUPLICATE_KEY'
  /** No `[Interface]` at all. */
  | 'MISSING_INTERFACE'
  /** A required key (`PrivateKey`, `PublicKey`) missing from its section. */
  | 'MISSING_KEY'
  /** Two peers with the same public key. */
  | 'DUPLICATE_PEER'
  | 'EMPTY_VALUE'
  /** A key that is not 32 bytes of canonical base64. */
  | 'BAD_KEY'
  | 'BAD_NUMBER'
  | 'OUT_OF_RANGE'
  | 'BAD_BOOLEAN'
  /** An `Address`, `AllowedIPs` or `DNS` entry that is not an IP address or prefix. */
  | 'BAD_ADDRESS'
  | 'BAD_ENDPOINT'
  | 'UNKNOWN_STRATEGY'
  | 'BAD_STRATEGY_OPTION'
  /** `loadConfig` could not read the file. */
  | 'READ_FAILED';

export interface ConfigErrorInit {
  file: string;
  /** 1-based; 0 for the whole file. */
  line: number;
  /** The key concerned, canonically spelled when known, as written otherwise. */
  key?: string;
  /** Whether the message names the key before the reason (`Key: reason`). */
  keyPrefix?: boolean;
  cause?: unknown;
}

const marker = 'pathwire.error.ConfigError';
const symbol = Symbol.for(marker);

export class ConfigError extends PathwireError<ConfigErrorCode> {
  protected readonly [symbol] = true;
  override readonly name: string = 'ConfigError';
  readonly file: string;
  readonly line: number;
  readonly key: string | undefined;
  /** The message without the `file:line: Key: ` part. */
  readonly reason: string;

  constructor(code: ConfigErrorCode, reason: string, init: ConfigErrorInit) {
    const where = init.line > 0 ? `${init.file}:${init.line}` : init.file;
    const key = init.key !== undefined && init.keyPrefix !== false ? `${init.key}: ` : '';
    super(code, `${where}: ${key}${reason}`, { cause: init.cause });
    this.file = init.file;
    this.line = init.line;
    this.key = init.key;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is ConfigError {
    return PathwireError.hasMarker(error, marker);
  }
}
