/**
 * Hosts: named machines with interfaces carrying IPv4 and/or IPv6 addresses. A host can
 * lose a whole family (sends of that family fail at once with ENETUNREACH), take an
 * interface down, or have an address replaced (NAT rebinding, roaming).
 */
import { type AddressFamily, addressFamily, canonicalAddress } from './endpoint.js';
import { NetsimError } from './errors.js';
import type { NodeHandle } from './node-handle.js';

export interface InterfaceSpec {
  name: string;
  addresses: string[];
  up?: boolean;
}

/** Either `addresses` (one interface named `eth0`) or a list of `interfaces`. */
export interface HostSpec {
  addresses?: string[];
  interfaces?: InterfaceSpec[];
}

/** What a host needs from the simulator that owns it. */
export interface HostRegistry {
  claimAddress(host: Host, address: string): void;
  releaseAddress(host: Host, address: string): void;
  renumberPaths(from: string, to: string): void;
  log(kind: string, data: unknown): void;
}

export interface NetInterface {
  readonly name: string;
  readonly addresses: string[];
  up: boolean;
}

export class Host {
  readonly interfaces: NetInterface[] = [];
  /** Nodes bound on this host, by UDP port. */
  readonly ports = new Map<number, NodeHandle>();
  private readonly disabled = new Set<AddressFamily>();

  constructor(
    readonly name: string,
    spec: HostSpec,
    private readonly registry: HostRegistry,
  ) {
    const specs = spec.interfaces ?? [{ name: 'eth0', addresses: spec.addresses ?? [] }];
    for (const s of specs) {
      if (this.interfaces.some((i) => i.name === s.name)) {
        throw new NetsimError('INVALID_ARGUMENT', `host ${name}: duplicate interface ${s.name}`);
      }
      const iface: NetInterface = { name: s.name, addresses: [], up: s.up ?? true };
      this.interfaces.push(iface);
      for (const a of s.addresses) this.attachAddress(iface, canonicalAddress(a));
    }
  }

  /** Usable addresses (interface up), optionally of one family, in interface order. */
  addresses(family?: AddressFamily): string[] {
    const out: string[] = [];
    for (const iface of this.interfaces) {
      if (!iface.up) continue;
      for (const a of iface.addresses) if (family === undefined || addressFamily(a) === family) out.push(a);
    }
    return out;
  }

  /** The address is on an interface that is up. */
  hasAddress(address: string): boolean {
    for (const iface of this.interfaces) if (iface.up && iface.addresses.includes(address)) return true;
    return false;
  }

  /** Whether the family is enabled (it may still have no address). */
  familyAvailable(family: AddressFamily): boolean {
    return !this.disabled.has(family);
  }

  /** Disable or re-enable a family: while disabled, sends fail with ENETUNREACH, arrivals drop. */
  setFamilyAvailable(family: AddressFamily, available: boolean): this {
    if (available) this.disabled.delete(family);
    else this.disabled.add(family);
    this.registry.log('family', { host: this.name, family, available });
    return this;
  }

  setInterfaceUp(name: string, up: boolean): this {
    this.iface(name).up = up;
    this.registry.log('interface', { host: this.name, interface: name, up });
    return this;
  }

  addAddress(address: string, ifaceName?: string): this {
    const a = canonicalAddress(address);
    const iface = ifaceName === undefined ? this.interfaces[0] : this.iface(ifaceName);
    if (!iface) throw new NetsimError('UNKNOWN_INTERFACE', `host ${this.name} has no interface`);
    this.attachAddress(iface, a);
    this.registry.log('address-added', { host: this.name, address: a });
    return this;
  }

  removeAddress(address: string): this {
    const a = canonicalAddress(address);
    const iface = this.ifaceOf(a);
    iface.addresses.splice(iface.addresses.indexOf(a), 1);
    this.registry.releaseAddress(this, a);
    this.registry.log('address-removed', { host: this.name, address: a });
    return this;
  }

  /**
   * Replace `from` by `to` in place (same interface, same position). With `movePaths` (the
   * default) every path touching `from` now touches `to`: peers see datagrams from a new
   * source, as after a NAT rebinding. Datagrams in flight to `from` are dropped on arrival.
   */
  replaceAddress(from: string, to: string, options: { movePaths?: boolean } = {}): this {
    const a = canonicalAddress(from);
    const b = canonicalAddress(to);
    const iface = this.ifaceOf(a);
    this.registry.claimAddress(this, b);
    if (options.movePaths ?? true) {
      try {
        this.registry.renumberPaths(a, b);
      } catch (error) {
        this.registry.releaseAddress(this, b);
        throw error;
      }
    }
    iface.addresses[iface.addresses.indexOf(a)] = b;
    this.registry.releaseAddress(this, a);
    this.registry.log('address-replaced', { host: this.name, from: a, to: b });
    return this;
  }

  /** Source address for a send of `family` to `destination`, preferring one with a path. */
  pickSource(
    family: AddressFamily,
    destination: string,
    hasPath: (from: string, to: string) => boolean,
  ): string | undefined {
    let fallback: string | undefined;
    for (const iface of this.interfaces) {
      if (!iface.up) continue;
      for (const a of iface.addresses) {
        if (addressFamily(a) !== family) continue;
        if (hasPath(a, destination)) return a;
        fallback ??= a;
      }
    }
    return fallback;
  }

  private attachAddress(iface: NetInterface, address: string): void {
    this.registry.claimAddress(this, address);
    iface.addresses.push(address);
  }

  private iface(name: string): NetInterface {
    const iface = this.interfaces.find((i) => i.name === name);
    if (!iface) throw new NetsimError('UNKNOWN_INTERFACE', `host ${this.name} has no interface ${name}`);
    return iface;
  }

  private ifaceOf(address: string): NetInterface {
    const iface = this.interfaces.find((i) => i.addresses.includes(address));
    if (!iface) throw new NetsimError('UNKNOWN_ADDRESS', `host ${this.name} has no address ${address}`);
    return iface;
  }
}
