import type { Command } from 'commander';
import { withCommonOptions } from '../context.js';
import { newMaster, printRecoveryKey, withNewMasterOptions, type NewMasterOptions } from '../new-master.js';
import type { Runner } from '../runner.js';
import { withSession } from '../unlock.js';

/**
 * `vault-manager keys rotate-master`: a fresh root key under one new master alone (Vault.rotateMaster).
 * Every other slot goes with the old root key, so the output says so plainly and lists what was removed:
 * whoever relied on one of those masters must be enrolled again.
 */
export function registerRotateMaster(keys: Command, runner: Runner): void {
  withCommonOptions(
    withNewMasterOptions(
      keys
        .command('rotate-master')
        .description('move the vault to a new master alone: a fresh root key, every other key slot removed'),
    ),
  ).action((options: NewMasterOptions) =>
    runner.run(options, (context) => {
      const master = newMaster(context, options);
      return withSession(context, async (session) => {
        const { output } = context;
        const removed = session.admin.listSlots();
        const { provider, words } = await master();
        const id = await session.admin.rotateMaster(provider);
        const doc = { id, kind: provider.kind, label: provider.label, removedSlots: removed };
        output.result(words === undefined ? doc : { ...doc, recoveryKey: words }, () => {
          output.print(
            `The vault now has a fresh root key, opened by key slot ${id} (${provider.kind}) alone.`,
          );
          output.print(
            `Every other key slot was removed: ${removed.length} slot(s) no longer open this vault.`,
          );
          for (const slot of removed) output.print(`  ${slot.id}  ${slot.kind.padEnd(12)} ${slot.label}`);
          output.print('Enrol each master still needed again with `vault-manager keys slots add`.');
          if (words !== undefined) {
            output.print('');
            printRecoveryKey(output, 'The recovery key is now the only master.', words);
          }
        });
      });
    }),
  );
}
