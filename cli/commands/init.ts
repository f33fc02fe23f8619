import { Option, type Command } from 'commander';
import { DEFAULT_SCRYPT_COST, MIN_SCRYPT_COST } from '../../core/keys/passphrase-provider.js';
import { DEFAULT_MAX_TRACE_BYTES } from '../../core/ingest/importer.js';
import { withCommonOptions, type CommonOptions } from '../context.js';
import { MAX_SCRYPT_COST, MAX_TRACE_BYTES_LIMIT, MIN_TRACE_BYTES_LIMIT } from '../limits.js';
import { wholeNumber } from '../parse-flags.js';
import type { Runner } from '../runner.js';
import { createVault, KEY_PROVIDERS, type KeyProviderName } from '../unlock.js';

interface InitOptions extends CommonOptions {
  kdfCost: number;
  maxTraceBytes?: number;
  keyProvider: KeyProviderName;
}

export function registerInit(program: Command, runner: Runner): void {
  withCommonOptions(
    program
      .command('init')
      .description('create a new, empty vault protected by a passphrase')
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
      ),
  ).action((options: InitOptions) =>
    runner.run(options, async ({ home, output }) => {
      const vault = await createVault(
        { home, output, env: runner.env },
        {
          kdfCost: options.kdfCost,
          ...(options.maxTraceBytes === undefined ? {} : { maxTraceBytes: options.maxTraceBytes }),
        },
      );
      const created = {
        home,
        vaultId: vault.vaultId,
        keyProvider: options.keyProvider,
        kdfCost: options.kdfCost,
        maxTraceBytes: vault.maxTraceBytes,
      };
      vault.close();
      output.result(created, () => {
        output.print(`Created a vault in ${home}`);
        output.print(`  key slot: passphrase (scrypt N=2^${options.kdfCost})`);
        output.print(`  traces up to ${vault.maxTraceBytes} bytes`);
        output.print('Next: vault-manager import --file <traces.jsonl>');
      });
    }),
  );
}
