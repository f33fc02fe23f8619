/**
 * Audit logs for tests and the benchmark: a migrated vault database, and plausible entries drawn from a
 * seeded generator so that a failing case is the same case on every run.
 */
import { join } from 'node:path';
import { AUDIT_ACTIONS, type AuditAction } from '../../../common/audit.js';
import type { AuditEntry } from '../../../core/audit/audit-row.js';
import { openStorage } from '../../../core/vault/storage.js';
import type { SqliteDatabase } from '../../../native/sqlite.js';
import { seededRandom } from '../../support/seeded-random.js';
import { tempDir } from '../../support/temp.js';

export const VAULT_ID = '3f6c1a52-9b7e-4d2a-8c11-5e0f7d9a4b20';
export const T0 = Date.UTC(2025, 0, 1, 8, 0, 0);

/** A fresh vault database (every migration applied) in a temp dir removed after the test file. */
export function freshAuditDb(prefix = 'vault-audit-'): { db: SqliteDatabase; file: string } {
  const file = join(tempDir(prefix), 'vault.db');
  return { db: openStorage(file), file };
}

export { seededRandom };

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

export function randomHex(random: () => number, bytes: number): string {
  let hex = '';
  for (let i = 0; i < bytes; i++)
    hex += Math.floor(random() * 256)
      .toString(16)
      .padStart(2, '0');
  return hex;
}

const ACTORS = ['admin', 'dr.okafor', 'dr.lindqvist', 'nurse.patel', 'auditor', 'agent-dev'];
const OPERATIONS: Record<AuditAction, string> = {
  LOGIN: 'session.open',
  LOGOUT: 'session.close',
  LOCK: 'session.lock',
  READ: 'traces.get',
  LIST: 'traces.list',
  SEARCH: 'traces.search',
  WRITE: 'traces.put',
  DELETE: 'traces.delete',
  EXPORT: 'traces.export',
  BREAK_GLASS: 'access.break_glass',
  ADMIN: 'users.add',
  AUDIT: 'audit.query',
};

/** Entry `i` of a synthetic log: times increase, a few rows name traces in details or carry macs. */
export function syntheticEntry(random: () => number, i: number): AuditEntry {
  const action = pick(random, AUDIT_ACTIONS);
  const traceId = `trace-${Math.floor(random() * 100_000)}`;
  const details: Record<string, unknown> = {
    count: Math.floor(random() * 50),
    bytes: Math.floor(random() * 1e6),
  };
  if (action === 'LIST' || action === 'EXPORT') {
    details.traces = [traceId, `trace-${Math.floor(random() * 100_000)}`];
  }
  const macs = action === 'SEARCH' ? [randomHex(random, 16), randomHex(random, 16)] : [];
  return {
    at: T0 + i * 1000 + Math.floor(random() * 1000),
    actor: pick(random, ACTORS),
    action,
    operation: OPERATIONS[action],
    target: action === 'READ' || action === 'WRITE' || action === 'DELETE' ? traceId : '',
    result: random() < 0.9 ? 'success' : random() < 0.5 ? 'denied' : 'error',
    origin: random() < 0.8 ? 'local' : 'api:127.0.0.1',
    details,
    macs,
    breakGlass: action === 'BREAK_GLASS' ? 1 + Math.floor(random() * 10) : null,
    sessionId: `s-${randomHex(random, 8)}`,
  };
}

export function syntheticEntries(seed: number, count: number, first = 0): AuditEntry[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => syntheticEntry(random, first + i));
}
