import type { KeyObject } from 'node:crypto';
import type { SqliteDatabase, SqliteStatement } from '../../native/sqlite.js';
import { verifyP256Sha256 } from '../crypto/ecdsa-p256.js';
import { p256PublicKeyFromPoint } from '../crypto/p256-point.js';
import { GENESIS_HASH, RAW_COLUMNS, recomputeHash, type RawAuditRow } from './audit-row.js';
import { checkpointMessage, readCheckpoints, type StoredCheckpoint } from './checkpoints.js';
import { MerkleFrontier } from './merkle.js';

/**
 * What went wrong first, as a verifier can tell it from the rows and checkpoints:
 * - `edited`: a row's hash does not match its own contents.
 * - `missing`: a row is gone (a gap in seq, or a link to a row the log no longer holds).
 * - `inserted`: a row that is not part of the chain sits between two that link to each other.
 * - `reordered`: a row links to a row that exists, but not to the one before it.
 * - `truncated`: a checkpoint covers more rows than the log holds.
 * - `rewritten`: the chain holds together but disagrees with a signed checkpoint (it was recomputed).
 * - `bad-signature`: a checkpoint's signature does not verify, or is not by the expected device key.
 */
export type AuditBreakKind =
  'edited' | 'missing' | 'inserted' | 'reordered' | 'truncated' | 'rewritten' | 'bad-signature';

export interface AuditBreak {
  kind: AuditBreakKind;
  /** The position (seq) where the log stops being what was written; for a checkpoint, its tree size. */
  seq: number;
  /** The checkpoint's id, for truncated, rewritten and bad-signature. */
  checkpoint?: number;
  /** What and where. Never a row's details or macs. */
  message: string;
}

export interface AuditVerification {
  ok: boolean;
  /** Rows that verified: all of them when ok, those before the break otherwise. */
  rows: number;
  /** Checkpoints whose signature and root verified. */
  checkpoints: number;
  firstBreak?: AuditBreak;
}

export interface VerifyOptions {
  vaultId: string;
  /**
   * The device key the checkpoints must be signed by, from a copy the attacker cannot edit (the control
   * plane's enrolment). Without it a rewrite re-signed with a key of the attacker's own goes unnoticed:
   * each checkpoint stores the point it was signed with.
   */
  publicPoint?: Uint8Array;
}

/** Where the chain first failed, before telling what kind of failure it is. */
type ChainFault =
  | { type: 'gap'; seq: number; expected: number }
  | { type: 'self'; seq: number; previousHash: Buffer }
  | { type: 'link'; seq: number; previousHash: Buffer; previousPrev: Buffer | undefined; link: Buffer };

/**
 * Verifies the whole audit log in one pass, in seq order: seq continuity, each row's hash over its own
 * contents, each row's link to the one before, and every checkpoint's root and signature as the pass
 * reaches its tree size. Stops at the first break and says what kind it is and where. Reads one snapshot.
 */
export function verifyAuditLog(db: SqliteDatabase, options: VerifyOptions): AuditVerification {
  return db.transaction(() => new Verifier(db, options).run())();
}

