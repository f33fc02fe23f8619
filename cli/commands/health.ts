import type { Command } from 'commander';
import { inspectVault } from '../../core/vault/inspect.js';
import { withCommonOptions, type CommonOptions } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { healthLines } from '../format.js';
import type { Runner } from '../runner.js';

export function registerHealth(program: Command, runner: Runner): void {
  withCommonOptions(
    program
      .command('health')
      .description("report the vault's state without unlocking it (no passphrase needed)")
      .addHelpText(
        'after',
        '\nExit status: 0 when a vault exists and is sound, 1 otherwise (the report is printed either way).',
      ),
  ).action((options: CommonOptions) =>
    runner.run(options, ({ home, output }) => {
      const report = inspectVault(home);
      output.result(report, () => {
        for (const line of healthLines(report)) output.print(line);
      });
      return Promise.resolve(report.ok ? ExitCode.OK : ExitCode.ERROR);
    }),
  );
}
