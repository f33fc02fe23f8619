import type { Origin } from '../../common/access.js';
import { AuditLog } from '../audit/audit-log.js';
import { databasePath } from '../vault/home.js';
import { openStorage } from '../vault/storage.js';

/**
 * Records a failed unlock (a wrong passphrase or PIN) in the audit log. No key is open, so the row names
 * no user and holds no HMAC: only that a secret of this kind was refused, when and from where. Best
 * effort: a vault that cannot be written still refuses the secret.
 */
export function recordFailedUnlock(home: string, slotKind: string, origin: Origin, now: number): void {
  let db;
  try {
    db = openStorage(databasePath(home));
  } catch {
    return;
  }
  try {
    const log = new AuditLog(db);
    db.transaction(() =>
      log.append({
        at: now,
        actor: '(unauthenticated)',
        action: 'LOGIN',
        operation: 'session.open',
        target: '',
        result: 'denied',
        origin,
        details: { reason: 'wrong secret', slot: slotKind },
        macs: [],
        breakGlass: null,
        sessionId: '',
      }),
    ).immediate();
  } catch {
    // Nothing more to do: the unlock itself already failed and says so.
  } finally {
    db.close();
  }
}
