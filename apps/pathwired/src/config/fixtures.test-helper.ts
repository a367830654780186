/**
 * Fixtures of the config tests. Keys, printed by `wg genkey` / `wg genpsk` (wireguard-tools 1.0),
 * checked with `wg pubkey`.
 */
export const PRIVATE_KEY = 'WPj8og7ZFh1nhtQj5w4NnsV4W4y5AvCOqf6g88bOEG0=';
export const PEER_1 = 'WFPTbeV0cLL/XsgouhDKFDhvEITwzWulB3KwFp7S0UY=';
export const PEER_2 = 'wJE4awm1XT9luJ7Kci8EL7oCa3LOYjC2Sa5YAP75sWs=';
export const PEER_3 = 'mNkPmSQJ0tFHvVLa+nBOjtyMOg7cM56HRTk6VvMBV28=';
export const PSK = 'J50JKXMgP9q2oNPw/QbteMbGFtqDNkUrYG6oOf5mCrQ=';
/** `PRIVATE_KEY` with the last data character changed so its unused low bits are not zero; `wg pubkey` refuses it. */
export const BAD_PADDING_KEY = 'WPj8og7ZFh1nhtQj5w4NnsV4W4y5AvCOqf6g88bOEG1=';

export const STRATEGIES = ['roaming', 'handshake-race', 'heartbeat-probe'] as const;

/** A laptop's config: an office gateway reachable four ways, a LAN box, a peer without endpoint. */
export const FULL = [
  '# wg0.conf: the laptop', //                                                   1
  '[Interface]', //                                                              2
  `PrivateKey = ${PRIVATE_KEY}`, //                                              3
  'ListenPort = 51820', //                                                       4
  'Address = 10.8.0.2/24, fd00:8::2/64', //                                      5
  'Address = 192.168.77.5   # bare host: /32', //                                6
  'DNS = 10.8.0.1, 2001:DB8::53, corp.example', //                               7
  'MTU = 1420', //                                                               8
  'Table = auto', //                                                             9
  'FwMark = 0xca6c', //                                                          10
  'PostUp = iptables -A FORWARD -i %i -j ACCEPT; iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE', // 11
  'PostUp = ip rule add from 10.8.0.2 table 200', //                             12
  'PreDown = logger "wg0 going down"', //                                        13
  'SaveConfig = false', //                                                       14
  '', //                                                                         15
  '[Peer]', //                                                                   16
  '# office gateway: public IPv4, public IPv6, a name with A and AAAA, its LAN address', // 17
  `PublicKey = ${PEER_1}`, //                                                    18
  `PresharedKey = ${PSK}`, //                                                    19
  'AllowedIPs = 10.8.0.0/24, fd00:8::/64', //                                    20
  'AllowedIPs = 10.20.0.0/16', //                                                21
  'AllowedIPs = 192.168.1.7/24, 10.20.0.0/16', //                                22
  'Endpoint = 203.0.113.7:51820, [2001:db8::7]:51820, VPN.Example.org:51820, 192.168.1.2:51820', // 23
  'PersistentKeepalive = 25', //                                                 24
  'Strategy = handshake-race head-start=10ms suspicion=2s', //                   25
  '', //                                                                         26
  '[Peer]', //                                                                   27
  `PublicKey = ${PEER_2}`, //                                                    28
  'AllowedIPs = 10.9.0.0/16', //                                                 29
  'Endpoint = [fe80::1%eth0]:51820', //                                          30
  'PersistentKeepalive = off', //                                                31
  '', //                                                                         32
  '[Peer]', //                                                                   33
  `PublicKey = ${PEER_3}`, //                                                    34
  'AllowedIPs = 10.8.0.3/32', //                                                 35
  '',
].join('\n');
