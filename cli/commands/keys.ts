import { Option, type Command } from 'commander';
import {
  DEFAULT_SCRYPT_COST,
  MIN_SCRYPT_COST,
  PassphraseKeyProvider,
} from '../../core/keys/passphrase-provider.js';
import { RecoveryKeyProvider } from '../../core/keys/recovery-provider.js';
import { withCommonOptions, type CommonOptions } from '../context.js';
import { MAX_SCRYPT_COST } from '../limits.js';
import { NEW_PASSPHRASE_ENV, obtainPassphrase } from '../passphrase.js';
import { wholeNumber } from '../parse-flags.js';
import { startProgress } from '../progress.js';
import type { Runner } from '../runner.js';
import { RECOVERY_KEY_ENV, withVault } from '../unlock.js';

/** Kinds of key slot `keys slots add` can create from the command line. */
const SLOT_KINDS = ['passphrase', 'recovery'] as const;

type SlotAddOptions = CommonOptions & { kind: (typeof SLOT_KINDS)[number]; label?: string; kdfCost: number };

/** `vault-manager keys …`: key slots, KEK rotation and its status (design.md §3). */
export function registerKeys(program: Command, runner: Runner): void {
  const keys = program.command('keys').description('key slots, KEK rotation and key status');

  withCommonOptions(
    keys.command('status').description('KEK versions, what each protects, age and next rotation due'),
  ).action((options: CommonOptions) =>
    runner.run(options, (context) =>
      withVault(context, (vault) => {
        const status = vault.keyStatus();
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
      withVault(context, async (vault) => {
        const progress = startProgress(context.output, 're-wrapping');
        let version: number;
        try {
          version = await vault.rotateKeys((p) =>
            progress.update(p.moved, p.moved + p.remaining, `${p.moved} key(s)`),
          );
        } finally {
          progress.stop();
        }
        const status = vault.keyStatus();
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

  const slots = keys.command('slots').description('the masters that can unlock this vault');

  withCommonOptions(slots.command('list').description('list key slots')).action((options: CommonOptions) =>
    runner.run(options, (context) =>
      withVault(context, (vault) => {
        const list = vault.listSlots();
        context.output.result({ slots: list }, () => {
          for (const slot of list)
            context.output.print(
              `  ${slot.id}  ${slot.kind.padEnd(12)} ${slot.label.padEnd(24)} ${slot.createdAt}`,
            );
        });
      }),
    ),
  );

  withCommonOptions(
    slots
      .command('add')
      .description(`add a key slot; a new passphrase comes from ${NEW_PASSPHRASE_ENV} or the terminal`)
      .addOption(
        new Option('--kind <kind>', 'what protects the new slot').choices(SLOT_KINDS).default('passphrase'),
      )
      .option('--label <label>', 'a name for the slot, shown by `keys slots list`')
      .addOption(
        new Option('--kdf-cost <n>', 'scrypt cost as a power of two')
          .argParser(wholeNumber(MIN_SCRYPT_COST, MAX_SCRYPT_COST))
          .default(DEFAULT_SCRYPT_COST),
      ),
  ).action((options: SlotAddOptions) =>
    runner.run(options, (context) =>
      withVault(context, async (vault) => {
        if (options.kind === 'recovery') {
          const { provider, words } = RecoveryKeyProvider.generate();
          try {
            const id = await vault.addSlot(provider);
            // Shown this once and never stored: whoever holds these words can open the vault.
            context.output.result({ id, recoveryKey: words }, () => {
              context.output.print(
                `Added recovery key slot ${id}. Write these 24 words down and keep them offline:`,
              );
              context.output.print('');
              for (let row = 0; row < words.length; row += 6) {
                const line = words
                  .slice(row, row + 6)
                  .map((w, i) => `${String(row + i + 1).padStart(2)}. ${w.padEnd(10)}`);
                context.output.print(`  ${line.join(' ')}`);
              }
              context.output.print('');
              context.output.print(`They are not shown again. To unlock with them, set ${RECOVERY_KEY_ENV}.`);
            });
          } finally {
            provider.destroy();
          }
          return;
        }
        const passphrase = await obtainPassphrase(
          { confirm: true, variable: NEW_PASSPHRASE_ENV, prompt: 'Passphrase for the new slot: ' },
          { env: context.env },
        );
        const id = await vault.addSlot(
          new PassphraseKeyProvider(passphrase, options.kdfCost, options.label ?? 'passphrase'),
        );
        context.output.result({ id }, () => context.output.print(`Added key slot ${id}.`));
      }),
    ),
  );

  withCommonOptions(
    slots
      .command('remove')
      .description('remove a key slot (never the last one)')
      .argument('<id>', 'slot id, from `keys slots list`', wholeNumber(1, Number.MAX_SAFE_INTEGER)),
  ).action((id: number, options: CommonOptions) =>
    runner.run(options, (context) =>
      withVault(context, (vault) => {
        vault.removeSlot(id);
        context.output.result({ removed: id }, () => context.output.print(`Removed key slot ${id}.`));
      }),
    ),
  );
}
