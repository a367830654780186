/**
 * Declarative fault schedules: a list of timed changes to paths and hosts, applied by the
 * simulator at their times and logged to the timeline (source `fault`). For anything else,
 * `sim.at(t, fn)` runs arbitrary code at a virtual time.
 */
import type { AddressFamily } from './endpoint.js';
import type { Host } from './host.js';
import type { LinkProps, Path, PathSide } from './link.js';
import type { Simulator } from './simulator.js';

export type Fault =
  /** Change path properties, e.g. `{ at: 5000, path, set: { blackhole: true } }`. */
  | { at: number; path: Path; side?: PathSide; set: Partial<LinkProps> }
  /** Disable or re-enable a family on a host. */
  | { at: number; host: Host; family: AddressFamily; available: boolean }
  /** Take an interface down or up. */
  | { at: number; host: Host; iface: string; up: boolean }
  /** Replace an address (NAT rebinding / roaming); paths follow it. */
  | { at: number; host: Host; replaceAddress: { from: string; to: string } };

/** A JSON-friendly description of a fault, as logged to the timeline. */
export function describeFault(fault: Fault): Record<string, unknown> {
  if ('path' in fault)
    return { path: `${fault.path.a}<->${fault.path.b}`, side: fault.side ?? 'both', set: fault.set };
  if ('family' in fault) return { host: fault.host.name, family: fault.family, available: fault.available };
  if ('iface' in fault) return { host: fault.host.name, iface: fault.iface, up: fault.up };
  return { host: fault.host.name, replaceAddress: fault.replaceAddress };
}

export function applyFault(fault: Fault): void {
  if ('path' in fault) fault.path.set(fault.set, fault.side);
  else if ('family' in fault) fault.host.setFamilyAvailable(fault.family, fault.available);
  else if ('iface' in fault) fault.host.setInterfaceUp(fault.iface, fault.up);
  else fault.host.replaceAddress(fault.replaceAddress.from, fault.replaceAddress.to);
}

/**
 * Schedule every fault of `schedule` on `sim`.
 *
 * @example
 * ```ts
 * scheduleFaults(sim, [
 *   { at: 10_000, path, set: { blackhole: true } },
 *   { at: 20_000, path, set: { blackhole: false } },
 * ]);
 * ```
 */
export function scheduleFaults(sim: Simulator, schedule: readonly Fault[]): void {
  for (const fault of schedule) {
    sim.at(fault.at, () => {
      sim.record('fault', 'fault', describeFault(fault));
      applyFault(fault);
    });
  }
}
