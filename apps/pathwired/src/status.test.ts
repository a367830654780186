import { describe, expect, it } from 'vitest';
import { formatStatus, type InterfaceStatus } from './status.js';

describe('pathwire status with in-band probes', () => {
  it("shows each endpoint's state, loss, probe counters and the strategy's view, and the peer's probe support", () => {
    const status: InterfaceStatus = {
      interface: 'wg0',
      listenPort: 51820,
      drops: { 'probe-replay': 2 },
      probes: { 'ping-sent': 40, 'pong-received': 37, lost: 3, duplicated: 5 },
      peers: [
        {
          publicKey: 'x'.repeat(43) + '=',
          strategy: 'heartbeat-probe',
          strategyState: {
            paths: { '198.51.100.1:51820': { state: 'down' }, '203.0.113.1:51820': { state: 'up' } },
          },
          probeSupport: 'yes',
          endpoint: '203.0.113.1:51820',
          endpoints: [
            {
              endpoint: '198.51.100.1:51820',
              active: false,
              fields: {
                class: 'documentation',
                origin: 'configured',
                state: 'down',
                loss: '0.75',
                probes_sent: '12',
                probes_answered: '9',
                probes_lost: '3',
                send_errors: '0',
              },
            },
            {
              endpoint: '203.0.113.1:51820',
              active: true,
              fields: {
                class: 'documentation',
                origin: 'configured',
                state: 'up',
                srtt_ms: '30.0',
                rtt_ms: '31.0',
                min_rtt_ms: '29.5',
                send_errors: '0',
              },
            },
          ],
          allowedIPs: ['10.0.0.2/32'],
          handshakeAgeSeconds: 3,
          rxBytes: 1000,
          txBytes: 2000,
        },
      ],
    };
    const text = formatStatus(status);
    expect(text).toContain('  probes: ping-sent 40, pong-received 37, lost 3, duplicated 5');
    expect(text).toContain('  in-band probes: answered (pathwire peer)');
    expect(text).toContain(
      '    198.51.100.1:51820  documentation, configured, down, never seen, loss 75.0 %, probes 9/12 answered, 3 lost, probe view down',
    );
    expect(text).toContain('  * 203.0.113.1:51820  documentation, configured, up, rtt 30.0 ms');
    expect(text).toContain('probe view up');
  });
});
