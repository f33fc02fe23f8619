import { ErrorCode, VaultError } from '../../common/errors.js';
import type { SqliteDatabase, SqliteStatement } from '../../native/sqlite.js';
import { GENESIS_HASH, RAW_COLUMNS, recomputeHash, type RawAuditRow } from './audit-row.js';
import { MerkleFrontier } from './merkle.js';

/**
 * Signed audit checkpoints (design.md §5): every N rows or T seconds, the RFC 6962 root of the first
 * `tree_size` row hashes, signed with the device key and sent to the control plane. A copy held elsewhere
 * is what makes truncation and rollback of the local file detectable; the signature is what makes the copy
 * worth holding.
 */

/** Domain separation: a device signature over these bytes can mean nothing but an audit checkpoint. */
const CHECKPOINT_CONTEXT = new TextEncoder().encode('vault-manager audit checkpoint v1\n');

/**
 * The signed message:
 *
 *   "vault-manager audit checkpoint v1\n" ‖ len(vaultId) (4-byte BE) ‖ vaultId (UTF-8)
 *     ‖ tree_size (8-byte BE) ‖ root_hash (32 bytes) ‖ signed_at (ms, 8-byte BE)
 *
 * The vault id binds the checkpoint to one vault (a device could hold several); its length prefix keeps
 * the fields after it from being read as part of it.
 */
export function checkpointMessage(
  vaultId: string,
  treeSize: number,
  rootHash: Uint8Array,
  signedAt: number,
): Uint8Array {
  const id = new TextEncoder().encode(vaultId);
  const message = new Uint8Array(CHECKPOINT_CONTEXT.length + 4 + id.length + 8 + rootHash.length + 8);
  const view = new DataView(message.buffer);
  let offset = 0;
  message.set(CHECKPOINT_CONTEXT, offset);
  offset += CHECKPOINT_CONTEXT.length;
  view.setUint32(offset, id.length);
  offset += 4;
  message.set(id, offset);
  offset += id.length;
  view.setBigUint64(offset, BigInt(treeSize));
  offset += 8;
  message.set(rootHash, offset);
  offset += rootHash.length;
  view.setBigUint64(offset, BigInt(signedAt));
  return message;
}

