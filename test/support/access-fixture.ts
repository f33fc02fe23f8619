/**
 * A vault with one user per default role, and three traces: one of the clinician's, one of a development
 * agent, one of neither. Sessions are opened the way users open them: by proving their own key slot.
 */
import { join } from 'node:path';
import type { TraceInput } from '../../common/trace.js';
import { VaultSession, type SessionOptions } from '../../core/access/vault-session.js';
import { PassphraseKeyProvider } from '../../core/keys/passphrase-provider.js';
import { databasePath } from '../../core/vault/home.js';
import { openDatabase, type SqliteDatabase } from '../../native/sqlite.js';
import { tempDir, TEST_SCRYPT_COST } from './temp.js';

export const ROLE_USERS = {
  clinician: 'dr-lee',
  developer: 'dev-dan',
  auditor: 'aud-ann',
  admin: 'admin',
} as const;
export type DefaultRoleName = keyof typeof ROLE_USERS;

/** Each user's passphrase is derived from their name (tests only). */
export const passphraseOf = (user: string): string => `passphrase of ${user}`;

export function passphrase(user: string): PassphraseKeyProvider {
  return new PassphraseKeyProvider(passphraseOf(user), TEST_SCRYPT_COST);
}

export function sampleTrace(id: string, agentId: string, userId: string): TraceInput {
  return {
    id,
    agent_id: agentId,
    user_id: userId,
    started_at: '2026-11-30T09:00:00Z',
    messages: [
      { role: 'user', content: `common words for ${id}: refill request` },
      { role: 'assistant', content: 'noted' },
    ],
  };
}

/** In the clinician's scope; in the developer's; in neither. */
export const TRACES = {
  own: sampleTrace('t-own', 'triage-agent', ROLE_USERS.clinician),
  dev: sampleTrace('t-dev', 'dev-bot', 'someone'),
  other: sampleTrace('t-other', 'prod-agent', 'someone-else'),
};

export interface AccessFixture {
  home: string;
  open(user: string, options?: SessionOptions): Promise<VaultSession>;
  /** A plain connection for counting and reading audit rows (and for faults a test injects). */
  database(): SqliteDatabase;
}

export async function accessFixture(options: SessionOptions = {}): Promise<AccessFixture> {
  const home = join(tempDir('vault-access-'), 'vault');
  const admin = await VaultSession.create(home, passphrase(ROLE_USERS.admin), { ...options, owner: 'admin' });
  for (const role of ['clinician', 'developer', 'auditor'] as const) {
    await admin.admin.addUser(ROLE_USERS[role], [role], passphrase(ROLE_USERS[role]));
  }
  admin.traces.put(Object.values(TRACES));
  await admin.close();
  return {
    home,
    open: (user, extra = {}) => VaultSession.open(home, passphrase(user), { ...options, ...extra, user }),
    database: () => openDatabase(databasePath(home)),
  };
}

export function auditRowCount(db: SqliteDatabase): number {
  return (db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;
}

export function lastAuditRows(
  db: SqliteDatabase,
  n: number,
): { operation: string; result: string; actor: string; break_glass: number | null; details: string }[] {
  return (
    db
      .prepare(
        'SELECT operation, result, actor, break_glass, details FROM audit_log ORDER BY seq DESC LIMIT ?',
      )
      .all(n) as {
      operation: string;
      result: string;
      actor: string;
      break_glass: number | null;
      details: string;
    }[]
  ).reverse();
}
