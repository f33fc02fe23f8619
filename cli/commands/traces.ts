import { Option, type Command } from 'commander';
import type { SearchOrder } from '../../common/search.js';
import { withCommonOptions, type CommonOptions } from '../context.js';
import { filterOf, withFilterOptions, type FilterOptions } from '../filters.js';
import { hitLines, summaryTable, traceLines } from '../format.js';
import { DEFAULT_PAGE, MAX_PAGE } from '../limits.js';
import { nonEmpty, wholeNumber } from '../parse-flags.js';
import type { Runner } from '../runner.js';
import { withSession } from '../unlock.js';

interface PageOptions {
  limit: number;
  offset: number;
}

type ListOptions = CommonOptions & FilterOptions & PageOptions;
type SearchOptions = ListOptions & { order: SearchOrder };

function withPageOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--limit <n>', `at most this many (1-${MAX_PAGE})`)
        .argParser(wholeNumber(1, MAX_PAGE))
        .default(DEFAULT_PAGE),
    )
    .addOption(
      new Option('--offset <n>', 'skip this many first')
        .argParser(wholeNumber(0, Number.MAX_SAFE_INTEGER))
        .default(0),
    );
}

/** `traces list|get|search|delete`: reading and removing traces one page or one id at a time. */
export function registerTraces(program: Command, runner: Runner): void {
  const traces = program.command('traces').description('list, read, search and delete traces');

  withCommonOptions(
    withPageOptions(withFilterOptions(traces.command('list').description('list traces, newest first'))),
  ).action((options: ListOptions) =>
    runner.run(options, (context) =>
      withSession(context, (session) => {
        const filter = filterOf(options);
        const total = session.traces.count(filter);
        const summaries = session.traces.list(filter, { limit: options.limit, offset: options.offset });
        const { output } = context;
        output.result({ total, offset: options.offset, limit: options.limit, traces: summaries }, () => {
          if (summaries.length === 0) {
            output.print(
              total === 0 ? 'No traces.' : `No traces past offset ${options.offset} (${total} in all).`,
            );
            return;
          }
          for (const line of summaryTable(summaries)) output.print(line);
          output.print();
          output.print(`${options.offset + 1}-${options.offset + summaries.length} of ${total}`);
        });
      }),
    ),
  );

  withCommonOptions(
    traces
      .command('get')
      .description('print one trace, decrypted (with --json: the trace itself, re-importable)')
      .argument('<id>', 'the trace id', nonEmpty),
  ).action((id: string, options: CommonOptions) =>
    runner.run(options, (context) =>
      withSession(context, (session) => {
        const trace = session.traces.get(id);
        context.output.result(trace, () => {
          for (const line of traceLines(trace)) context.output.print(line);
        });
      }),
    ),
  );

  withCommonOptions(
    withPageOptions(
      withFilterOptions(
        traces
          .command('search')
          .description('find traces holding every word (and "quoted phrase") of the query')
          .argument('<query>', 'words to find; quote a phrase to require its words in order'),
      ),
    ).addOption(
      new Option('--order <order>', 'newest first, or best match first')
        .choices(['newest', 'best'])
        .default('newest'),
    ),
  ).action((query: string, options: SearchOptions) =>
    runner.run(options, (context) =>
      withSession(context, (session) => {
        const result = session.traces.search({
          ...filterOf(options),
          query,
          order: options.order,
          limit: options.limit,
          offset: options.offset,
        });
        const { output } = context;
        output.result(
          { query, order: options.order, offset: options.offset, limit: options.limit, ...result },
          () => {
            if (result.hits.length === 0) {
              output.print('No matching traces.');
              return;
            }
            for (const line of hitLines(result.hits)) output.print(line);
            output.print();
            output.print(
              `${result.hits.length} hit(s)${result.hasMore ? `; more with --offset ${options.offset + result.hits.length}` : ''}`,
            );
          },
        );
      }),
    ),
  );

  withCommonOptions(
    traces.command('delete').description('delete one trace').argument('<id>', 'the trace id', nonEmpty),
  ).action((id: string, options: CommonOptions) =>
    runner.run(options, (context) =>
      withSession(context, (session) => {
        session.traces.delete(id);
        context.output.result({ deleted: id }, () => context.output.print(`Deleted trace ${id}.`));
      }),
    ),
  );
}
