/**
 * Route and address changes clear the sticky source addresses, as wireguard-go's
 * `routineRouteListener` (device/sticky_linux.go) and Linux's `wg_socket_clear_peer_endpoint_src`
 * do: a source address chosen under the old routes may now be wrong or gone; the next datagram
 * leaves from what routing picks, and the next authenticated packet makes it sticky again.
 * Node has no netlink socket, so this follows `ip -o monitor route address` (event-driven,
 * no polling); without `ip` it does nothing but say so.
 */
import { spawn } from 'node:child_process';

export interface RouteWatch {
  close(): void;
}

export function watchRoutes(onChange: () => void, onUnavailable: (reason: string) => void): RouteWatch {
  const monitor = spawn('ip', ['-o', 'monitor', 'route', 'address'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let closed = false;
  monitor.on('error', (error) => onUnavailable(error.message));
  monitor.on('exit', (code) => {
    if (!closed) onUnavailable(`ip monitor exited (${code})`);
  });
  // Several lines arrive for one change: clear once per burst.
  let pending = false;
  monitor.stdout.on('data', () => {
    if (pending) return;
    pending = true;
    setImmediate(() => {
      pending = false;
      if (!closed) onChange();
    });
  });
  monitor.unref();
  return {
    close() {
      closed = true;
      monitor.kill('SIGTERM');
    },
  };
}
