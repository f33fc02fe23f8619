import type { Command } from 'commander';
import { withCommonOptions, type CommonOptions } from '../context.js';
import { startProgress } from '../progress.js';
import type { Runner } from '../runner.js';
import { withSession } from '../unlock.js';
import { registerKeySlots } from './key-slots.js';
import { registerRotateMaster } from './rotate-master.js';

/** `vault-manager keys …`: KEK rotation and its status, key slots, the master (design.md §3). */
export function registerKeys(program: Command, runner: Runner): void {
  const keys = program.command('keys').description('key slots, KEK rotation and key status');

  withCommonOptions(
    keys.command('status').description('KEK versions, what each protects, age and next rotation due'),
  ).action((options: CommonOptions) =>
    runner.run(options, (context) =>
      withSession(context, (session) => {
        const status = session.admin.keyStatus();
        context.output.result(status, () => {
          const { output } = context;
          output.print(`Current KEK version: ${status.currentVersion}`);
          for (const v of status.versions) {
            const state = v.current ? 'current' : v.retiredAt ? `retired ${v.retiredAt}` : 'active';
            output.print(
              `  v${v.version}  ${state.padEnd(32)} age ${v.ageDays} d  protects ${v.subjectKeys} subject key(s), ${v.vaultKeys} vault key(s)`,
            );
          }
          output.print(
            `Rotation every ${status.rotationDays} days; next due ${status.nextRotationDue}${status.rotationDue ? ' (due now)' : ''}`,
          );
          if (status.pendingRewrap > 0)
            output.print(
              `${status.pendingRewrap} key(s) still wait to be re-wrapped: run \`keys rotate\` or open the vault`,
            );
        });
      }),
    ),
  );

  withCommonOptions(
    keys.command('rotate').description('make a new KEK version and re-wrap every subject key under it'),
  ).action((options: CommonOptions) =>
    runner.run(options, (context) =>
      withSession(context, async (session) => {
        const progress = startProgress(context.output, 're-wrapping');
        let version: number;
        try {
          version = await session.admin.rotateKeys((p) =>
            progress.update(p.moved, p.moved + p.remaining, `${p.moved} key(s)`),
          );
        } finally {
          progress.stop();
        }
        const status = session.admin.keyStatus();
        context.output.result({ version, status }, () => {
          context.output.print(
            `Rotated to KEK version ${version}; ${status.pendingRewrap} key(s) left under older versions.`,
          );
          const retired = status.versions.filter((v) => v.retiredAt !== null).map((v) => `v${v.version}`);
          if (retired.length > 0) context.output.print(`Retired: ${retired.join(', ')}`);
        });
      }),
    ),
  );

  registerKeySlots(keys, runner);
  registerRotateMaster(keys, runner);
}
