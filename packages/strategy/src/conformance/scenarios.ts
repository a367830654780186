/**
 * The conformance scenarios every strategy must pass, whatever its policy: the contract's rules
 * (decisions name known endpoints, never throw, deterministic under the same randomness) and the
 * behaviour any endpoint-selection strategy owes its users (an endpoint is active once traffic is
 * authenticated, a removed active endpoint is replaced, the path a responder's handshake used is
 * trusted, a network with one working endpoint is eventually found when the strategy initiates).
 */
import type { StrategyEvent } from '../v1/events.js';
import type { StrategyFactory } from '../v1/strategy.js';
import { ConformanceFailure, FakeHost, seededRandom } from './fake-host.js';

export interface ConformanceScenario {
  readonly name: string;
  /** Throws `ConformanceFailure` (with a reason) when the strategy does not conform. */
  run(factory: StrategyFactory, options?: Readonly<Record<string, string>>): void;
}

const ADDRESSES = ['2001:db8::7', '203.0.113.7', '192.0.2.7', '198.51.100.7'];

function expect(condition: boolean, message: string): void {
  if (!condition) throw new ConformanceFailure(message);
}

function randomEvent(host: FakeHost, random: () => number): StrategyEvent {
  const key = host.key(Math.floor(random() * host.endpoints.length));
  const pick = Math.floor(random() * 12);
  switch (pick) {
    case 0:
      return { type: 'start' };
    case 1:
      return { type: 'handshake-needed', reason: 'retry', attempt: 1 + Math.floor(random() * 18) };
    case 2:
      return {
        type: 'handshake-complete',
        endpoint: key,
        role: random() < 0.5 ? 'initiator' : 'responder',
        rttMs: random() * 200,
      };
    case 3:
      return { type: 'authenticated-packet', endpoint: key };
    case 4:
      return { type: 'send-error', endpoint: key, code: 'ENETUNREACH' };
    case 5:
      return { type: 'icmp-error', endpoint: key, code: 'EHOSTUNREACH' };
    case 6:
      return { type: 'unanswered', endpoint: key, since: host.now };
    case 7:
      return { type: 'endpoints-changed', added: [], removed: [] };
    case 8:
      return { type: 'user-endpoint', endpoint: key };
    case 9:
      return random() < 0.5
        ? { type: 'probe-reply', endpoint: key, rttMs: random() * 100 }
        : {
            type: 'probe-reply',
            endpoint: key,
            rttMs: random() * 100,
            peerReceived: Math.floor(random() * 50),
            sent: Math.floor(random() * 60),
          };
    case 10:
      return { type: 'command', command: { nonsense: random() } };
    default:
      return { type: 'timer' };
  }
}

