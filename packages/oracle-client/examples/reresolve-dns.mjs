#!/usr/bin/env node
// reresolve-dns.sh (wireguard-tools contrib/reresolve-dns) over the oracle socket, step for step:
// read the config's [Peer] sections (PublicKey, Endpoint; keys case-insensitive, # comments);
// for every peer whose latest handshake is more than 135 s old (or that never had one, as
// `wg show latest-handshakes` prints 0), set its endpoints again from the config, so the daemon
// resolves its hostnames afresh. One pass; run it from a timer every 30 s as the original.
// Usage: reresolve-dns.mjs wg0 | reresolve-dns.mjs /etc/wireguard/wg0.conf
import { readFileSync } from 'node:fs';
import { OracleClient, SnapshotAssembler } from '@pathwire/oracle-client';

let file = process.argv[2] ?? '';
if (/^[a-zA-Z0-9_=+.-]{1,15}$/.test(file)) file = `/etc/wireguard/${file}.conf`;
const iface = /\/?([a-zA-Z0-9_=+.-]{1,15})\.(conf|netdev)$/.exec(file)?.[1];
if (!iface) throw new Error(`usage: reresolve-dns.mjs IFACE|CONFIG (got "${file}")`);

const peers = [];
let section;
for (const raw of readFileSync(file, 'utf8').split('\n')) {
  const stripped = raw.split('#')[0];
  const key = stripped.split('=')[0].trim();
  const value = stripped.includes('=') ? stripped.slice(stripped.indexOf('=') + 1).trim() : '';
  if (key.startsWith('[')) section = /^\[(WireGuard)?Peer\]$/i.test(key) ? {} : undefined;
  if (section && key.startsWith('[')) peers.push(section);
  if (section && /^PublicKey$/i.test(key)) section.publicKey = value;
  if (section && /^Endpoint$/i.test(key)) section.endpoint = value;
}

const oracle = await OracleClient.connect({ iface, role: 'writer', reconnect: false });
const snapshot = new SnapshotAssembler();
let running;
for await (const event of oracle.events()) {
  running = snapshot.add(event);
  if (running) break;
}
for (const { publicKey, endpoint } of peers) {
  if (!publicKey || !endpoint) continue;
  const peer = running.find((p) => p.publicKey === publicKey);
  if (!peer || (peer.lastHandshakeMs !== null && peer.lastHandshakeMs <= 135_000)) continue;
  await oracle.setEndpoints(
    publicKey,
    endpoint.split(',').map((e) => e.trim()),
  );
  console.log(`${publicKey}: endpoints set again (${endpoint})`);
}
oracle.close();
