/** The cookie mechanism under load (whitepaper §5.3, §5.4.7): cookie replies, mac2, expiry and rotation. */
import { bytesToHex, isAllZero } from '@pathwire/crypto';
import { describe, expect, it } from 'vitest';
import {
  COOKIE_REFRESH_TIME_MS,
  CookieChecker,
  consumeCookieReply,
  consumeInitiation,
  consumeResponse,
  createResponse,
  messageType,
} from './index.js';
import {
  backends,
  INITIATOR_INDEX,
  initiate,
  makePair,
  type Pair,
  RESPONDER_INDEX,
} from './test-support/fixtures.js';

const SOURCE = Uint8Array.from([192, 0, 2, 1, 0xca, 0x6c]); // 192.0.2.1:51820
const OTHER_SOURCE = Uint8Array.from([192, 0, 2, 1, 0xca, 0x6d]); // same host, another port
const T = 1_000_000; // the callers' monotonic clock, ms

const mac2Of = (message: Uint8Array) => message.subarray(message.length - 16);

/** A responder under load answers an initiation with a cookie reply; the initiator stores the cookie. */
function getCookie(pair: Pair, checker: CookieChecker, now: number, step = 1): Uint8Array {
  const first = initiate(pair, step, now);
  expect(isAllZero(mac2Of(first))).toBe(true);
  expect(checker.verifyMac2(first, SOURCE, now)).toBe(false);
  const reply = checker.createReply(first, SOURCE, now);
  expect(reply).toHaveLength(64);
  expect(messageType(reply)).toBe(3);
  expect(new DataView(reply.buffer).getUint32(4, true)).toBe(INITIATOR_INDEX);
  const consumed = consumeCookieReply(reply, { lookupIndex: pair.lookupIndex, now });
  if (!consumed.ok) throw consumed.error;
  expect(consumed.peer).toBe(pair.atInitiator);
  expect(pair.atInitiator.cookie).toHaveLength(16);
  return reply;
}

