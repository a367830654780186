// Runnable: pnpm --filter @pathwire/resolver build && node packages/resolver/examples/quick-start.mjs
import {
  classifyAddress,
  EndpointResolver,
  endpointKey,
  orderCandidates,
  parseEndpointList,
} from '@pathwire/resolver';

// 1. Parse what the user wrote (syntax only; errors quote the item and its offset).
const list = '203.0.113.7:51820, [2001:db8::7]:51820, vpn.example.org:51820, 192.168.1.2:51820';
for (const item of parseEndpointList(list)) console.log(item.index, item.kind, item.text);

// 2. Turn it into a living set. Here DNS is a table, so the example runs offline;
//    drop `lookup` (and optionally pass `servers: ['127.0.0.1:5353']`) to use real DNS.
const table = {
  'vpn.example.org/4': { kind: 'answer', records: [{ address: '198.51.100.1', ttl: 300 }] },
  'vpn.example.org/6': { kind: 'answer', records: [{ address: '2001:db8::a', ttl: 300 }] },
};
const resolver = new EndpointResolver(list, {
  lookup: async (name, family) => table[`${name}/${family}`] ?? { kind: 'nxdomain' },
});
resolver.on('change', ({ added, removed }) => {
  for (const e of added) console.log('+', e.key, e.class, e.sources.map((s) => s.item).join(' & '));
  for (const e of removed) console.log('-', e.key);
});
await resolver.start();
console.log(resolver.endpoints().map((e) => e.key)); // IPv6 first, then interleaved (RFC 8305)

// 3. When every address of a name fails, ask again (rate-limited by refreshCooldownMs).
await resolver.refresh('vpn.example.org');
resolver.close(); // no timer, query or event after this

// Helpers usable on their own.
console.log(classifyAddress('100.64.0.1').class, endpointKey({ address: 'fe80::1%eth0', port: 51820 }));
console.log(orderCandidates([{ family: 4 }, { family: 4 }, { family: 6 }]).map((c) => c.family));