class Verifier {
  private readonly keys = new Map<string, KeyObject | null>();
  private readonly rowAfter: SqliteStatement<[number], { prev_hash: Buffer }>;
  private readonly seqOfHash: SqliteStatement<[Buffer, number], { seq: number }>;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly options: VerifyOptions,
  ) {
    this.rowAfter = db.prepare('SELECT prev_hash FROM audit_log WHERE seq > ? ORDER BY seq LIMIT 1');
    this.seqOfHash = db.prepare('SELECT seq FROM audit_log WHERE hash = ? AND seq <> ? LIMIT 1');
  }

  run(): AuditVerification {
    const checkpoints = readCheckpoints(this.db);
    const covered = checkpoints.length === 0 ? 0 : checkpoints[checkpoints.length - 1]!.treeSize;
    const tree = MerkleFrontier.empty();
    let next = 0; // the next checkpoint to reach
    let rows = 0;
    let verified = 0;
    const result = (firstBreak?: AuditBreak): AuditVerification =>
      firstBreak === undefined
        ? { ok: true, rows, checkpoints: verified }
        : { ok: false, rows, checkpoints: verified, firstBreak };

    // A checkpoint of size 0 (never written by this engine) is checked against the empty tree.
    while (next < checkpoints.length && checkpoints[next]!.treeSize <= 0) {
      const failure = this.checkCheckpoint(checkpoints[next]!, tree);
      if (failure) return result(failure);
      verified += 1;
      next += 1;
    }

    let fault: ChainFault | undefined;
    let checkpointFailure: AuditBreak | undefined;
    let previousHash: Buffer = Buffer.from(GENESIS_HASH);
    let previousPrev: Buffer | undefined;
    const statement = this.db
      .prepare(`SELECT ${RAW_COLUMNS} FROM audit_log ORDER BY seq`)
      .raw(true) as unknown as SqliteStatement<[], RawAuditRow>;
    // The loop only reads; telling the kind of a fault needs other queries, which better-sqlite3 refuses
    // while this iterator is open, so it records the fault, breaks, and classifies after.
    for (const row of statement.iterate()) {
      const seq = row[0];
      const expected = rows + 1;
      if (seq !== expected) {
        fault = { type: 'gap', seq, expected };
        break;
      }
      const link = row[12];
      const hash = row[13];
      if (!recomputeHash(row).equals(hash)) {
        fault = { type: 'self', seq, previousHash };
        break;
      }
      if (!link.equals(previousHash)) {
        fault = { type: 'link', seq, previousHash, previousPrev, link };
        break;
      }
      // Rows after the last checkpoint are covered by no signed root: no need to hash them into the tree.
      if (rows < covered) tree.append(hash);
      rows += 1;
      while (next < checkpoints.length && checkpoints[next]!.treeSize === rows) {
        checkpointFailure = this.checkCheckpoint(checkpoints[next]!, tree);
        if (checkpointFailure) break;
        verified += 1;
        next += 1;
      }
      if (checkpointFailure) break;
      previousPrev = link;
      previousHash = hash;
    }
    if (fault) return result(this.classify(fault));
    if (checkpointFailure) return result(checkpointFailure);

    if (next < checkpoints.length) {
      const last = checkpoints[checkpoints.length - 1]!;
      return result({
        kind: 'truncated',
        seq: rows + 1,
        checkpoint: last.id,
        message: `the audit log is truncated after row ${rows}: checkpoint ${last.id} covers ${last.treeSize} rows, the log has ${rows}`,
      });
    }
    return result();
  }

  /** The signature first (is this checkpoint authentic?), then the root (do the rows match it?). */
  private checkCheckpoint(checkpoint: StoredCheckpoint, tree: MerkleFrontier): AuditBreak | undefined {
    const { id, treeSize, rootHash, signedAt, publicPoint, signature } = checkpoint;
    const at = { seq: treeSize, checkpoint: id };
    const message = checkpointMessage(this.options.vaultId, treeSize, rootHash, signedAt);
    if (!this.signatureVerifies(publicPoint, message, signature)) {
      return {
        kind: 'bad-signature',
        ...at,
        message: `checkpoint ${id} (${treeSize} rows): its signature does not verify with the key stored beside it`,
      };
    }
    const expected = this.options.publicPoint;
    if (expected !== undefined && !this.signatureVerifies(expected, message, signature)) {
      return {
        kind: 'bad-signature',
        ...at,
        message: `checkpoint ${id} (${treeSize} rows) is not signed by the expected device key`,
      };
    }
    if (!tree.root().equals(rootHash)) {
      return {
        kind: 'rewritten',
        ...at,
        message: `rows 1-${treeSize} do not match the root signed in checkpoint ${id}: the log was rewritten`,
      };
    }
    // The frontier is not signed, but the next checkpoint is built on it: one that disagrees with the
    // rows means the checkpoint table was edited.
    if (checkpoint.frontier !== JSON.stringify(tree.toJSON().frontier)) {
      return {
        kind: 'rewritten',
        ...at,
        message: `the frontier stored with checkpoint ${id} does not match rows 1-${treeSize}`,
      };
    }
    return undefined;
  }

  private signatureVerifies(point: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    // Parsing and validating a point costs big-integer arithmetic: once per distinct key, not per checkpoint.
    const cacheKey = Buffer.from(point).toString('hex');
    let key = this.keys.get(cacheKey);
    if (key === undefined) {
      try {
        key = p256PublicKeyFromPoint(point);
      } catch {
        key = null; // not a P-256 point: nothing verifies under it
      }
      this.keys.set(cacheKey, key);
    }
    return key !== null && verifyP256Sha256(key, message, signature);
  }

  /** Tells what kind of break a chain fault is, looking at the rows around it. */
  private classify(fault: ChainFault): AuditBreak {
    const { seq } = fault;
    switch (fault.type) {
      case 'gap':
        return seq > fault.expected
          ? {
              kind: 'missing',
              seq: fault.expected,
              message: `audit row ${fault.expected} is missing: the next row present is ${seq}`,
            }
          : {
              kind: 'inserted',
              seq,
              message: `audit row ${seq} is out of sequence: row ${fault.expected} was expected`,
            };
      case 'self':
        // A row whose hash does not match its contents is either an edited row or a forged one; if the
        // row after it links straight past it, it was never in the chain.
        if (this.nextLinksTo(seq, fault.previousHash)) {
          return {
            kind: 'inserted',
            seq,
            message: `audit row ${seq} was inserted: it does not hash correctly and the row after it links to row ${seq - 1}`,
          };
        }
        return {
          kind: 'edited',
          seq,
          message: `audit row ${seq} was altered: its hash does not match its contents`,
        };
      case 'link': {
        // The row is intact but does not follow the one before it. Its link says where it belongs.
        if (fault.previousPrev !== undefined && fault.link.equals(fault.previousPrev)) {
          return {
            kind: 'inserted',
            seq: seq - 1,
            message: `audit row ${seq - 1} was inserted: row ${seq} links to the row before it`,
          };
        }
        const linked = this.seqOfHash.get(fault.link, seq);
        if (linked !== undefined) {
          return {
            kind: 'reordered',
            seq,
            message: `audit row ${seq} is out of order: it follows row ${linked.seq}, not row ${seq - 1}`,
          };
        }
        if (this.nextLinksTo(seq, fault.previousHash)) {
          return {
            kind: 'inserted',
            seq,
            message: `audit row ${seq} was inserted: it links to no row and the row after it links to row ${seq - 1}`,
          };
        }
        return {
          kind: 'missing',
          seq,
          message: `a row is missing before audit row ${seq}: it links to a row the log no longer holds`,
        };
      }
    }
  }

  private nextLinksTo(seq: number, hash: Buffer): boolean {
    const next = this.rowAfter.get(seq);
    return next !== undefined && next.prev_hash.equals(hash);
  }
}
