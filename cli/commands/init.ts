import { Option, type Command } from 'commander';
import { DEFAULT_SCRYPT_COST, MIN_SCRYPT_COST } from '../../core/keys/passphrase-provider.js';
import { DEFAULT_MAX_TRACE_BYTES } from '../../core/ingest/importer.js';
import { withCommonOptions, type CommonOptions } from '../context.js';
import { MAX_SCRYPT_COST, MAX_TRACE_BYTES_LIMIT, MIN_TRACE_BYTES_LIMIT } from '../limits.js';
import type { KeyProvider } from '../../core/keys/key-provider.js';
import { readKeySlots } from '../../core/vault/inspect.js';
import type { CommandContext } from '../context.js';
import { tokenKeyMaster, withTokenKeyOptions, type TokenKeyOptions } from '../master-flags.js';
import { keychainProvider, PIN_ENV, UNLOCK_PIN } from '../masters.js';
import { wholeNumber } from '../parse-flags.js';
import type { Runner } from '../runner.js';
import { createVault, KEY_PROVIDERS, type KeyProviderName } from '../unlock.js';

interface InitOptions extends CommonOptions, TokenKeyOptions {
  kdfCost: number;
  maxTraceBytes?: number;
  admin: string;
  keyProvider: KeyProviderName;
}

/** The slot's master, or undefined for the passphrase (which createVault asks for itself). */
function masterOf(options: InitOptions, context: CommandContext): (() => Promise<KeyProvider>) | undefined {
  switch (options.keyProvider) {
    case 'passphrase':
      return undefined;
    case 'keychain':
      return () => Promise.resolve(keychainProvider());
    case 'pkcs11':
      // A vault being created has no other master yet: its PIN is the unlocking one.
      return tokenKeyMaster(context, options, '--key-provider', UNLOCK_PIN);
  }
}

export function registerInit(program: Command, runner: Runner): void {
  const init = program
    .command('init')
    .description('create a new, empty vault protected by a passphrase, a security token or the OS keychain')
    .addOption(
      new Option('--kdf-cost <n>', `scrypt cost as a power of two (${MIN_SCRYPT_COST}-${MAX_SCRYPT_COST})`)
        .argParser(wholeNumber(MIN_SCRYPT_COST, MAX_SCRYPT_COST))
        .default(DEFAULT_SCRYPT_COST),
    )
    .addOption(
      new Option(
        '--max-trace-bytes <n>',
        `refuse traces larger than this (default ${DEFAULT_MAX_TRACE_BYTES})`,
      ).argParser(wholeNumber(MIN_TRACE_BYTES_LIMIT, MAX_TRACE_BYTES_LIMIT)),
    )
    .addOption(
      new Option('--key-provider <kind>', 'what protects the vault key')
        .choices(KEY_PROVIDERS)
        .default('passphrase'),
    )
    .option('--admin <name>', 'the first user, who holds the admin role and owns this key slot', 'admin')
    .addHelpText('after', `\nThe token PIN comes from $${PIN_ENV}, else it is asked for on the terminal.`);
  withCommonOptions(withTokenKeyOptions(init)).action((options: InitOptions) =>
    runner.run(options, async (context) => {
      const { home, output } = context;
      const master = masterOf(options, context);
      const vault = await createVault(context, {
        kdfCost: options.kdfCost,
        ...(options.maxTraceBytes === undefined ? {} : { maxTraceBytes: options.maxTraceBytes }),
        ...(master === undefined ? {} : { master }),
        owner: options.admin,
      });
      const slot = readKeySlots(home)[0];
      const created = {
        home,
        vaultId: vault.vaultId,
        keyProvider: options.keyProvider,
        kdfCost: options.kdfCost,
        maxTraceBytes: vault.maxTraceBytes,
        admin: options.admin,
        ...(slot === undefined ? {} : { keySlot: slot }),
      };
      await vault.close();
      output.result(created, () => {
        output.print(`Created a vault in ${home}`);
        output.print(
          options.keyProvider === 'passphrase'
            ? `  key slot: passphrase (scrypt N=2^${options.kdfCost})`
            : `  key slot: ${options.keyProvider}${slot?.uri ? ` (${slot.uri})` : ''}`,
        );
        output.print(`  traces up to ${vault.maxTraceBytes} bytes`);
        output.print(`  first user: ${options.admin} (role admin)`);
        output.print('Next: vault-manager import --file <traces.jsonl>');
      });
    }),
  );
}
