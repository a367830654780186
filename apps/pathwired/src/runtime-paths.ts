/** Where a running interface keeps its files: the UAPI socket (as wireguard-go) and our pid file. */
import { join } from 'node:path';

export const UAPI_DIRECTORY = process.env.PATHWIRE_UAPI_DIR ?? '/var/run/wireguard';
export const RUN_DIRECTORY = process.env.PATHWIRE_RUN_DIR ?? '/var/run/pathwire';

export const uapiSocketPath = (iface: string): string => join(UAPI_DIRECTORY, `${iface}.sock`);
export const pidFilePath = (iface: string): string => join(RUN_DIRECTORY, `${iface}.pid`);

/** wg-quick's rule: the interface is named after the file, and must be a valid interface name. */
export function interfaceNameFromConfig(path: string): string {
  const base = path.split('/').pop() ?? path;
  const name = base.endsWith('.conf') ? base.slice(0, -5) : base;
  if (!/^[a-zA-Z0-9_=+.-]{1,15}$/.test(name)) {
    throw new Error(
      `${path}: the interface name "${name}" (from the file name) must be 1-15 characters of [a-zA-Z0-9_=+.-]`,
    );
  }
  return name;
}
