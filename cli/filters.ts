import type { Command } from 'commander';
import type { TraceFilter } from '../common/search.js';
import { isoTime, nonEmpty } from './parse-flags.js';

export interface FilterOptions {
  agent?: string;
  user?: string;
  subject?: string;
  from?: string;
  to?: string;
}

/** The trace filter flags, the same on every command that selects traces. */
export function withFilterOptions(command: Command): Command {
  return command
    .option('--agent <id>', 'only traces of this agent', nonEmpty)
    .option('--user <id>', 'only traces of this user', nonEmpty)
    .option('--subject <id>', 'only traces about this data subject (patient)', nonEmpty)
    .option('--from <time>', 'only traces started at or after this ISO 8601 time', isoTime)
    .option('--to <time>', 'only traces started before this ISO 8601 time', isoTime);
}

export function filterOf(options: FilterOptions): TraceFilter {
  const filter: TraceFilter = {};
  if (options.agent !== undefined) filter.agentId = options.agent;
  if (options.user !== undefined) filter.userId = options.user;
  if (options.subject !== undefined) filter.subjectId = options.subject;
  if (options.from !== undefined) filter.from = options.from;
  if (options.to !== undefined) filter.to = options.to;
  return filter;
}
