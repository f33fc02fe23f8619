import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import {
  DEFAULT_BATCH_SIZE,
  IMPORT_FORMATS,
  type ImportFormat,
  type ImportReport,
} from '../../core/ingest/importer.js';
import type { VaultSession } from '../../core/access/vault-session.js';
import { withCommonOptions, type CommonOptions } from '../context.js';
import { ExitCode, usageError } from '../exit-codes.js';
import { MAX_BATCH_SIZE, MAX_TRACE_BYTES_LIMIT, MIN_TRACE_BYTES_LIMIT } from '../limits.js';
import type { Output } from '../output.js';
import { wholeNumber } from '../parse-flags.js';
import { startProgress } from '../progress.js';
import type { Runner } from '../runner.js';
import { withSession } from '../unlock.js';

interface ImportCommandOptions extends CommonOptions {
  file: string;
  format: ImportFormat;
  strict?: boolean;
  batchSize: number;
  maxTraceBytes?: number;
}

export interface ImportRun {
  file: string;
  format: ImportFormat;
  strict?: boolean;
  batchSize?: number;
  maxTraceBytes?: number;
}

export function registerImport(program: Command, runner: Runner): void {
  withCommonOptions(
    program
      .command('import')
      .description('import traces from a file; bad lines are reported with their numbers, good ones kept')
      .requiredOption('--file <path>', 'the file to read')
      .addOption(
        new Option('--format <format>', 'the file format')
          .choices(Object.keys(IMPORT_FORMATS))
          .default('native'),
      )
      .option('--strict', 'stop at the first bad record (records before it stay imported)')
      .addOption(
        new Option('--batch-size <n>', 'traces per transaction')
          .argParser(wholeNumber(1, MAX_BATCH_SIZE))
          .default(DEFAULT_BATCH_SIZE),
      )
      .addOption(
        new Option(
          '--max-trace-bytes <n>',
          "refuse traces larger than this (at most the vault's limit)",
        ).argParser(wholeNumber(MIN_TRACE_BYTES_LIMIT, MAX_TRACE_BYTES_LIMIT)),
      )
      .addHelpText('after', '\nExit status: 0 when every record was imported, 1 when any was rejected.'),
  ).action((options: ImportCommandOptions) =>
    runner.run(options, (context) =>
      withSession(context, async (session) => {
        const file = resolve(options.file);
        const report = await importInto(session, { ...options, file }, context.output);
        context.output.result({ file, format: options.format, ...report }, () =>
          printImportReport(context.output, report),
        );
        return report.rejected.length > 0 ? ExitCode.ERROR : ExitCode.OK;
      }),
    ),
  );
}

/**
 * Imports a file with a progress bar, and reports each rejected record on stderr (human mode; with --json
 * the rejections are in the document). Shared with quickstart.
 */
export async function importInto(
  session: VaultSession,
  run: ImportRun,
  output: Output,
): Promise<ImportReport> {
  if (run.maxTraceBytes !== undefined && run.maxTraceBytes > session.maxTraceBytes) {
    // The importer would store what the vault was created to refuse; only a lower limit makes sense.
    throw usageError(
      `--max-trace-bytes ${run.maxTraceBytes} is over this vault's limit of ${session.maxTraceBytes} bytes; it can only lower it`,
    );
  }
  const progress = startProgress(output, 'importing');
  let report: ImportReport;
  try {
    const imported = await session.traces.importFile(run.file, {
      format: run.format,
      strict: run.strict ?? false,
      ...(run.batchSize === undefined ? {} : { batchSize: run.batchSize }),
      ...(run.maxTraceBytes === undefined ? {} : { maxTraceBytes: run.maxTraceBytes }),
      onProgress: (p) =>
        progress.update(
          p.bytesRead,
          p.totalBytes,
          `${p.stored} stored, ${p.duplicates} duplicates, ${p.rejected} rejected`,
        ),
    });
    report = {
      ...imported,
      rejected: imported.rejected,
    };
  } finally {
    progress.stop();
  }
  if (!output.json) {
    for (const rejection of report.rejected)
      output.warn(`${run.file}, ${rejection.where}: ${rejection.reason}`);
    if (report.rejected.length > 0) {
      output.warn(`${report.rejected.length} record(s) rejected; the others were imported`);
    }
  }
  return report;
}

export function printImportReport(output: Output, report: ImportReport): void {
  output.print(
    `Imported ${report.stored} trace(s); ${report.duplicates} already in the vault; ${report.rejected.length} rejected.`,
  );
}
