import { AccessPolicySchema, type AccessPolicy } from '../../common/access.js';
import { ErrorCode, VaultError } from '../../common/errors.js';
import { describeIssues } from '../../common/trace.js';
import type { SqliteDatabase } from '../../native/sqlite.js';
import { VaultMeta } from '../vault/meta.js';

const KEY = 'access_policy';

/**
 * The access policy in force on this device: stored with the vault (defaults until set), replaced by the
 * compliance profile and signed policy bundles when those arrive (design.md §6–7).
 */
export function readAccessPolicy(db: SqliteDatabase): AccessPolicy {
  const stored = new VaultMeta(db).get(KEY);
  return AccessPolicySchema.parse(stored === undefined ? {} : JSON.parse(stored));
}

/** Merges `changes` into the stored policy, validated as a whole; returns the policy now in force. */
export function updateAccessPolicy(db: SqliteDatabase, changes: Record<string, unknown>): AccessPolicy {
  const merged = { ...readAccessPolicy(db), ...changes };
  const parsed = AccessPolicySchema.safeParse(merged);
  if (!parsed.success) {
    throw new VaultError(ErrorCode.BAD_INPUT, `access policy: ${describeIssues(parsed.error)}`);
  }
  new VaultMeta(db).set(KEY, JSON.stringify(parsed.data));
  return parsed.data;
}
