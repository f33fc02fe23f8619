/** Human renderings of audit rows. None of them is used in --json mode. */
import { InvalidArgumentError } from 'commander';
import { AUDIT_ACTIONS, type AuditAction, type AuditRecord } from '../common/audit.js';
import { table } from './format.js';

/** Details longer than this are cut in the one-line view; --json has them whole. */
const MAX_DETAIL = 60;

/** `--action READ,EXPORT`: a comma-separated list of audit actions, any case. */
export function auditActions(value: string): AuditAction[] {
  const actions = value
    .split(',')
    .map((a) => a.trim().toUpperCase())
    .filter((a) => a !== '');
  if (actions.length === 0)
    throw new InvalidArgumentError(`expected one or more of ${AUDIT_ACTIONS.join(', ')}.`);
  for (const action of actions) {
    if (!(AUDIT_ACTIONS as readonly string[]).includes(action)) {
      throw new InvalidArgumentError(
        `unknown action ${JSON.stringify(action)}; known: ${AUDIT_ACTIONS.join(', ')}.`,
      );
    }
  }
  return [...new Set(actions)] as AuditAction[];
}

function detailValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}

/** The row's details as `key=value` pairs, short enough for one line. */
export function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}=${detailValue(value)}`)
    .join(' ');
}

/**
 * One line per row: seq, time, actor, action/operation, target, result, origin, details. A row written
 * during a break-glass window starts with `!` and names the window.
 */
export function auditLines(records: readonly AuditRecord[]): string[] {
  return table([
    ['', 'SEQ', 'TIME', 'ACTOR', 'ACTION', 'TARGET', 'RESULT', 'ORIGIN', 'DETAILS'],
    ...records.map((r) => [
      r.breakGlass === null ? '' : '!',
      String(r.seq),
      r.at,
      r.actor,
      `${r.action}/${r.operation}`,
      r.target === '' ? '-' : r.target,
      r.result,
      r.origin,
      [r.breakGlass === null ? '' : `break-glass=${r.breakGlass}`, detailsText(r.details)]
        .filter((t) => t !== '')
        .join(' '),
    ]),
  ]);
}
