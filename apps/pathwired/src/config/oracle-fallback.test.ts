import { describe, expect, it } from 'vitest';
import { PEER_1, PRIVATE_KEY } from './fixtures.test-helper.js';
import { parseConfig } from './parse-config.js';

const STRATEGIES = ['roaming', 'handshake-race', 'userspace-oracle'];
const config = (peer: string) =>
  parseConfig(
    `[Interface]\nPrivateKey = ${PRIVATE_KEY}\n\n[Peer]\nPublicKey = ${PEER_1}\n${peer}`,
    'wg0.conf',
    {
      strategies: STRATEGIES,
    },
  );

describe('OracleFallback =', () => {
  it('becomes the fallback option of Strategy = userspace-oracle', () => {
    const [peer] = config('Strategy = userspace-oracle head-start=20ms\nOracleFallback = roaming\n').peers;
    expect(peer?.strategy).toEqual({
      name: 'userspace-oracle',
      options: { 'head-start': '20ms', fallback: 'roaming' },
    });
    expect(peer?.lines.OracleFallback).toBe(7);
  });

  it('names the file, line and key when it cannot apply', () => {
    expect(() => config('OracleFallback = roaming\n')).toThrow(
      /wg0\.conf:6: OracleFallback.*only to Strategy = userspace-oracle/,
    );
    expect(() =>
      config('Strategy = userspace-oracle fallback=roaming\nOracleFallback = handshake-race\n'),
    ).toThrow(/wg0\.conf:7: OracleFallback.*already has fallback=/);
    expect(() => config('Strategy = userspace-oracle\nOracleFallback = magic\n')).toThrow(
      /wg0\.conf:7: .*unknown strategy "magic"/,
    );
  });
});
