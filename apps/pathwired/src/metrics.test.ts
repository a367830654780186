import { nobleBackend } from '@pathwire/crypto';
import { Device } from '@pathwire/engine';
import { describe, expect, it } from 'vitest';
import { formatMetrics } from './metrics.js';

describe('Prometheus metrics', () => {
  it('report drops by reason, per-peer bytes and per-endpoint state', () => {
    const device = new Device({
      backend: nobleBackend,
      privateKey: nobleBackend.generateSecretKey(),
      io: { sendDatagram: () => {}, writePacket: () => {} },
    });
    const peer = nobleBackend.publicKey(nobleBackend.generateSecretKey());
    device.setPeer(
      { publicKey: peer, allowedIPs: ['10.0.0.2/32'], endpoints: [{ address: '2001:db8::7', port: 51820 }] },
      0,
    );
    device.receiveDatagram(0, { address: '198.51.100.9', port: 9 }, new Uint8Array([9, 9, 9]));
    const text = formatMetrics(device, 'wg0');
    expect(text).toContain('pathwire_drops_total{interface="wg0",reason="malformed"} 1');
    expect(text).toContain('# TYPE pathwire_peer_bytes_total counter');
    expect(text).toMatch(
      /pathwire_endpoint_state\{interface="wg0",peer="[^"]+",endpoint="\[2001:db8::7\]:51820",active="true",state="unknown"\} 1/,
    );
    for (const line of text.trim().split('\n'))
      expect(line).toMatch(/^(# (HELP|TYPE) \S+ .+|[a-z_]+\{[^}]*\} \d+(\.\d+)?)$/);
  });
});
