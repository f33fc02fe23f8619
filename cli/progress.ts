import cliProgress from 'cli-progress';
import type { Output } from './output.js';

/** A progress display for long work; the no-op one is used when nobody is watching. */
export interface Progress {
  update(value: number, total: number, detail?: string): void;
  stop(): void;
}

const SILENT: Progress = { update: () => undefined, stop: () => undefined };

/**
 * A bar on stderr, only when stderr is a terminal and the output is human: a bar in a log file is noise,
 * and with --json nothing but the document may be written for a reader to trip over.
 */
export function startProgress(
  output: Output,
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  if (output.json || !stream.isTTY) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} [{bar}] {percentage}% {detail}`,
      hideCursor: true,
      clearOnComplete: true,
      // Redraw at most ten times a second; an import of small traces calls update thousands of times.
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(value, total, detail = '') {
      if (!started) {
        bar.start(Math.max(total, 1), 0, { detail });
        started = true;
      }
      bar.setTotal(Math.max(total, 1));
      bar.update(value, { detail });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
