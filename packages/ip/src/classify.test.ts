import { describe, expect, it } from 'vitest';
import { classifyAddress, isUsableClass } from './classify.js';

describe('classifyAddress', () => {
  it.each([
    // IPv4, with the edges of every block
    ['0.0.0.0', 4, 'unspecified'],
    ['0.255.255.255', 4, 'unspecified'],
    ['1.0.0.0', 4, 'global'],
    ['9.255.255.255', 4, 'global'],
    ['10.0.0.0', 4, 'private'],
    ['10.255.255.255', 4, 'private'],
    ['11.0.0.0', 4, 'global'],
    ['100.63.255.255', 4, 'global'],
    ['100.64.0.0', 4, 'cgnat'],
    ['100.127.255.255', 4, 'cgnat'],
    ['100.128.0.0', 4, 'global'],
    ['127.0.0.1', 4, 'loopback'],
    ['127.255.255.255', 4, 'loopback'],
    ['169.254.0.0', 4, 'link-local'],
    ['169.254.255.255', 4, 'link-local'],
    ['169.255.0.0', 4, 'global'],
    ['172.15.255.255', 4, 'global'],
    ['172.16.0.0', 4, 'private'],
    ['172.31.255.255', 4, 'private'],
    ['172.32.0.0', 4, 'global'],
    ['192.0.0.8', 4, 'reserved'],
    ['192.0.2.0', 4, 'documentation'],
    ['192.0.2.255', 4, 'documentation'],
    ['192.0.3.0', 4, 'global'],
    ['192.167.255.255', 4, 'global'],
    ['192.168.0.0', 4, 'private'],
    ['192.168.255.255', 4, 'private'],
    ['192.169.0.0', 4, 'global'],
    ['198.18.0.0', 4, 'reserved'],
    ['198.19.255.255', 4, 'reserved'],
    ['198.51.100.7', 4, 'documentation'],
    ['203.0.113.7', 4, 'documentation'],
    ['223.255.255.255', 4, 'global'],
    ['224.0.0.0', 4, 'multicast'],
    ['239.255.255.255', 4, 'multicast'],
    ['240.0.0.0', 4, 'reserved'],
    ['255.255.255.254', 4, 'reserved'],
    ['255.255.255.255', 4, 'broadcast'],
    // IPv6
    ['::', 6, 'unspecified'],
    ['::1', 6, 'loopback'],
    ['::2', 6, 'reserved'],
    ['fe80::1', 6, 'link-local'],
    ['fe80::1%eth0', 6, 'link-local'],
    ['febf:ffff::1', 6, 'link-local'],
    ['fec0::1', 6, 'reserved'],
    ['fbff:ffff::1', 6, 'reserved'],
    ['fc00::', 6, 'private'],
    ['fd12:3456::1', 6, 'private'],
    ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 6, 'private'],
    ['fe00::1', 6, 'reserved'],
    ['ff02::1', 6, 'multicast'],
    ['2001:db8::', 6, 'documentation'],
    ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 6, 'documentation'],
    ['2001:db9::1', 6, 'global'],
    ['3fff::1', 6, 'documentation'],
    ['3fff:fff::1', 6, 'documentation'],
    ['3fff:1000::1', 6, 'global'],
    ['2606:4700::1111', 6, 'global'],
    ['2002:c000:201::1', 6, 'global'],
    ['64:ff9b::c000:201', 6, 'global'],
    ['100::1', 6, 'reserved'],
    ['4000::1', 6, 'reserved'],
    // IPv4-mapped IPv6 is IPv4
    ['::ffff:10.1.2.3', 4, 'private'],
    ['::ffff:127.0.0.1', 4, 'loopback'],
    ['::ffff:100.64.0.1', 4, 'cgnat'],
  ] as const)('%s is IPv%i %s', (address, family, addressClass) => {
    expect(classifyAddress(address)).toEqual({ family, class: addressClass });
  });

  it('rejects non-addresses', () => {
    expect(() => classifyAddress('vpn.example.org')).toThrowError(/not an IP address/);
  });

  it('marks the classes that can never be a peer', () => {
    expect(['unspecified', 'multicast', 'broadcast'].filter((c) => isUsableClass(c as never))).toEqual([]);
    expect(isUsableClass('documentation')).toBe(true);
    expect(isUsableClass('reserved')).toBe(true);
  });
});
