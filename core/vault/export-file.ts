import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { ErrorCode, VaultError } from '../../common/errors.js';
import type { Trace } from '../../common/trace.js';

export interface ExportReport {
  traces: number;
  bytes: number;
}

/**
 * Writes traces as native JSON Lines (re-importable). The file appears under its name only once complete
 * and on disk (written beside it, fsynced, renamed), with owner-only permissions: it holds plaintext.
 */
export function writeExportFile(
  output: string,
  traces: Iterable<Trace>,
  options: {
    overwrite?: boolean;
    onTrace?: (count: number) => void;
    /** Runs once the file is complete and durable, before it appears under its name; a throw abandons it. */
    beforePublish?: (report: ExportReport) => void;
  } = {},
): ExportReport {
  if (existsSync(output) && !options.overwrite) {
    throw new VaultError(
      ErrorCode.BAD_INPUT,
      `${output} already exists; choose another file or pass --force`,
    );
  }
  const partial = `${output}.partial`;
  let fd: number;
  try {
    fd = openSync(partial, 'w', 0o600);
  } catch (error) {
    throw new VaultError(
      ErrorCode.BAD_INPUT,
      `cannot write ${output}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  const report: ExportReport = { traces: 0, bytes: 0 };
  try {
    for (const trace of traces) {
      const line = Buffer.from(`${JSON.stringify(trace)}\n`, 'utf8');
      writeSync(fd, line);
      report.traces++;
      report.bytes += line.length;
      options.onTrace?.(report.traces);
    }
    fsyncSync(fd);
    closeSync(fd);
    options.beforePublish?.(report);
    renameSync(partial, output);
    return report;
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(partial, { force: true });
    throw error;
  }
}
