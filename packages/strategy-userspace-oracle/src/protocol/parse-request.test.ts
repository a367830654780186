import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fakeWorld, PEER_A } from '../test-support/fake-world.js';
import { OracleHub } from './hub.js';
import { MAX_LINE_BYTES } from './messages.js';
import { parseRequest, utf8Length } from './parse-request.js';

const error = (line: string) => {
  const result = parseRequest(line);
  if (result.ok) throw new Error(`accepted ${line}`);
  return { id: result.id, ...result.error };
};

describe('parseRequest', () => {
  it('reads each op with its defaults', () => {
    expect(parseRequest('{"id":1,"op":"hello","version":1}')).toEqual({
      ok: true,
      request: { id: 1, op: 'hello', version: 1, role: 'watcher' },
    });
    expect(parseRequest('{"id":2,"op":"subscribe","statsMs":1000}')).toMatchObject({
      request: { op: 'subscribe', statsMs: 1000 },
    });
    expect(parseRequest(`{"id":3,"op":"select","peer":"${PEER_A}","endpoint":"192.0.2.1:1"}`)).toMatchObject({
      request: { op: 'select', leaseMs: 30_000, mode: 'prefer' },
    });
    expect(parseRequest(`{"id":4,"op":"probe","peer":"${PEER_A}","endpoint":"192.0.2.1:1"}`).ok).toBe(true);
    expect(parseRequest(`{"id":5,"op":"release"}`)).toMatchObject({ request: { peer: undefined } });
    expect(
      parseRequest(`{"id":6,"op":"set-endpoints","peer":"${PEER_A}","endpoints":["a.example:1"]}`).ok,
    ).toBe(true);
    expect(parseRequest('{"id":7,"op":"unsubscribe"}').ok).toBe(true);
  });

  it('names what is wrong', () => {
    expect(error('{"id":1,')).toMatchObject({ id: null, code: 'PARSE_ERROR' });
    expect(error('[1,2]')).toMatchObject({ id: null, code: 'BAD_REQUEST' });
    expect(error('{"op":"hello"}')).toMatchObject({ id: null, code: 'BAD_REQUEST', field: 'id' });
    expect(error('{"id":-1,"op":"hello"}')).toMatchObject({ code: 'BAD_REQUEST', field: 'id' });
    expect(error('{"id":1}')).toMatchObject({ id: 1, code: 'MISSING_FIELD', field: 'op' });
    expect(error('{"id":1,"op":"teleport"}')).toMatchObject({ id: 1, code: 'UNKNOWN_OP', field: 'op' });
    expect(error('{"id":1,"op":"hello"}')).toMatchObject({ code: 'MISSING_FIELD', field: 'version' });
    expect(error('{"id":1,"op":"hello","version":"1"}')).toMatchObject({
      code: 'BAD_FIELD',
      field: 'version',
    });
    expect(error('{"id":1,"op":"hello","version":1,"role":"boss"}')).toMatchObject({ field: 'role' });
    expect(error('{"id":1,"op":"select","endpoint":"192.0.2.1:1"}')).toMatchObject({
      code: 'MISSING_FIELD',
      field: 'peer',
    });
    expect(error('{"id":1,"op":"select","peer":"not a key","endpoint":"x:1"}')).toMatchObject({
      code: 'BAD_FIELD',
      field: 'peer',
    });
    expect(error(`{"id":1,"op":"select","peer":"${PEER_A}","endpoint":"x:1","leaseMs":5}`)).toMatchObject({
      code: 'BAD_FIELD',
      field: 'leaseMs',
    });
    expect(error(`{"id":1,"op":"select","peer":"${PEER_A}","endpoint":"x:1","leaseMS":500}`)).toMatchObject({
      code: 'UNKNOWN_FIELD',
      field: 'leaseMS',
    });
    expect(error(`{"id":1,"op":"select","peer":"${PEER_A}","endpoint":"x:1","mode":"force"}`)).toMatchObject({
      field: 'mode',
    });
    expect(error(`{"id":1,"op":"select","peer":"${PEER_A}","endpoint":7}`)).toMatchObject({
      field: 'endpoint',
    });
    expect(error(`{"id":1,"op":"set-endpoints","peer":"${PEER_A}","endpoints":["a:1",2]}`)).toMatchObject({
      field: 'endpoints[1]',
    });
    expect(error('{"id":1,"op":"subscribe","statsMs":1}')).toMatchObject({ field: 'statsMs' });
    expect(error('{"id":1,"op":"hello","version":1,"__proto__":{"x":1}}')).toMatchObject({
      code: 'UNKNOWN_FIELD',
      field: '__proto__',
    });
    expect(error(`{"id":1,"op":"hello","version":1,"pad":"${'x'.repeat(MAX_LINE_BYTES)}"}`)).toMatchObject({
      code: 'LINE_TOO_LONG',
    });
  });
});

