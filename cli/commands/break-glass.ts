import { Option, type Command } from 'commander';
import { withCommonOptions, type CommonOptions } from '../context.js';
import { nonEmpty, wholeNumber } from '../parse-flags.js';
import type { Runner } from '../runner.js';
import { withSession } from '../unlock.js';

/** The longest window the policy itself may allow; the policy in force may allow less (checked by the engine). */
const MAX_MINUTES = 24 * 60;

type BreakGlassOptions = CommonOptions & { reason: string; minutes: number };

/** `vault-manager break-glass`: emergency read access to every trace, for a while, recorded and alerted. */
export function registerBreakGlass(program: Command, runner: Runner): void {
  withCommonOptions(
    program
      .command('break-glass')
      .description('emergency access: read and search every trace for a few minutes, recorded and alerted')
      .requiredOption(
        '--reason <text>',
        'why the access is needed (kept sealed in the vault for the auditor)',
        nonEmpty,
      )
      .addOption(
        new Option('--minutes <n>', 'how long the window stays open (at most the policy allows)')
          .argParser(wholeNumber(1, MAX_MINUTES))
          .makeOptionMandatory(),
      )
      .addHelpText(
        'after',
        `
The window belongs to your user and ends by itself. Every command you run while it is open is marked in
the audit log with the window's id, and an alert is raised when it opens.`,
      ),
  ).action((options: BreakGlassOptions) =>
    runner.run(options, (context) =>
      withSession(context, (session) => {
        const grant = session.breakGlass(options.reason, options.minutes);
        const { output } = context;
        output.result(
          { user: session.user.name, id: grant.id, endsAt: grant.endsAt, minutes: options.minutes },
          () => {
            output.print(
              `Break-glass access for ${session.user.name} until ${grant.endsAt} (window ${grant.id}).`,
            );
            output.print('This access is recorded in the audit log, and an alert has been raised.');
          },
        );
      }),
    ),
  );
}