/** What signs checkpoints: the device key (core/keys/device-key.ts), or anything shaped like it. */
export interface CheckpointSigner {
  /** Uncompressed P-256 point, 04 ‖ X ‖ Y. */
  readonly publicPoint: Uint8Array;
  /** ECDSA P-256 / SHA-256, r ‖ s. */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** One row of audit_checkpoints. */
export interface StoredCheckpoint {
  id: number;
  treeSize: number;
  rootHash: Buffer;
  signedAt: number;
  publicPoint: Buffer;
  signature: Buffer;
  /** JSON array of hex: the tree's frontier at treeSize (merkle.ts). */
  frontier: string;
}

const CHECKPOINT_COLUMNS =
  'id, tree_size AS treeSize, root_hash AS rootHash, signed_at AS signedAt, public_point AS publicPoint, signature, frontier';

/** Every checkpoint, smallest tree first (ties in the order written). */
export function readCheckpoints(db: SqliteDatabase): StoredCheckpoint[] {
  return db
    .prepare(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY tree_size, id`)
    .all() as StoredCheckpoint[];
}

/** The checkpoint over the largest tree, if any: what the next one extends and what sync sends. */
export function latestCheckpoint(db: SqliteDatabase): StoredCheckpoint | undefined {
  return db
    .prepare(`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY tree_size DESC, id DESC LIMIT 1`)
    .get() as StoredCheckpoint | undefined;
}

/** Parses a stored frontier column; throws INTEGRITY if it is not a JSON array of strings. */
export function parseFrontier(text: string, treeSize: number): MerkleFrontier {
  let frontier: unknown;
  try {
    frontier = JSON.parse(text);
  } catch (error) {
    throw new VaultError(ErrorCode.INTEGRITY, 'a stored Merkle frontier is not JSON', { cause: error });
  }
  if (!Array.isArray(frontier) || !frontier.every((node) => typeof node === 'string')) {
    throw new VaultError(ErrorCode.INTEGRITY, 'a stored Merkle frontier is not an array of hashes');
  }
  return MerkleFrontier.resume({ size: treeSize, frontier: frontier });
}

/**
 * Writes signed checkpoints. Each extends the last checkpoint's frontier with the rows after it, so the cost
 * is the new rows, not the whole log; and it re-checks those rows' chain first, so a device never signs
 * over a log that has already been tampered with.
 */
export class AuditCheckpointer {
  private readonly selectLatestSize: SqliteStatement<[], { treeSize: number }>;
  private readonly selectHashAt: SqliteStatement<[number], { hash: Buffer }>;
  private readonly selectRowsAfter: SqliteStatement<[number], RawAuditRow>;
  private readonly selectLastSeq: SqliteStatement<[], { seq: number | null }>;
  private readonly selectAtAfter: SqliteStatement<[number], { at: number }>;
  private readonly insert: SqliteStatement;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly vaultId: string,
    private readonly signer: CheckpointSigner,
    private readonly now: () => number = Date.now,
  ) {
    this.selectLatestSize = db.prepare(
      'SELECT tree_size AS treeSize FROM audit_checkpoints ORDER BY tree_size DESC, id DESC LIMIT 1',
    );
    this.selectHashAt = db.prepare('SELECT hash FROM audit_log WHERE seq = ?');
    this.selectRowsAfter = db
      .prepare(`SELECT ${RAW_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq`)
      .raw(true) as unknown as SqliteStatement<[number], RawAuditRow>;
    this.selectLastSeq = db.prepare('SELECT max(seq) AS seq FROM audit_log');
    this.selectAtAfter = db.prepare('SELECT at FROM audit_log WHERE seq > ? ORDER BY seq LIMIT 1');
    this.insert = db.prepare(
      `INSERT INTO audit_checkpoints (tree_size, root_hash, signed_at, public_point, signature, frontier)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
  }

  /**
   * True when rows are waiting and either `everyRows` of them are, or the oldest has waited `everySeconds`
   * (the policy's audit_checkpoint_rows and audit_checkpoint_seconds). Two index lookups: cheap to poll.
   */
  isDue(everyRows: number, everySeconds: number): boolean {
    const covered = this.selectLatestSize.get()?.treeSize ?? 0;
    const last = this.selectLastSeq.get()?.seq ?? 0;
    if (last <= covered) return false;
    if (last - covered >= everyRows) return true;
    const oldest = this.selectAtAfter.get(covered);
    return oldest !== undefined && this.now() - oldest.at >= everySeconds * 1000;
  }

  /**
   * Signs a checkpoint over every row written so far and stores it. Returns undefined when there is nothing
   * new to cover, or when another writer stored a checkpoint at least as large while this one was being
   * signed. Throws INTEGRITY, signing nothing, if the rows since the last checkpoint do not chain.
   */
  async checkpoint(): Promise<{ treeSize: number; rootHash: Buffer } | undefined> {
    // Read the rows in one snapshot; signing may wait on a token, so no transaction is held across it.
    const tree = this.db.transaction(() => this.extend())();
    if (tree === undefined) return undefined;
    const treeSize = tree.size;
    const rootHash = tree.root();
    const signedAt = this.now();
    const signature = await this.signer.sign(checkpointMessage(this.vaultId, treeSize, rootHash, signedAt));
    const stored = this.db.transaction(() => {
      // Another process (or an overlapping call) may have checkpointed while we signed: keep the sizes
      // increasing with the ids, and never write two checkpoints of one size.
      const latest = this.selectLatestSize.get()?.treeSize ?? 0;
      if (latest >= treeSize) return false;
      this.insert.run(
        treeSize,
        rootHash,
        signedAt,
        Buffer.from(this.signer.publicPoint),
        Buffer.from(signature),
        JSON.stringify(tree.toJSON().frontier),
      );
      return true;
    });
    return stored.immediate() ? { treeSize, rootHash } : undefined;
  }

  /** The last checkpoint's tree extended by the rows after it; undefined if there are none. */
  private extend(): MerkleFrontier | undefined {
    const latest = latestCheckpoint(this.db);
    let tree = MerkleFrontier.empty();
    let previous: Uint8Array = GENESIS_HASH;
    if (latest !== undefined) {
      tree = parseFrontier(latest.frontier, latest.treeSize);
      // The frontier is not signed; its root is. One that disagrees would make every later root wrong.
      if (!tree.root().equals(latest.rootHash)) {
        throw new VaultError(
          ErrorCode.INTEGRITY,
          `the frontier stored with audit checkpoint ${latest.id} does not match its signed root; no checkpoint was signed`,
        );
      }
      const base = this.selectHashAt.get(latest.treeSize);
      if (base === undefined) {
        throw new VaultError(
          ErrorCode.INTEGRITY,
          `audit row ${latest.treeSize}, covered by checkpoint ${latest.id}, is missing; no checkpoint was signed`,
        );
      }
      previous = base.hash;
    }
    const previousSize = tree.size;
    let expected = previousSize + 1;
    for (const row of this.selectRowsAfter.iterate(previousSize)) {
      if (row[0] !== expected || !row[12].equals(previous) || !recomputeHash(row).equals(row[13])) {
        throw new VaultError(
          ErrorCode.INTEGRITY,
          `the audit log does not verify at row ${expected}; no checkpoint was signed (run audit verify)`,
        );
      }
      tree.append(row[13]);
      previous = row[13];
      expected += 1;
    }
    return tree.size > previousSize ? tree : undefined;
  }
}
