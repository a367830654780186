/**
 * The config file parser: wg-quick's format (`man wg-quick`; wireguard-tools `src/config.c`
 * and `src/wg-quick/linux.bash`) plus pathwire's additions (several `Endpoint` items,
 * `Strategy`). Pure: text in, `DaemonConfig` out, or a `ConfigError` for the first problem
 * in file order; nothing is returned from an invalid file.
 *
 * Lexical rules, as in wg: `#` starts a comment anywhere on a line (so commands in `PostUp`
 * cannot contain `#`); section names and keys are case-insensitive; whitespace around keys,
 * values and list items is ignored; `Address`, `DNS`, `AllowedIPs` and the hook commands
 * may repeat and accumulate. Unlike wg, an unknown key is an error, and so is a repeated
 * single-valued key (wg lets the last one win silently).
 */
import {
  classifyAddress,
  EndpointParseError,
  isUsableClass,
  parseEndpointList,
} from '@pathwire/resolver/parse';
import { ConfigError, type ConfigErrorCode } from './errors.js';
import type {
  DaemonConfig,
  EndpointItem,
  InterfaceKey,
  InterfaceSection,
  KeyLines,
  ParseConfigOptions,
  PeerKey,
  PeerSection,
  StrategyConfig,
} from './types.js';
import {
  MIN_MTU_IPV6,
  readAllowedIp,
  readBoolean,
  readDnsItem,
  readFwMark,
  readInterfaceAddress,
  readKeepalive,
  readListenPort,
  readMtu,
  readStrategy,
  readTable,
  splitList,
  ValueError,
} from './values.js';
import { formatWgKey, parseWgKey } from './wg-key.js';

const INTERFACE_KEYS: readonly InterfaceKey[] = [
  'PrivateKey',
  'ListenPort',
  'FwMark',
  'Address',
  'DNS',
  'MTU',
  'Table',
  'PreUp',
  'PostUp',
  'PreDown',
  'PostDown',
  'SaveConfig',
];
const PEER_KEYS: readonly PeerKey[] = [
  'PublicKey',
  'PresharedKey',
  'AllowedIPs',
  'Endpoint',
  'PersistentKeepalive',
  'Strategy',
  'OracleFallback',
];
/** Keys that may be written several times in a section; their values accumulate. */
const REPEATABLE = new Set<string>([
  'Address',
  'DNS',
  'PreUp',
  'PostUp',
  'PreDown',
  'PostDown',
  'AllowedIPs',
]);
/** Keys whose value is a list, which may be blank. */
const LIST_KEYS = new Set<string>(['Address', 'DNS', 'AllowedIPs']);

export const DEFAULT_STRATEGY = 'roaming';

type Draft<T> = { -readonly [P in keyof T]?: T[P] };

interface InterfaceDraft extends Draft<InterfaceSection> {
  line: number;
  lines: KeyLines<InterfaceKey>;
  addresses: string[];
  dns: string[];
  preUp: string[];
  postUp: string[];
  preDown: string[];
  postDown: string[];
  /** Line of the first IPv6 `Address`, for the MTU floor. */
  ipv6AddressLine?: number;
}

interface PeerDraft extends Draft<PeerSection> {
  line: number;
  /** `OracleFallback =` (DESIGN.md "userspace-oracle"): the `fallback` option of that strategy. */
  oracleFallback?: string;
  lines: KeyLines<PeerKey>;
  allowedIPs: string[];
}

/**
 * Parses a config file. `fileName` only labels error messages.
 *
 * @example
 * ```ts
 * const config = parseConfig(text, 'wg0.conf', { strategies: registry.names() });
 * config.peers[0]?.endpoints.map((e) => e.text); // ['203.0.113.7:51820', '[2001:db8::7]:51820']
 * ```
 */
