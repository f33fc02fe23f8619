import { ErrorCode, VaultError } from '../../common/errors.js';
import type { TraceFilter } from '../../common/search.js';
import type { Keyring } from '../keys/keyring.js';

export interface SqlCondition {
  where: string[];
  params: unknown[];
}

/**
 * A filter with the session's scope attached by the access gate: the scope becomes part of the query, so
 * rows outside it are never read (design.md §5), not read and dropped.
 */
export interface ScopedFilter extends TraceFilter {
  scope?: SqlCondition;
}

/**
 * Turns a filter into SQL over the plaintext columns of `traces` (aliased `t`). People's identifiers are
 * compared as keyed HMACs, so the filter works without the database holding them.
 */
export function filterToSql(filter: ScopedFilter, keyring: Keyring): SqlCondition {
  const where: string[] = [...(filter.scope?.where ?? [])];
  const params: unknown[] = [...(filter.scope?.params ?? [])];
  if (filter.agentId !== undefined) {
    where.push('t.agent_id = ?');
    params.push(filter.agentId);
  }
  if (filter.userId !== undefined) {
    where.push('t.user_ref = ?');
    params.push(keyring.identityRef('user', filter.userId));
  }
  if (filter.subjectId !== undefined) {
    where.push('t.subject_ref = ?');
    params.push(keyring.identityRef('subject', filter.subjectId));
  }
  if (filter.from !== undefined) {
    where.push('t.started_at >= ?');
    params.push(parseTime(filter.from, 'from'));
  }
  if (filter.to !== undefined) {
    where.push('t.started_at < ?');
    params.push(parseTime(filter.to, 'to'));
  }
  return { where, params };
}

function parseTime(value: string, name: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new VaultError(
      ErrorCode.BAD_INPUT,
      `${name} must be an ISO 8601 date or date-time, got ${JSON.stringify(value)}`,
    );
  }
  return ms;
}
