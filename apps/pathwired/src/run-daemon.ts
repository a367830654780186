/**
 * Keeps a started daemon running until SIGINT/SIGTERM or until it stops by itself (its link
 * deleted, a fatal TUN error), and turns a crash into a clean stop: the interface, the UAPI
 * socket, the pid file and everything `up` installed are removed on every exit path.
 */
import type { Daemon } from './daemon.js';
import type { Logger } from './log.js';

/** Resolves with the exit code once the daemon has stopped: 0 for a signal, 1 when it stopped by itself. */
export async function runUntilStopped(daemon: Daemon, log: Logger): Promise<number> {
  const crash = (error: unknown) => {
    log.error('crashed', { message: error instanceof Error ? error.message : String(error) });
    void daemon.stop('crash').finally(() => process.exit(1));
  };
  process.once('uncaughtException', crash);
  process.once('unhandledRejection', crash);
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled = true;
    void daemon.stop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    const reason = await daemon.finished;
    // `wg-quick down` deletes the link: that is a normal way to stop, as for wireguard-go.
    return signalled || reason === 'link deleted' ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}
