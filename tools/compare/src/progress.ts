/**
 * Progress of a sweep: a bar with an ETA (cli-progress) on a terminal, plain lines otherwise
 * (CI logs, pipes), at most one every 5 % or 10 s.
 */
import { Presets, SingleBar } from 'cli-progress';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  return s >= 90 ? `${Math.round(s / 60)} min` : `${Math.round(s)} s`;
}

export function createProgress(total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new SingleBar(
      {
        format:
          'runs {bar} {value}/{total} {percentage}% | {duration_formatted} elapsed | ETA {eta_formatted}',
        stream,
      },
      Presets.shades_classic,
    );
    bar.start(total, 0);
    return { update: (done) => bar.update(done), stop: () => bar.stop() };
  }
  const start = Date.now();
  let lastAt = start;
  let lastDone = 0;
  return {
    update(done) {
      const now = Date.now();
      if (done < total && done - lastDone < total / 20 && now - lastAt < 10_000) return;
      lastAt = now;
      lastDone = done;
      const elapsed = (now - start) / 1000;
      const eta = (elapsed / done) * (total - done);
      stream.write(
        `[pathwire-compare] ${done}/${total} runs (${Math.floor((100 * done) / total)} %), ${formatSeconds(elapsed)} elapsed, ETA ${formatSeconds(eta)}\n`,
      );
    },
    stop() {},
  };
}
