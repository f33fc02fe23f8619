import { resolve } from 'node:path';
import type { Command } from 'commander';
import { withCommonOptions, type CommonOptions } from '../context.js';
import { filterOf, withFilterOptions, type FilterOptions } from '../filters.js';
import { formatBytes } from '../format.js';
import { startProgress } from '../progress.js';
import type { Runner } from '../runner.js';
import { withSession } from '../unlock.js';

type ExportOptions = CommonOptions & FilterOptions & { output: string; force?: boolean };

export function registerExport(program: Command, runner: Runner): void {
  withCommonOptions(
    withFilterOptions(
      program
        .command('export')
        .description('write traces, decrypted, to a native JSON Lines file that `import` reads back')
        .requiredOption('--output <path>', 'the file to write (owner-only permissions)')
        .option('--force', 'replace the file if it exists'),
    ),
  ).action((options: ExportOptions) =>
    runner.run(options, (context) =>
      withSession(context, async (session) => {
        const file = resolve(options.output);
        const progress = startProgress(context.output, 'exporting');
        let report;
        try {
          report = await session.traces.exportTo(file, filterOf(options), {
            overwrite: options.force ?? false,
            onTrace: (count, total) => progress.update(count, total, `${count}/${total} traces`),
          });
        } finally {
          progress.stop();
        }
        const { output } = context;
        output.result({ output: file, ...report }, () => {
          output.print(`Exported ${report.traces} trace(s) (${formatBytes(report.bytes)}) to ${file}`);
          output.print('The file holds the traces in plaintext: keep it where the vault would be kept.');
        });
      }),
    ),
  );
}
