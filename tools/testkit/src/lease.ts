/**
 * Leases of small, unique numbers across concurrently running test processes, so that each
 * topology gets its own interface names and documentation subnets. A lease is a directory
 * (mkdir is atomic); leases of dead processes are reclaimed.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LEASE_DIR = '/tmp/pathwire-test-leases';
/** 32 topologies × 3 links fill the 96 /30s of 198.51.100.0/24 and 203.0.113.0/25. */
const LEASE_COUNT = 32;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Takes the lowest free number in [0, LEASE_COUNT). */
export function takeLease(): number {
  mkdirSync(LEASE_DIR, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    for (let n = 0; n < LEASE_COUNT; n++) {
      const path = join(LEASE_DIR, String(n));
      try {
        mkdirSync(path);
        writeFileSync(join(path, 'pid'), String(process.pid));
        return n;
      } catch {
        if (attempt === 1) continue;
        let owner = Number.NaN;
        try {
          owner = Number(readFileSync(join(path, 'pid'), 'utf8'));
        } catch {}
        if (Number.isFinite(owner) && !alive(owner)) rmSync(path, { recursive: true, force: true });
      }
    }
  }
  throw new Error(`no free test lease in ${LEASE_DIR}: too many topologies at once`);
}

export function releaseLease(n: number): void {
  rmSync(join(LEASE_DIR, String(n)), { recursive: true, force: true });
}
