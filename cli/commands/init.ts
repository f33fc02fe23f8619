import { Option, type Command } from 'commander';
import { DEFAULT_SCRYPT_COST, MIN_SCRYPT_COST } from '../../core/keys/passphrase-provider.js';
import { DEFAULT_MAX_TRACE_BYTES } from '../../core/ingest/importer.js';
import { withCommonOptions, type CommonOptions } from '../context.js';
import { MAX_SCRYPT_COST, MAX_TRACE_BYTES_LIMIT, MIN_TRACE_BYTES_LIMIT } from '../limits.js';
import type { KeyProvider } from '../../core/keys/key-provider.js';
import type { Pkcs11Scheme } from '../../core/keys/pkcs11-provider.js';
import { readKeySlots } from '../../core/vault/inspect.js';
import type { CommandContext } from '../context.js';
import { usageError } from '../exit-codes.js';
import { DEFAULT_KEY_LABEL, keychainProvider, MECHANISMS, newPkcs11Provider, PIN_ENV } from '../masters.js';
import { wholeNumber } from '../parse-flags.js';
import type { Runner } from '../runner.js';
import { createVault, KEY_PROVIDERS, type KeyProviderName } from '../unlock.js';

interface InitOptions extends CommonOptions {
  kdfCost: number;
  maxTraceBytes?: number;
  keyProvider: KeyProviderName;
  pkcs11Module?: string;
  tokenLabel?: string;
  keyLabel: string;
  mechanism?: Pkcs11Scheme;
}

/** The slot's master, or undefined for the passphrase (which createVault asks for itself). */
function masterOf(options: InitOptions, context: CommandContext): (() => Promise<KeyProvider>) | undefined {
  switch (options.keyProvider) {
    case 'passphrase':
      return undefined;
    case 'keychain':
      return () => Promise.resolve(keychainProvider());
    case 'pkcs11': {
      const tokenLabel = options.tokenLabel;
      if (tokenLabel === undefined) throw usageError('--key-provider pkcs11 needs --token-label LABEL');
      return () =>
        newPkcs11Provider(context, {
          tokenLabel,
          keyLabel: options.keyLabel,
          ...(options.pkcs11Module === undefined ? {} : { modulePath: options.pkcs11Module }),
          ...(options.mechanism === undefined ? {} : { mechanism: options.mechanism }),
        });
    }
  }
}

export function registerInit(program: Command, runner: Runner): void {
  withCommonOptions(
    program
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
      .option('--pkcs11-module <path>', 'PKCS#11 module (default: the first one installed)')
      .option('--token-label <label>', 'the token holding the master key (pkcs11)')
      .option(
        '--key-label <name>',
        'the master key on the token; made if missing (pkcs11)',
        DEFAULT_KEY_LABEL,
      )
      .addOption(
        new Option('--mechanism <mechanism>', 'how the token protects the vault key (pkcs11)').choices(
          MECHANISMS,
        ),
      )
      .addHelpText('after', `\nThe token PIN comes from $${PIN_ENV}, else it is asked for on the terminal.`),
  ).action((options: InitOptions) =>
    runner.run(options, async (context) => {
      const { home, output } = context;
      const master = masterOf(options, context);
      const vault = await createVault(context, {
        kdfCost: options.kdfCost,
        ...(options.maxTraceBytes === undefined ? {} : { maxTraceBytes: options.maxTraceBytes }),
        ...(master === undefined ? {} : { master }),
      });
      const slot = readKeySlots(home)[0];
      const created = {
        home,
        vaultId: vault.vaultId,
        keyProvider: options.keyProvider,
        kdfCost: options.kdfCost,
        maxTraceBytes: vault.maxTraceBytes,
        ...(slot === undefined ? {} : { keySlot: slot }),
      };
      vault.close();
      output.result(created, () => {
        output.print(`Created a vault in ${home}`);
        output.print(
          options.keyProvider === 'passphrase'
            ? `  key slot: passphrase (scrypt N=2^${options.kdfCost})`
            : `  key slot: ${options.keyProvider}${slot?.uri ? ` (${slot.uri})` : ''}`,
        );
        output.print(`  traces up to ${vault.maxTraceBytes} bytes`);
        output.print('Next: vault-manager import --file <traces.jsonl>');
      });
    }),
  );
}
