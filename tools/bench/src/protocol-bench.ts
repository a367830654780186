/**
 * `pnpm bench` for the protocol core: complete handshakes per second (and the time each side
 * spends), and transport seal/open at 64 and 1420 bytes against the raw AEAD call of the same
 * backend, measured in the same run. Prints figures and ratios; asserts nothing.
 */
import { cpus } from 'node:os';
import { type CryptoBackend, nobleBackend } from '@pathwire/crypto';
import { nodeBackend } from '@pathwire/crypto/node';
import {
  consumeInitiation,
  consumeResponse,
  createInitiation,
  createResponse,
  HandshakePeer,
  StaticIdentity,
  tai64n,
} from '@pathwire/noise';
import { Keypair, openData, sealData, sealedLength } from '@pathwire/transport';
import { gbits, measure, thousands } from './measure.js';

const EMPTY = new Uint8Array(0);
const SECONDS = Number(process.env.PATHWIRE_BENCH_SECONDS ?? 1);

function handshakeRates(backend: CryptoBackend) {
  const initiator = new StaticIdentity(backend, backend.generateSecretKey());
  const responder = new StaticIdentity(backend, backend.generateSecretKey());
  const psk = backend.generateSecretKey();
  const responderAtInitiator = new HandshakePeer(initiator, responder.publicKey, psk);
  const initiatorAtResponder = new HandshakePeer(responder, initiator.publicKey, psk);
  let initiatorMs = 0;
  let responderMs = 0;
  let clock = 0;
  const rate = measure(
    () => {
      clock += 25; // past the 20 ms flood limit, and a newer TAI64N bucket each time
      const t0 = performance.now();
      const init = createInitiation(responderAtInitiator, {
        senderIndex: 1,
        timestamp: tai64n(clock),
        now: clock,
      });
      const t1 = performance.now();
      if (!init.ok) throw init.error;
      const consumed = consumeInitiation(responder, init.message, {
        lookupPeer: () => initiatorAtResponder,
        now: clock,
      });
      if (!consumed.ok) throw consumed.error;
      const response = createResponse(initiatorAtResponder, { senderIndex: 2, now: clock });
      if (!response.ok) throw response.error;
      const t2 = performance.now();
      const done = consumeResponse(initiator, response.message, {
        lookupIndex: () => responderAtInitiator,
        now: clock,
      });
      const t3 = performance.now();
      if (!done.ok) throw done.error;
      initiatorMs += t1 - t0 + (t3 - t2);
      responderMs += t2 - t1;
    },
    SECONDS,
    4,
  );
  return {
    complete: rate.perSecond,
    initiatorSide: (rate.operations / initiatorMs) * 1000,
    responderSide: (rate.operations / responderMs) * 1000,
  };
}

function keypairs(backend: CryptoBackend): [Keypair, Keypair] {
  const a = backend.generateSecretKey();
  const b = backend.generateSecretKey();
  return [
    new Keypair({ sendKey: a, receiveKey: b, localIndex: 1, remoteIndex: 2, isInitiator: true }, 0),
    new Keypair({ sendKey: b, receiveKey: a, localIndex: 2, remoteIndex: 1, isInitiator: false }, 0),
  ];
}

function transportRates(backend: CryptoBackend, size: number) {
  const packet = backend.randomBytes(new Uint8Array(size));
  const key = backend.generateSecretKey();
  const out = new Uint8Array(sealedLength(size) + 16);
  const rawSeal = measure((i) => backend.seal(key, i, packet, EMPTY, out), SECONDS);
  const sealed = backend.seal(key, 7, packet, EMPTY);
  const plain = new Uint8Array(size + 16);
  const rawOpen = measure(() => backend.open(key, 7, sealed, EMPTY, plain), SECONDS);

  const [sender, receiver] = keypairs(backend);
  const transportSeal = measure(() => sealData(backend, sender, packet, out), SECONDS);
  // Open needs fresh counters: seal a ring of messages ahead, then open them in order.
  const ring = 4096;
  const messages = Array.from({ length: ring }, () => new Uint8Array(sealedLength(size)));
  let [s2, r2] = keypairs(backend);
  const refill = () => {
    [s2, r2] = keypairs(backend);
    for (const message of messages) sealData(backend, s2, packet, message);
  };
  refill();
  let opened = 0;
  let refillMs = 0;
  const transportOpen = measure((i) => {
    if (i > 0 && i % ring === 0) {
      const t = performance.now();
      refill();
      refillMs += performance.now() - t;
    }
    if (openData(backend, r2, messages[i % ring]!, plain) >= 0) opened++;
  }, SECONDS);
  const openRate = transportOpen.operations / (transportOpen.seconds - refillMs / 1000);
  if (opened === 0 || receiver.sendCounter !== 0) throw new Error('transport open benchmark opened nothing');
  return { rawSeal, rawOpen, transportSeal, transportOpen: { ...transportOpen, perSecond: openRate } };
}

function main(): void {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `# protocol benchmarks — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpu}, one core`,
  );
  console.log(`# ${SECONDS} s per figure (PATHWIRE_BENCH_SECONDS to change)\n`);
  console.log('| backend | complete handshakes/s | initiator side/s | responder side/s |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const backend of [nobleBackend, nodeBackend]) {
    const h = handshakeRates(backend);
    console.log(
      `| ${backend.name} | ${thousands(h.complete)} | ${thousands(h.initiatorSide)} | ${thousands(h.responderSide)} |`,
    );
  }
  console.log(
    '\n| backend | size | raw AEAD seal | transport seal | seal ratio | raw AEAD open | transport open | open ratio |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const backend of [nobleBackend, nodeBackend]) {
    for (const size of [64, 1420]) {
      const t = transportRates(backend, size);
      const cell = (r: { perSecond: number }) =>
        `${thousands(r.perSecond)}/s (${gbits({ ...r, operations: 0, seconds: 0 }, size)} Gbit/s)`;
      console.log(
        `| ${backend.name} | ${size} B | ${cell(t.rawSeal)} | ${cell(t.transportSeal)} | ${(t.transportSeal.perSecond / t.rawSeal.perSecond).toFixed(2)} | ${cell(t.rawOpen)} | ${cell(t.transportOpen)} | ${(t.transportOpen.perSecond / t.rawOpen.perSecond).toFixed(2)} |`,
      );
    }
  }
}

main();
