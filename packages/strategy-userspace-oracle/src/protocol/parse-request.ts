/**
 * One request line → a typed request, or an error naming what is wrong (ORACLE.md §3
 * "Requests"). Pure and total: any string in, never a throw. Unknown fields are refused so a
 * misspelt `leaseMS` is an error, not a silent default.
 */
import {
  DEFAULT_LEASE_MS,
  MAX_ENDPOINTS,
  MAX_LEASE_MS,
  MAX_LINE_BYTES,
  MAX_STATS_MS,
  MIN_LEASE_MS,
  MIN_STATS_MS,
  OPS,
  type OracleError,
  type OracleErrorCode,
  type OracleOp,
  type OracleRequest,
  SELECT_MODES,
  type SelectMode,
} from './messages.js';

export type ParseResult =
  | { readonly ok: true; readonly request: OracleRequest }
  | { readonly ok: false; readonly id: number | null; readonly error: OracleError };

/** A WireGuard public key in base64: 32 bytes → 43 characters and one `=`. */
const PUBLIC_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
const MAX_ENDPOINT_TEXT = 300;

/** The fields each op accepts besides `id` and `op`. */
const FIELDS: Record<OracleOp, readonly string[]> = {
  hello: ['version', 'role'],
  subscribe: ['statsMs'],
  unsubscribe: [],
  select: ['peer', 'endpoint', 'leaseMs', 'mode'],
  release: ['peer'],
  probe: ['peer', 'endpoint'],
  'set-endpoints': ['peer', 'endpoints'],
};

class FieldError {
  constructor(
    readonly code: OracleErrorCode,
    readonly field: string | undefined,
    readonly message: string,
  ) {}
}

/** UTF-8 length of `text` (lone surrogates count 3, as their U+FFFD replacement). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function integer(body: Record<string, unknown>, field: string, min: number, max: number): number {
  const value = body[field];
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max)
    throw new FieldError(
      'BAD_FIELD',
      field,
      `${field}: expected an integer ${min}..${max}, got ${describe(value)}`,
    );
  return value as number;
}

function required(body: Record<string, unknown>, field: string): unknown {
  if (!Object.hasOwn(body, field) || body[field] === undefined)
    throw new FieldError('MISSING_FIELD', field, `${field} is required`);
  return body[field];
}

function publicKey(body: Record<string, unknown>, field = 'peer'): string {
  const value = required(body, field);
  if (typeof value !== 'string' || !PUBLIC_KEY.test(value))
    throw new FieldError(
      'BAD_FIELD',
      field,
      `${field}: expected a base64 public key, got ${describe(value)}`,
    );
  return value;
}

function endpointText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ENDPOINT_TEXT)
    throw new FieldError(
      'BAD_FIELD',
      field,
      `${field}: expected "ip:port", "[ip6]:port" or "host:port", got ${describe(value)}`,
    );
  return value;
}

function parseBody(op: OracleOp, id: number, body: Record<string, unknown>): OracleRequest {
  for (const key of Object.keys(body)) {
    if (key !== 'id' && key !== 'op' && !FIELDS[op].includes(key))
      throw new FieldError(
        'UNKNOWN_FIELD',
        key,
        `${op} has no field "${key.slice(0, 40)}" (fields: ${FIELDS[op].join(', ') || 'none'})`,
      );
  }
  switch (op) {
    case 'hello': {
      required(body, 'version');
      const version = integer(body, 'version', 0, 0xffff);
      const role = body.role ?? 'watcher';
      if (role !== 'writer' && role !== 'watcher')
        throw new FieldError(
          'BAD_FIELD',
          'role',
          `role: expected "writer" or "watcher", got ${describe(role)}`,
        );
      return { id, op, version, role };
    }
    case 'subscribe':
      return {
        id,
        op,
        statsMs:
          body.statsMs === undefined ? undefined : integer(body, 'statsMs', MIN_STATS_MS, MAX_STATS_MS),
      };
    case 'unsubscribe':
      return { id, op };
    case 'select': {
      const peer = publicKey(body);
      const endpoint = endpointText(required(body, 'endpoint'), 'endpoint');
      const leaseMs =
        body.leaseMs === undefined ? DEFAULT_LEASE_MS : integer(body, 'leaseMs', MIN_LEASE_MS, MAX_LEASE_MS);
      const mode = body.mode ?? 'prefer';
      if (!SELECT_MODES.includes(mode as SelectMode))
        throw new FieldError(
          'BAD_FIELD',
          'mode',
          `mode: expected "advise", "prefer" or "pin", got ${describe(mode)}`,
        );
      return { id, op, peer, endpoint, leaseMs, mode: mode as SelectMode };
    }
    case 'release':
      return { id, op, peer: body.peer === undefined ? undefined : publicKey(body) };
    case 'probe':
      return {
        id,
        op,
        peer: publicKey(body),
        endpoint: endpointText(required(body, 'endpoint'), 'endpoint'),
      };
    case 'set-endpoints': {
      const peer = publicKey(body);
      const list = required(body, 'endpoints');
      if (!Array.isArray(list) || list.length > MAX_ENDPOINTS)
        throw new FieldError(
          'BAD_FIELD',
          'endpoints',
          `endpoints: expected an array of at most ${MAX_ENDPOINTS} strings, got ${describe(list)}`,
        );
      const endpoints = list.map((item, i) => endpointText(item, `endpoints[${i}]`));
      return { id, op, peer, endpoints };
    }
  }
}

/** Parses one line (without its newline). Total: never throws. */
export function parseRequest(line: string): ParseResult {
  if (utf8Length(line) > MAX_LINE_BYTES)
    return fail(null, 'LINE_TOO_LONG', undefined, `line longer than ${MAX_LINE_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return fail(null, 'PARSE_ERROR', undefined, `not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail(null, 'BAD_REQUEST', undefined, `a request is a JSON object, got ${describe(value)}`);
  const body = value as Record<string, unknown>;
  const id = body.id;
  if (!Number.isSafeInteger(id) || (id as number) < 0)
    return fail(null, 'BAD_REQUEST', 'id', `id: expected a non-negative integer, got ${describe(id)}`);
  const op = body.op;
  if (op === undefined) return fail(id as number, 'MISSING_FIELD', 'op', 'op is required');
  if (typeof op !== 'string' || !OPS.includes(op as OracleOp))
    return fail(id as number, 'UNKNOWN_OP', 'op', `unknown op ${describe(op)} (ops: ${OPS.join(', ')})`);
  try {
    return { ok: true, request: parseBody(op as OracleOp, id as number, body) };
  } catch (error) {
    if (error instanceof FieldError) return fail(id as number, error.code, error.field, error.message);
    return fail(id as number, 'BAD_REQUEST', undefined, String(error));
  }
}

function fail(
  id: number | null,
  code: OracleErrorCode,
  field: string | undefined,
  message: string,
): ParseResult {
  return { ok: false, id, error: field === undefined ? { code, message } : { code, message, field } };
}
