import { describe, expect, it } from 'vitest';
import {
  buildProbePacket,
  echoReplyFor,
  IPPROTO_UDP,
  internetChecksum,
  MIN_PROBE_PACKET,
  parseProbePacket,
} from './inner-packet.js';

describe('probe packets', () => {
  it('builds a valid IPv4/UDP packet and parses it back', () => {
    const p = buildProbePacket({
      kind: 'udp',
      src: '10.1.0.1',
      dst: '10.2.0.2',
      flowId: 7,
      seq: 70_000,
      sentAt: 1234.5,
      size: 100,
      srcPort: 5000,
      dstPort: 6000,
    });
    expect(p.length).toBe(100);
    expect(p[9]).toBe(IPPROTO_UDP);
    expect(internetChecksum(p, 0, 20)).toBe(0);
    // UDP checksum over pseudo-header + segment verifies to zero
    const pseudo = new Uint8Array(12 + 80);
    pseudo.set(p.subarray(12, 20), 0);
    pseudo[9] = IPPROTO_UDP;
    pseudo[10] = 0;
    pseudo[11] = 80;
    pseudo.set(p.subarray(20), 12);
    expect(internetChecksum(pseudo)).toBe(0);
    expect(parseProbePacket(p)).toEqual({
      kind: 'udp',
      src: '10.1.0.1',
      dst: '10.2.0.2',
      flowId: 7,
      seq: 70_000,
      sentAt: 1234.5,
      length: 100,
    });
  });

  it('builds ICMP echo requests and the matching replies', () => {
    const req = buildProbePacket({
      kind: 'echo-request',
      src: '10.0.0.1',
      dst: '10.0.0.2',
      flowId: 3,
      seq: 9,
      sentAt: 42,
    });
    expect(req.length).toBe(MIN_PROBE_PACKET);
    expect(internetChecksum(req, 20)).toBe(0);
    const reply = echoReplyFor(req)!;
    expect(internetChecksum(reply, 0, 20)).toBe(0);
    expect(internetChecksum(reply, 20)).toBe(0);
    expect(parseProbePacket(reply)).toMatchObject({
      kind: 'echo-reply',
      src: '10.0.0.2',
      dst: '10.0.0.1',
      seq: 9,
    });
    expect(echoReplyFor(reply)).toBeUndefined();
  });

  it('ignores packets that are not probes', () => {
    const p = buildProbePacket({
      kind: 'udp',
      src: '10.0.0.1',
      dst: '10.0.0.2',
      flowId: 1,
      seq: 1,
      sentAt: 0,
    });
    const corrupt = p.slice();
    corrupt[15] = (corrupt[15]! + 1) & 0xff;
    expect(parseProbePacket(corrupt)).toBeUndefined();
    expect(parseProbePacket(new Uint8Array(10))).toBeUndefined();
    expect(() =>
      buildProbePacket({ kind: 'udp', src: 'fd00::1', dst: '10.0.0.2', flowId: 1, seq: 1, sentAt: 0 }),
    ).toThrow();
    expect(() =>
      buildProbePacket({
        kind: 'udp',
        src: '10.0.0.1',
        dst: '10.0.0.2',
        flowId: 1,
        seq: 1,
        sentAt: 0,
        size: 20,
      }),
    ).toThrow();
  });
});
