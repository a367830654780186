/**
 * Errors raised by the resolver, each with a stable `code`. Parse errors additionally say
 * which item of the list was wrong and where it starts, so a config loader can point at
 * the exact spot (DESIGN.md: "Errors name the file, line and key").
 */
import { PathwireError } from '@pathwire/errors';
export type ParseErrorCode =
  | 'EMPTY_ITEM'
  | 'MISSING_HOST'
  | 'MISSING_PORT'
  | 'BAD_PORT'
  | 'PORT_OUT_OF_RANGE'
  | 'UNBALANCED_BRACKET'
  | 'IPV6_WITHOUT_BRACKETS'
  | 'BAD_IPV4'
  | 'BAD_IPV6'
  | 'BAD_ZONE'
  | 'INVALID_HOSTNAME'
  | 'UNEXPECTED_WHITESPACE';

export type ResolverErrorCode =
  | ParseErrorCode
  | 'BAD_ADDRESS'
  | 'UNUSABLE_ADDRESS'
  | 'BAD_SERVER'
  | 'BAD_OPTION'
  | 'UNKNOWN_NAME'
  | 'CLOSED';

const marker = 'pathwire.error.ResolverError';
const symbol = Symbol.for(marker);

export class ResolverError extends PathwireError<ResolverErrorCode> {
  protected readonly [symbol] = true;
  override readonly name: string = 'ResolverError';

  static override isInstance(error: unknown): error is ResolverError {
    return PathwireError.hasMarker(error, marker);
  }
}

/** Where an item sits in the list the user wrote. */
export interface ItemPosition {
  /** The item as written, trimmed. */
  readonly item: string;
  /** 0-based position of the item in the comma-separated list. */
  readonly index: number;
  /** 0-based character offset of the item's first character in the whole input. */
  readonly offset: number;
}

/** A syntax error in one item of an endpoint list. */
export class EndpointParseError extends ResolverError implements ItemPosition {
  override readonly name: string = 'EndpointParseError';
  declare readonly code: ParseErrorCode;
  constructor(
    code: ParseErrorCode,
    readonly reason: string,
    readonly item: string,
    readonly index: number,
    readonly offset: number,
  ) {
    super(code, `endpoint item ${index + 1} ${JSON.stringify(item)} (offset ${offset}): ${reason}`);
  }
}

/** A literal endpoint that can never carry traffic (unspecified, multicast, broadcast). */
export class UnusableEndpointError extends ResolverError implements ItemPosition {
  override readonly name: string = 'UnusableEndpointError';
  constructor(
    readonly reason: string,
    readonly item: string,
    readonly index: number,
    readonly offset: number,
  ) {
    super(
      'UNUSABLE_ADDRESS',
      `endpoint item ${index + 1} ${JSON.stringify(item)} (offset ${offset}): ${reason}`,
    );
  }
}