export const conformanceScenarios: readonly ConformanceScenario[] = [
  {
    name: 'answers every kind of event with valid decisions and never throws (2,000 random events)',
    run(factory, options = {}) {
      const host = new FakeHost(factory(options), ADDRESSES, 7);
      const random = seededRandom(99);
      for (let i = 0; i < 2000; i++) {
        host.now += Math.floor(random() * 500);
        const event = randomEvent(host, random);
        if (event.type === 'send-error') host.endpoint(event.endpoint)!.sendErrors++;
        host.deliver(event);
      }
    },
  },
  {
    name: 'probes only the active endpoint until the peer answered a HELLO; with a pathwire peer, 2,000 random events',
    run(factory, options = {}) {
      for (const support of ['unknown', 'no', 'yes'] as const) {
        const host = new FakeHost(factory(options), ADDRESSES, 11);
        host.probeSupport = support;
        host.sessionEstablishedAt = 0;
        const random = seededRandom(13);
        for (let i = 0; i < 2000; i++) {
          host.now += Math.floor(random() * 400);
          const event = randomEvent(host, random);
          if (event.type === 'unanswered') host.unansweredSince = event.since;
          if (event.type === 'authenticated-packet' || event.type === 'probe-reply') {
            host.lastAuthenticatedAt = host.now;
            host.unansweredSince = undefined;
            const view = host.endpoint(event.endpoint);
            if (view) view.lastReceivedAt = host.now;
          }
          host.deliver(event);
          host.advance(host.now);
        }
      }
    },
  },
  {
    name: 'is deterministic: the same events and randomness give the same decisions',
    run(factory, options = {}) {
      const runOnce = () => {
        const host = new FakeHost(factory(options), ADDRESSES, 3);
        const random = seededRandom(5);
        for (let i = 0; i < 300; i++) {
          host.now += Math.floor(random() * 300);
          host.deliver(randomEvent(host, random));
        }
        return JSON.stringify(host.log.map((entry) => entry.decisions));
      };
      const first = runOnce();
      const second = runOnce();
      expect(first === second, 'two identical runs produced different decisions');
    },
  },
  {
    name: 'has an active endpoint once a handshake completed',
    run(factory, options = {}) {
      const host = new FakeHost(factory(options), ADDRESSES);
      host.deliver({ type: 'start' });
      const targets = host.handshakeTargets('staged-packet');
      expect(targets.length > 0, 'no endpoint was chosen for the first handshake');
      const winner = targets[0]!.endpoint;
      host.advance(targets[0]!.sendAt + 30);
      host.deliver({ type: 'handshake-complete', endpoint: winner, role: 'initiator', rttMs: 30 });
      expect(host.active !== undefined, 'no endpoint is active after a completed handshake');
    },
  },
  {
    name: 'follows the path of a handshake the peer initiated when it knows nothing better',
    run(factory, options = {}) {
      const host = new FakeHost(factory(options), ADDRESSES);
      host.deliver({ type: 'start' });
      const via = host.key(2);
      host.deliver({ type: 'handshake-complete', endpoint: via, role: 'responder', rttMs: undefined });
      expect(host.active === via, `the responder handshake came via ${via}, but ${host.active} is active`);
    },
  },
  {
    name: 'replaces the active endpoint when it is removed from the set',
    run(factory, options = {}) {
      const host = new FakeHost(factory(options), ADDRESSES);
      host.deliver({ type: 'start' });
      host.deliver({ type: 'handshake-complete', endpoint: host.key(0), role: 'initiator', rttMs: 20 });
      const removed = host.active;
      expect(removed !== undefined, 'no endpoint active after a handshake');
      host.endpoints = host.endpoints.filter((endpoint) => endpoint.key !== removed);
      host.active = undefined; // the engine drops an active endpoint that left the set
      host.deliver({ type: 'endpoints-changed', added: [], removed: [removed!] });
      host.advance(host.now + 1000);
      expect(
        host.active !== undefined && host.endpoint(host.active) !== undefined,
        'no remaining endpoint was activated',
      );
    },
  },
  {
    name: 'initiation targets are endpoints of the set, each once, with finite non-negative delays',
    run(factory, options = {}) {
      const host = new FakeHost(factory(options), ADDRESSES);
      host.deliver({ type: 'start' });
      for (let attempt = 1; attempt <= 18; attempt++) {
        host.handshakeTargets(attempt === 1 ? 'staged-packet' : 'retry', attempt);
        host.advance(host.now + 5_000);
      }
    },
  },
  {
    name: 'keeps working when every endpoint fails to send, and when the set is empty',
    run(factory, options = {}) {
      const host = new FakeHost(factory(options), ADDRESSES);
      host.deliver({ type: 'start' });
      for (const endpoint of host.endpoints) {
        endpoint.sendErrors = 3;
        host.deliver({ type: 'send-error', endpoint: endpoint.key, code: 'ENETUNREACH' });
      }
      host.handshakeTargets('retry', 2);
      const removed = host.endpoints.map((endpoint) => endpoint.key);
      host.endpoints = [];
      host.active = undefined;
      host.deliver({ type: 'endpoints-changed', added: [], removed });
      host.handshakeTargets('staged-packet');
      host.advance(host.now + 60_000);
    },
  },
];
