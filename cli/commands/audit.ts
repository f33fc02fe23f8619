import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import {
  AUDIT_ACTIONS,
  AUDIT_RESULTS,
  type AuditAction,
  type AuditRecord,
  type AuditResult,
} from '../../common/audit.js';
import { DEFAULT_AUDIT_LIMIT, type AuditQuery } from '../../core/audit/audit-query.js';
import { auditActions, auditLines } from '../audit-format.js';
import { withCommonOptions, type CommandContext, type CommonOptions } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { formatBytes } from '../format.js';
import { isoTime, nonEmpty, wholeNumber } from '../parse-flags.js';
import type { Runner } from '../runner.js';
import { withSession } from '../unlock.js';

/** The most rows one `audit query` page returns; `audit export` takes the whole log. */
const MAX_AUDIT_PAGE = 100_000;

interface QueryOptions extends CommonOptions {
  /** The acting user to filter by (not --as, which picks whose key slot unlocks). */
  user?: string;
  action?: AuditAction[];
  from?: string;
  to?: string;
  result?: AuditResult;
  trace?: string;
  limit: number;
  offset: number;
}

type ExportOptions = CommonOptions & { format: 'jsonl' | 'csv'; output: string; force?: boolean };

function queryOf(options: QueryOptions): AuditQuery {
  return {
    ...(options.user === undefined ? {} : { actor: options.user }),
    ...(options.action === undefined ? {} : { actions: options.action }),
    ...(options.from === undefined ? {} : { from: Date.parse(options.from) }),
    ...(options.to === undefined ? {} : { to: Date.parse(options.to) }),
    ...(options.result === undefined ? {} : { result: options.result }),
    ...(options.trace === undefined ? {} : { trace: options.trace }),
    limit: options.limit,
    offset: options.offset,
  };
}

/** Rows as a table, or a plain statement when there are none; a full page says how to see the next. */
function printRows(
  context: CommandContext,
  rows: readonly AuditRecord[],
  page?: { limit: number; offset: number },
) {
  const { output } = context;
  if (rows.length === 0) {
    output.print('No matching audit rows.');
    return;
  }
  for (const line of auditLines(rows)) output.print(line);
  output.print();
  const more = page !== undefined && rows.length === page.limit;
  output.print(
    `${rows.length} row(s)${more ? `; more with --offset ${page.offset + rows.length}` : ''}` +
      (rows.some((r) => r.breakGlass !== null) ? '; ! marks rows written during a break-glass window' : ''),
  );
}

/** `vault-manager audit …`: the tamper-evident record of every operation on this vault. */
export function registerAudit(program: Command, runner: Runner): void {
  const audit = program
    .command('audit')
    .description('review, verify and export the audit log (needs VIEW_AUDIT_LOGS)');

  withCommonOptions(
    audit
      .command('query')
      .description('list audit rows matching every filter given, oldest first')
      .option('--user <name>', 'only rows of what this user did', nonEmpty)
      .option(
        '--action <list>',
        `only these actions, comma-separated: ${AUDIT_ACTIONS.join(',')}`,
        auditActions,
      )
      .option('--from <time>', 'only rows at or after this ISO 8601 time', isoTime)
      .option('--to <time>', 'only rows before this ISO 8601 time', isoTime)
      .addOption(new Option('--result <result>', 'only rows with this result').choices(AUDIT_RESULTS))
      .option('--trace <id>', 'only rows that acted on this trace', nonEmpty)
      .addOption(
        new Option('--limit <n>', `at most this many rows (1-${MAX_AUDIT_PAGE})`)
          .argParser(wholeNumber(1, MAX_AUDIT_PAGE))
          .default(DEFAULT_AUDIT_LIMIT),
      )
      .addOption(
        new Option('--offset <n>', 'skip this many first')
          .argParser(wholeNumber(0, Number.MAX_SAFE_INTEGER))
          .default(0),
      ),
  ).action((options: QueryOptions) =>
    runner.run(options, (context) =>
      withSession(context, (session) => {
        const query = queryOf(options);
        const rows = session.audit.query(query);
        context.output.result({ offset: options.offset, limit: options.limit, rows }, () =>
          printRows(context, rows, options),
        );
      }),
    ),
  );

  withCommonOptions(
    audit
      .command('lookup')
      .description(
        'list audit rows that named a value (a patient id, a search word), found by its keyed hash',
      )
      .argument('<value>', 'the value, as it was typed (case and spacing do not matter)', nonEmpty),
  ).action((value: string, options: CommonOptions) =>
    runner.run(options, (context) =>
      withSession(context, (session) => {
        const rows = session.audit.lookup(value);
        context.output.result({ rows }, () => printRows(context, rows));
      }),
    ),
  );

  withCommonOptions(
    audit
      .command('verify')
      .description("check the audit log's hash chain and signed checkpoints; exit status 1 when broken"),
  ).action((options: CommonOptions) =>
    runner.run(options, (context) =>
      withSession(context, (session) => {
        const report = session.audit.verify();
        const { output } = context;
        output.result(report, () => {
          if (report.ok) {
            output.print(`Audit log intact: ${report.rows} row(s) checked.`);
          } else {
            const broken = report.firstBreak!;
            output.print(`Audit log BROKEN at row ${broken.seq} (${broken.kind}): ${broken.message}`);
            output.print(`${report.rows} row(s) verified before the break.`);
          }
          output.print(`${report.checkpoints} signed checkpoint(s) verified.`);
          output.print(
            report.devicePublicKey === null
              ? 'Device public key: none recorded (checkpoints checked against the key stored beside each)'
              : `Device public key: ${report.devicePublicKey}`,
          );
        });
        return report.ok ? ExitCode.OK : ExitCode.ERROR;
      }),
    ),
  );

  withCommonOptions(
    audit
      .command('break-glass')
      .description('every break-glass window, newest first: who, when, until when, and the reason given'),
  ).action((options: CommonOptions) =>
    runner.run(options, (context) =>
      withSession(context, (session) => {
        const grants = session.audit.breakGlassGrants();
        const { output } = context;
        output.result({ grants }, () => {
          if (grants.length === 0) output.print('No break-glass window was ever opened.');
          for (const g of grants) {
            output.print(`  ${g.id}  ${g.user}  ${g.startedAt} until ${g.endsAt}`);
            output.print(`      reason: ${g.reason}`);
          }
        });
      }),
    ),
  );

  withCommonOptions(
    audit
      .command('export')
      .description('write the whole audit log, with its hashes for an outside verifier, to a file')
      .addOption(
        new Option('--format <format>', 'JSON Lines or CSV').choices(['jsonl', 'csv']).makeOptionMandatory(),
      )
      .requiredOption('--output <path>', 'the file to write (owner-only permissions)')
      .option('--force', 'replace the file if it exists'),
  ).action((options: ExportOptions) =>
    runner.run(options, (context) =>
      withSession(context, async (session) => {
        const file = resolve(options.output);
        const report = await session.audit.export(options.format, file, options.force ?? false);
        const { output } = context;
        output.result({ format: options.format, output: file, ...report }, () =>
          output.print(
            `Exported ${report.rows} audit row(s) (${formatBytes(report.bytes)}) as ${options.format} to ${file}`,
          ),
        );
      }),
    ),
  );
}
