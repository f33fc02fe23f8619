import type { Command } from 'commander';
import type { StoredSlot } from '../../core/keys/key-provider.js';
import { readStoredSlot } from '../../core/vault/inspect.js';
import type { VaultSession } from '../../core/access/vault-session.js';
import { withCommonOptions, type CommandContext, type CommonOptions } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { keychainProvider } from '../masters.js';
import { newMaster, printRecoveryKey, withNewMasterOptions, type NewMasterOptions } from '../new-master.js';
import { wholeNumber } from '../parse-flags.js';
import { describeError } from '../report-error.js';
import type { Runner } from '../runner.js';
import { withSession } from '../unlock.js';

/** `vault-manager keys slots …`: the masters that can unlock this vault. */
export function registerKeySlots(keys: Command, runner: Runner): void {
  const slots = keys.command('slots').description('the masters that can unlock this vault');

  withCommonOptions(slots.command('list').description('list key slots')).action((options: CommonOptions) =>
    runner.run(options, (context) =>
      withSession(context, (session) => {
        const list = session.admin.listSlots();
        context.output.result({ slots: list }, () => {
          for (const slot of list)
            context.output.print(
              `  ${slot.id}  ${slot.kind.padEnd(12)} ${slot.label.padEnd(24)} ${(slot.user ?? '-').padEnd(16)} ${slot.createdAt}`,
            );
        });
      }),
    ),
  );

  withCommonOptions(
    withNewMasterOptions(
      slots
        .command('add')
        .description('add a key slot: one more master that opens this vault')
        .option('--for-user <name>', 'the user whom the new slot authenticates (default: you)'),
    ),
  ).action((options: NewMasterOptions & { forUser?: string }) =>
    runner.run(options, (context) => {
      const master = newMaster(context, options);
      return withSession(context, async (session) => {
        const { provider, words } = await master();
        const id = await session.admin.addSlot(provider, options.forUser);
        const added = { id, kind: provider.kind, label: provider.label };
        if (words === undefined) {
          context.output.result(added, () => context.output.print(`Added ${provider.kind} key slot ${id}.`));
          return;
        }
        // Shown this once and never stored: whoever holds these words can open the vault.
        context.output.result({ ...added, recoveryKey: words }, () =>
          printRecoveryKey(context.output, `Added recovery key slot ${id}.`, words),
        );
      });
    }),
  );

  withCommonOptions(
    slots
      .command('remove')
      .description("remove a key slot (never the last one); a keychain slot's entry is deleted too")
      .argument('<id>', 'slot id, from `keys slots list`', wholeNumber(1, Number.MAX_SAFE_INTEGER)),
  ).action((id: number, options: CommonOptions) =>
    runner.run(options, (context) => withSession(context, (session) => removeSlot(context, session, id))),
  );
}

/**
 * Removes the slot, then the secret it kept outside the vault: a keychain slot's entry would otherwise
 * stay in the keychain for good, named by nothing. In that order, so a refused removal (the last slot)
 * never costs the vault a master. An entry that cannot be deleted is reported by name, exit status 1.
 */
async function removeSlot(context: CommandContext, session: VaultSession, id: number): Promise<ExitCode> {
  const { output } = context;
  // Read before removing: afterwards no row names the entry.
  const stored = readStoredSlot(context.home, id);
  session.admin.removeSlot(id);
  if (stored?.kind !== 'keychain') {
    output.result({ removed: id }, () => output.print(`Removed key slot ${id}.`));
    return ExitCode.OK;
  }
  const entry = keychainEntryName(stored);
  try {
    const deleted = await keychainProvider().deleteSecret(stored, { vaultId: session.vaultId });
    output.result(
      { removed: id, keychainEntry: { ...entry, status: deleted ? 'deleted' : 'already-gone' } },
      () =>
        output.print(
          deleted
            ? `Removed key slot ${id} and deleted its OS keychain entry.`
            : `Removed key slot ${id}; its OS keychain entry was already gone.`,
        ),
    );
    return ExitCode.OK;
  } catch (error) {
    const reason = describeError(error).message;
    output.warn(
      `warning: key slot ${id} was removed, but its OS keychain entry (service "${entry.service}", ` +
        `account "${entry.account}") could not be deleted: ${reason}. Delete it with the keychain's own tool.`,
    );
    output.result({ removed: id, keychainEntry: { ...entry, status: 'kept', error: reason } }, () =>
      output.print(`Removed key slot ${id}.`),
    );
    return ExitCode.ERROR;
  }
}

/** The entry's name (not secret: it is how a person finds the entry in the keychain's own tool). */
function keychainEntryName(slot: StoredSlot): { service: string; account: string } {
  return { service: String(slot.params.service), account: String(slot.params.account) };
}