describe.each(backends)('cookies on the $name backend', (backend) => {
  it('full flow: no mac2 -> cookie reply -> the next initiation carries a mac2 valid for that source only', () => {
    const pair = makePair(backend);
    const checker = new CookieChecker(pair.responder);
    getCookie(pair, checker, T);
    const second = initiate(pair, 2, T + 1000);
    expect(isAllZero(mac2Of(second))).toBe(false);
    expect(checker.verifyMac2(second, SOURCE, T + 1000)).toBe(true);
    expect(checker.verifyMac2(second, OTHER_SOURCE, T + 1000)).toBe(false);
    // The initiation is still an ordinary one for the handshake.
    expect(consumeInitiation(pair.responder, second, { lookupPeer: pair.lookupPeer, now: T + 1000 }).ok).toBe(
      true,
    );
    // Any change to the message invalidates mac2 (it covers everything before it, mac1 included).
    for (const offset of [0, 4, 8, 100, 120, 140]) {
      const tampered = Uint8Array.from(second);
      tampered[offset]! ^= 1;
      expect(checker.verifyMac2(tampered, SOURCE, T + 1000), `byte ${offset}`).toBe(false);
    }
  });

  it('a cookie is used for 120 s after it arrived, and not at or after 120 s (mac2 zero)', () => {
    const pair = makePair(backend);
    const checker = new CookieChecker(pair.responder);
    getCookie(pair, checker, T);
    const fresh = initiate(pair, 2, T + COOKIE_REFRESH_TIME_MS - 1);
    expect(isAllZero(mac2Of(fresh))).toBe(false);
    const stale = initiate(pair, 3, T + COOKIE_REFRESH_TIME_MS);
    expect(isAllZero(mac2Of(stale))).toBe(true);
    const older = initiate(pair, 4, T + 10 * COOKIE_REFRESH_TIME_MS);
    expect(isAllZero(mac2Of(older))).toBe(true);
  });

  it("the checker's secret rotates after 120 s: an old cookie's mac2 no longer verifies", () => {
    const pair = makePair(backend);
    const checker = new CookieChecker(pair.responder);
    getCookie(pair, checker, T); // the secret is created at T
    const withMac2 = initiate(pair, 2, T + 1000);
    expect(checker.verifyMac2(withMac2, SOURCE, T + COOKIE_REFRESH_TIME_MS - 1)).toBe(true);
    expect(checker.verifyMac2(withMac2, SOURCE, T + COOKIE_REFRESH_TIME_MS)).toBe(false);
    expect(checker.verifyMac2(withMac2, SOURCE, T + COOKIE_REFRESH_TIME_MS + 1)).toBe(false);
    // A new reply under the new secret gives a cookie that verifies again.
    getCookie(pair, checker, T + COOKIE_REFRESH_TIME_MS + 2, 3);
    const renewed = initiate(pair, 4, T + COOKIE_REFRESH_TIME_MS + 3);
    expect(checker.verifyMac2(renewed, SOURCE, T + COOKIE_REFRESH_TIME_MS + 3)).toBe(true);
  });

  it('cookies differ by source and by checker (a fresh random secret each)', () => {
    const pair = makePair(backend);
    const a = new CookieChecker(pair.responder);
    const b = new CookieChecker(pair.responder);
    getCookie(pair, a, T);
    const message = initiate(pair, 2, T);
    expect(a.verifyMac2(message, SOURCE, T)).toBe(true);
    expect(b.verifyMac2(message, SOURCE, T)).toBe(false);
  });

  it('a cookie reply is bound to the mac1 of the last message sent: after a newer initiation it is DECRYPT_FAILED', () => {
    const pair = makePair(backend);
    const checker = new CookieChecker(pair.responder);
    const first = initiate(pair, 1, T);
    const reply = checker.createReply(first, SOURCE, T);
    initiate(pair, 2, T + 5000); // retransmission with a new mac1
    const result = consumeCookieReply(reply, { lookupIndex: pair.lookupIndex, now: T + 5000 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('DECRYPT_FAILED');
    expect(pair.atInitiator.cookie).toBeUndefined();
  });

  it('a cookie reply from a different responder key is DECRYPT_FAILED (the key is HASH(LABEL_COOKIE || S_pub))', () => {
    const pair = makePair(backend);
    const impostor = makePair(backend);
    const first = initiate(pair, 1, T);
    const reply = new CookieChecker(impostor.responder).createReply(first, SOURCE, T);
    const result = consumeCookieReply(reply, { lookupIndex: pair.lookupIndex, now: T });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('DECRYPT_FAILED');
  });

  it('an initiator under load answers a response with a cookie reply that the responder consumes', () => {
    const pair = makePair(backend);
    const initiation = initiate(pair, 1, T);
    expect(consumeInitiation(pair.responder, initiation, { lookupPeer: pair.lookupPeer, now: T }).ok).toBe(
      true,
    );
    const response = createResponse(pair.atResponder, { senderIndex: RESPONDER_INDEX, now: T });
    if (!response.ok) throw response.error;
    const checker = new CookieChecker(pair.initiator);
    expect(checker.verifyMac2(response.message, SOURCE, T)).toBe(false);
    const reply = checker.createReply(response.message, SOURCE, T);
    expect(new DataView(reply.buffer).getUint32(4, true)).toBe(RESPONDER_INDEX);
    const consumed = consumeCookieReply(reply, {
      lookupIndex: (index) => (index === RESPONDER_INDEX ? pair.atResponder : undefined),
      now: T,
    });
    expect(consumed.ok).toBe(true);
    expect(pair.atResponder.cookie).toHaveLength(16);
    // The initiator (under load) dropped that response; the next handshake's response carries mac2.
    const again = initiate(pair, 2, T + 1000);
    expect(consumeInitiation(pair.responder, again, { lookupPeer: pair.lookupPeer, now: T + 1000 }).ok).toBe(
      true,
    );
    const second = createResponse(pair.atResponder, { senderIndex: RESPONDER_INDEX, now: T + 1000 });
    if (!second.ok) throw second.error;
    expect(checker.verifyMac2(second.message, SOURCE, T + 1000)).toBe(true);
    expect(checker.verifyMac2(second.message, OTHER_SOURCE, T + 1000)).toBe(false);
    const done = consumeResponse(pair.initiator, second.message, {
      lookupIndex: pair.lookupIndex,
      now: T + 1000,
    });
    if (!done.ok) throw done.error;
    expect(bytesToHex(done.keys.sendKey)).toBe(bytesToHex(second.keys.receiveKey));
  });

  it('cookie replies use a fresh nonce each time', () => {
    const pair = makePair(backend);
    const checker = new CookieChecker(pair.responder);
    const message = initiate(pair, 1, T);
    const a = checker.createReply(message, SOURCE, T);
    const b = checker.createReply(message, SOURCE, T);
    expect(bytesToHex(a.subarray(8, 32))).not.toBe(bytesToHex(b.subarray(8, 32)));
    // Both decrypt to the same cookie.
    expect(consumeCookieReply(a, { lookupIndex: pair.lookupIndex, now: T }).ok).toBe(true);
    const cookieA = bytesToHex(pair.atInitiator.cookie!);
    expect(consumeCookieReply(b, { lookupIndex: pair.lookupIndex, now: T }).ok).toBe(true);
    expect(bytesToHex(pair.atInitiator.cookie!)).toBe(cookieA);
  });
});
