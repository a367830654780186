import { execFileSync } from 'node:child_process';
import { commandCapability, describeWith } from '@pathwire/testkit';
import { describe, expect, it } from 'vitest';
import { PATHWIRE_BIN } from './test-support/daemon-process.js';

const pathwire = (args: string[], input?: string) =>
  execFileSync(process.execPath, [PATHWIRE_BIN, ...args], { encoding: 'utf8', input });

describe('pathwire genkey | pubkey | genpsk', () => {
  it('prints keys in wg(8) format, clamped', () => {
    const privateKey = pathwire(['genkey']);
    expect(privateKey).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    const bytes = Buffer.from(privateKey.trim(), 'base64');
    expect(bytes[0]! & 7).toBe(0);
    expect(bytes[31]! & 0xc0).toBe(0x40);
    const publicKey = pathwire(['pubkey'], privateKey);
    expect(publicKey).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    expect(pathwire(['genpsk'])).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
  });

  it('refuses a malformed private key like wg pubkey does', () => {
    expect(() => pathwire(['pubkey'], 'not a key\n')).toThrow(/Key is not the correct length or format/);
  });

  it('names an unknown command and exits non-zero', () => {
    // A word that could be an interface name starts that interface (wireguard-go's convention),
    // so the unknown command here is one no interface can be named.
    expect(() => pathwire(['frob/nicate'])).toThrow(/unknown command "frob\/nicate"/);
    expect(() => pathwire(['up', 'a', 'b'])).toThrow(/usage: pathwire up CONFIG/);
  });
});

describeWith(commandCapability(['wg']), 'pathwire pubkey against the real wg(8)', () => {
  it('derives the same public key as wg pubkey, for keys from either tool', () => {
    for (const privateKey of [pathwire(['genkey']), execFileSync('wg', ['genkey'], { encoding: 'utf8' })]) {
      expect(pathwire(['pubkey'], privateKey)).toBe(
        execFileSync('wg', ['pubkey'], { encoding: 'utf8', input: privateKey }),
      );
    }
  });
});
