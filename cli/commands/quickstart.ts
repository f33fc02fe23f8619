import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { SearchResult } from '../../common/search.js';
import type { ImportReport } from '../../core/ingest/importer.js';
import { DEFAULT_SCRYPT_COST, MIN_SCRYPT_COST } from '../../core/keys/passphrase-provider.js';
import { defaultHome } from '../../core/vault/home.js';
import { inspectVault } from '../../core/vault/inspect.js';
import type { VaultSession } from '../../core/access/vault-session.js';
import { withCommonOptions, type CommandContext, type CommonOptions } from '../context.js';
import { healthLines, hitLines } from '../format.js';
import { MAX_SCRYPT_COST } from '../limits.js';
import { wholeNumber } from '../parse-flags.js';
import type { Runner } from '../runner.js';
import { sampleTracesFile } from '../samples.js';
import { createVault, openSession, vaultExists } from '../unlock.js';
import { importInto, printImportReport } from './import.js';

/** A query that finds several of the bundled samples, to show what search returns. */
const EXAMPLE_QUERY = 'blood pressure';

interface QuickstartOptions extends CommonOptions {
  kdfCost: number;
}

export function registerQuickstart(program: Command, runner: Runner): void {
  withCommonOptions(
    program
      .command('quickstart')
      .description(
        'open (or create) the vault, load the bundled sample traces if it is empty, and show around',
      )
      .addOption(
        new Option('--kdf-cost <n>', 'scrypt cost as a power of two, if the vault is created')
          .argParser(wholeNumber(MIN_SCRYPT_COST, MAX_SCRYPT_COST))
          .default(DEFAULT_SCRYPT_COST),
      ),
  ).action((options: QuickstartOptions) =>
    runner.run(options, async (context) => {
      const created = !vaultExists(context.home);
      if (created) context.output.warn(`No vault in ${context.home} yet: creating one.`);
      const vault = created
        ? await createVault(context, { kdfCost: options.kdfCost })
        : await openSession(context);
      try {
        await tour(context, vault, created);
      } finally {
        await vault.close();
      }
    }),
  );
}

async function tour(context: CommandContext, session: VaultSession, created: boolean): Promise<void> {
  const { home, output } = context;
  let sampleImport: ImportReport | null = null;
  const sampleFile = sampleTracesFile();
  if (session.traces.count() === 0) {
    sampleImport = await importInto(session, { file: sampleFile, format: 'native' }, output);
  }
  const health = inspectVault(home);
  const search: SearchResult = session.traces.search({ query: EXAMPLE_QUERY, limit: 3 });
  const next = nextCommands(home, context.env);

  output.result(
    {
      home,
      created,
      sampleFile,
      sampleImport,
      health,
      exampleSearch: { query: EXAMPLE_QUERY, ...search },
      next,
    },
    () => {
      output.print(created ? `Created a vault in ${home}.` : `Opened the vault in ${home}.`);
      if (sampleImport) {
        output.print('The vault was empty, so the bundled synthetic sample traces were imported:');
        printImportReport(output, sampleImport);
      } else {
        output.print('The vault already holds traces; the samples were not imported again.');
      }
      output.print();
      output.print('Health (`vault-manager health`, no passphrase needed):');
      for (const line of healthLines(health)) output.print(`  ${line}`);
      output.print();
      output.print(`Example search (\`vault-manager traces search "${EXAMPLE_QUERY}" --limit 3\`):`);
      if (search.hits.length === 0) output.print('  no matching traces');
      for (const line of hitLines(search.hits)) output.print(`  ${line}`);
      output.print();
      output.print('Next, try:');
      for (const command of next) output.print(`  ${command}`);
    },
  );
}

/** The commands to try next, with --home spelled out when the vault is not at the default place. */
function nextCommands(home: string, env: NodeJS.ProcessEnv): string[] {
  const homeFlag = resolve(defaultHome(env)) === home ? '' : ` --home ${JSON.stringify(home)}`;
  const at = (command: string) => `vault-manager ${command}${homeFlag}`;
  return [
    at('traces list --limit 5'),
    at('traces get sample-001'),
    at('traces search "refill" --order best'),
    at('traces list --agent triage-agent'),
    at('export --output traces-export.jsonl'),
    at('import --file my-traces.jsonl'),
    at('audit query --limit 10'),
    at('audit verify'),
    at('health --json'),
    'vault-manager --help',
  ];
}