/** Lines built from valid requests with one part mutated, plus arbitrary strings and JSON. */
const validRequests = [
  { id: 1, op: 'hello', version: 1, role: 'writer' },
  { id: 2, op: 'subscribe', statsMs: 1000 },
  { id: 3, op: 'select', peer: PEER_A, endpoint: '192.0.2.1:51820', leaseMs: 1000, mode: 'pin' },
  { id: 4, op: 'probe', peer: PEER_A, endpoint: '[2001:db8::1]:51820' },
  { id: 5, op: 'set-endpoints', peer: PEER_A, endpoints: ['192.0.2.1:51820', 'h.example:1'] },
  { id: 6, op: 'release', peer: PEER_A },
  { id: 7, op: 'unsubscribe' },
];
const mutatedRequest = fc
  .tuple(
    fc.constantFrom(...validRequests),
    fc.string({ maxLength: 12 }),
    fc.jsonValue({ maxDepth: 2 }),
    fc.boolean(),
  )
  .map(([request, key, value, drop]) => {
    const copy: Record<string, unknown> = { ...request };
    const keys = Object.keys(copy);
    const target = keys[key.length % keys.length]!;
    if (drop) delete copy[target];
    else copy[key.length % 2 ? target : key] = value;
    return JSON.stringify(copy);
  });
const truncated = fc.tuple(fc.constantFrom(...validRequests), fc.nat()).map(([request, cut]) => {
  const text = JSON.stringify(request);
  return text.slice(0, cut % text.length);
});
const anyLine = fc.oneof(
  mutatedRequest,
  truncated,
  fc.constantFrom(...validRequests.map((r) => JSON.stringify(r))),
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
);

describe('fuzzing', () => {
  it('utf8Length agrees with TextEncoder', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.fullUnicodeString({ maxLength: 64 }), fc.string({ unit: 'binary', maxLength: 64 })),
        (text) => {
          expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('parseRequest never throws, and every failure has a code and a message', () => {
    fc.assert(
      fc.property(anyLine, (line) => {
        const result = parseRequest(line);
        if (!result.ok) {
          expect(typeof result.error.code).toBe('string');
          expect(result.error.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('the hub never throws, answers every line exactly once, and an error reply leaves no trace', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(2), anyLine, fc.nat(2000)), { maxLength: 40 }), (script) => {
        const hub = new OracleHub(fakeWorld());
        const connections = [hub.connect(), hub.connect(), hub.connect()];
        let now = 0;
        for (const [which, line, dt] of script) {
          now += dt;
          const c = connections[which]!;
          const leaseBefore = JSON.stringify(hub.lease(PEER_A));
          const writerBefore = hub.hasWriter;
          const effects = hub.receive(c, line, now);
          const out = hub.take(c).map((l) => JSON.parse(l) as Record<string, unknown>);
          const replies = out.filter((l) => 'ok' in l);
          expect(replies).toHaveLength(1);
          if (replies[0]!.ok === false) {
            expect(effects).toEqual([]);
            expect(JSON.stringify(hub.lease(PEER_A))).toBe(leaseBefore);
            expect(hub.hasWriter).toBe(writerBefore);
          }
          hub.tick(now);
          for (const other of connections) hub.take(other);
        }
      }),
      { numRuns: 500 },
    );
  });
});