export function parseConfig(text: string, fileName: string, options: ParseConfigOptions = {}): DaemonConfig {
  const strategies = options.strategies ?? [DEFAULT_STRATEGY];
  let iface: InterfaceDraft | undefined;
  const peers: PeerSection[] = [];
  let peer: PeerDraft | undefined;
  let section: 'interface' | 'peer' | undefined;

  function fail(
    code: ConfigErrorCode,
    line: number,
    reason: string,
    key?: string,
    keyPrefix = true,
    cause?: unknown,
  ): never {
    throw new ConfigError(code, reason, { file: fileName, line, key, keyPrefix, cause });
  }

  const closeSection = (): void => {
    if (section === 'interface' && iface) finishInterface(iface, fail);
    if (section === 'peer' && peer) peers.push(finishPeer(peer, fail));
    peer = undefined;
  };

  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!;
    const hash = raw.indexOf('#');
    const content = (hash === -1 ? raw : raw.slice(0, hash)).trim();
    if (content === '') continue;

    if (content.startsWith('[')) {
      if (!content.endsWith(']')) {
        fail('SYNTAX', lineNo, `malformed section header "${content}" (expected [Interface] or [Peer])`);
      }
      const name = content.slice(1, -1).trim();
      const lower = name.toLowerCase();
      if (lower === 'interface') {
        if (iface) {
          fail(
            'DUPLICATE_SECTION',
            lineNo,
            `second [Interface] section (the first is on line ${iface.line})`,
          );
        }
        closeSection();
        iface = {
          line: lineNo,
          lines: {},
          addresses: [],
          dns: [],
          preUp: [],
          postUp: [],
          preDown: [],
          postDown: [],
        };
        section = 'interface';
      } else if (lower === 'peer') {
        if (!iface) {
          fail(
            'INTERFACE_NOT_FIRST',
            lineNo,
            '[Peer] before [Interface]; the file must start with [Interface]',
          );
        }
        closeSection();
        peer = { line: lineNo, lines: {}, allowedIPs: [] };
        section = 'peer';
      } else {
        fail('UNKNOWN_SECTION', lineNo, `unknown section [${name}] (expected [Interface] or [Peer])`);
      }
      continue;
    }

    const eq = content.indexOf('=');
    if (eq === -1) fail('SYNTAX', lineNo, `expected "Key = Value" or a [Section] header, found "${content}"`);
    const written = content.slice(0, eq).trim();
    const value = content.slice(eq + 1).trim();
    if (written === '') fail('SYNTAX', lineNo, `missing key before "=" in "${content}"`);
    if (section === undefined) {
      fail(
        'KEY_OUTSIDE_SECTION',
        lineNo,
        `key "${written}" before any section (expected [Interface] first)`,
        written,
        false,
      );
    }
    const known: readonly string[] = section === 'interface' ? INTERFACE_KEYS : PEER_KEYS;
    const key = known.find((k) => k.toLowerCase() === written.toLowerCase());
    const sectionName = section === 'interface' ? '[Interface]' : '[Peer]';
    if (key === undefined) {
      fail('UNKNOWN_KEY', lineNo, `unknown key "${written}" in ${sectionName}`, written, false);
    }
    const keyLines: Record<string, number | undefined> = section === 'interface' ? iface!.lines : peer!.lines;
    const first = keyLines[key];
    if (first !== undefined && !REPEATABLE.has(key)) {
      fail('DUPLICATE_KEY', lineNo, `duplicate key (already set on line ${first})`, key);
    }
    if (value === '' && !LIST_KEYS.has(key)) fail('EMPTY_VALUE', lineNo, 'empty value', key);
    keyLines[key] ??= lineNo;

    try {
      if (section === 'interface') applyInterfaceKey(iface!, key as InterfaceKey, value, lineNo);
      else applyPeerKey(peer!, key as PeerKey, value, strategies, peers);
    } catch (error) {
      if (error instanceof ValueError) fail(error.code, lineNo, error.message, key, true, error.cause);
      if (error instanceof EndpointParseError) {
        fail(
          'BAD_ENDPOINT',
          lineNo,
          endpointReason(error.index, error.item, error.offset, error.reason),
          key,
          true,
          error,
        );
      }
      throw error;
    }
  }
  closeSection();

  if (!iface) return fail('MISSING_INTERFACE', 0, 'no [Interface] section');
  return { interface: toInterface(iface), peers };
}

type Fail = (code: ConfigErrorCode, line: number, reason: string, key?: string, keyPrefix?: boolean) => never;

function endpointReason(index: number, item: string, offset: number, reason: string): string {
  return `item ${index + 1} ${JSON.stringify(item)} (offset ${offset}): ${reason}`;
}

function requireKey(text: string): Uint8Array {
  const key = parseWgKey(text);
  if (!key) throw new ValueError('BAD_KEY', 'not a valid base64 WireGuard key');
  return key;
}

function applyInterfaceKey(draft: InterfaceDraft, key: InterfaceKey, value: string, line: number): void {
  switch (key) {
    case 'PrivateKey':
      draft.privateKey = requireKey(value);
      return;
    case 'ListenPort':
      draft.listenPort = readListenPort(value);
      return;
    case 'FwMark':
      draft.fwMark = readFwMark(value);
      return;
    case 'Address':
      splitList(value).forEach((item, index) => {
        const address = readInterfaceAddress(item, index);
        if (address.family === 6) draft.ipv6AddressLine ??= line;
        if (!draft.addresses.includes(address.text)) draft.addresses.push(address.text);
      });
      return;
    case 'DNS':
      splitList(value).forEach((item, index) => {
        draft.dns.push(readDnsItem(item, index));
      });
      return;
    case 'MTU':
      draft.mtu = readMtu(value);
      return;
    case 'Table':
      draft.table = readTable(value);
      return;
    case 'PreUp':
      draft.preUp.push(value);
      return;
    case 'PostUp':
      draft.postUp.push(value);
      return;
    case 'PreDown':
      draft.preDown.push(value);
      return;
    case 'PostDown':
      draft.postDown.push(value);
      return;
    case 'SaveConfig':
      draft.saveConfig = readBoolean(value);
      return;
  }
}

function applyPeerKey(
  draft: PeerDraft,
  key: PeerKey,
  value: string,
  strategies: readonly string[],
  previous: readonly PeerSection[],
): void {
  switch (key) {
    case 'PublicKey': {
      const publicKey = requireKey(value);
      const text = formatWgKey(publicKey);
      const twin = previous.find((p) => p.publicKeyText === text);
      if (twin) {
        throw new ValueError(
          'DUPLICATE_PEER',
          `duplicate peer: the [Peer] on line ${twin.line} has the same key`,
        );
      }
      draft.publicKey = publicKey;
      draft.publicKeyText = text;
      return;
    }
    case 'PresharedKey':
      draft.presharedKey = requireKey(value);
      return;
    case 'AllowedIPs':
      splitList(value).forEach((item, index) => {
        const prefix = readAllowedIp(item, index);
        if (!draft.allowedIPs.includes(prefix)) draft.allowedIPs.push(prefix);
      });
      return;
    case 'Endpoint':
      draft.endpoints = readEndpoints(value);
      draft.endpointText = value;
      return;
    case 'PersistentKeepalive':
      draft.persistentKeepalive = readKeepalive(value);
      return;
    case 'Strategy':
      draft.strategy = readStrategy(value, strategies);
      return;
    case 'OracleFallback':
      draft.oracleFallback = readStrategy(value, strategies).name;
      return;
  }
}

/** Parses the list (syntax errors propagate) and refuses literals that can never be a peer. */
function readEndpoints(value: string): EndpointItem[] {
  const items = parseEndpointList(value);
  for (const item of items) {
    if (item.kind !== 'address') continue;
    const { class: addressClass } = classifyAddress(item.address);
    if (!isUsableClass(addressClass)) {
      const article = /^[aeiou]/.test(addressClass) ? 'an' : 'a';
      throw new ValueError(
        'BAD_ENDPOINT',
        endpointReason(
          item.index,
          item.text,
          item.offset,
          `${article} ${addressClass} address can never be a peer`,
        ),
      );
    }
  }
  return items;
}

function finishInterface(draft: InterfaceDraft, fail: Fail): void {
  if (!draft.privateKey)
    fail('MISSING_KEY', draft.line, '[Interface] has no PrivateKey', 'PrivateKey', false);
  const mtuLine = draft.lines.MTU;
  if (draft.mtu !== undefined && mtuLine !== undefined && draft.mtu < MIN_MTU_IPV6 && draft.ipv6AddressLine) {
    fail(
      'OUT_OF_RANGE',
      mtuLine,
      `${draft.mtu} is below ${MIN_MTU_IPV6}, the minimum for IPv6 (line ${draft.ipv6AddressLine} has an IPv6 Address)`,
      'MTU',
    );
  }
}

function toInterface(draft: InterfaceDraft): InterfaceSection {
  const section: InterfaceSection = {
    line: draft.line,
    lines: draft.lines,
    privateKey: draft.privateKey!,
    addresses: draft.addresses,
    dns: draft.dns,
    preUp: draft.preUp,
    postUp: draft.postUp,
    preDown: draft.preDown,
    postDown: draft.postDown,
  };
  if (draft.listenPort !== undefined) section.listenPort = draft.listenPort;
  if (draft.fwMark !== undefined) section.fwMark = draft.fwMark;
  if (draft.mtu !== undefined) section.mtu = draft.mtu;
  if (draft.table !== undefined) section.table = draft.table;
  if (draft.saveConfig !== undefined) section.saveConfig = draft.saveConfig;
  return section;
}

function finishPeer(draft: PeerDraft, fail: Fail): PeerSection {
  if (!draft.publicKey || draft.publicKeyText === undefined) {
    return fail('MISSING_KEY', draft.line, '[Peer] has no PublicKey', 'PublicKey', false);
  }
  let strategy: StrategyConfig = draft.strategy ?? { name: DEFAULT_STRATEGY, options: {} };
  if (draft.oracleFallback !== undefined) {
    const line = draft.lines.OracleFallback ?? draft.line;
    if (strategy.name !== 'userspace-oracle')
      fail('BAD_STRATEGY_OPTION', line, 'applies only to Strategy = userspace-oracle', 'OracleFallback');
    if (strategy.options.fallback !== undefined)
      fail('BAD_STRATEGY_OPTION', line, 'the Strategy line already has fallback=', 'OracleFallback');
    strategy = { name: strategy.name, options: { ...strategy.options, fallback: draft.oracleFallback } };
  }
  const section: PeerSection = {
    line: draft.line,
    lines: draft.lines,
    publicKey: draft.publicKey,
    publicKeyText: draft.publicKeyText,
    allowedIPs: draft.allowedIPs,
    endpoints: draft.endpoints ?? [],
    strategy,
  };
  if (draft.presharedKey !== undefined) section.presharedKey = draft.presharedKey;
  if (draft.endpointText !== undefined) section.endpointText = draft.endpointText;
  if (draft.persistentKeepalive !== undefined) section.persistentKeepalive = draft.persistentKeepalive;
  return section;
}
