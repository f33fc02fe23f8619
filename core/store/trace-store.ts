import { ErrorCode, VaultError } from '../../common/errors.js';
import type { Trace, TraceSummary } from '../../common/trace.js';
import type { SqliteDatabase, SqliteStatement } from '../../native/sqlite.js';
import type { Keyring } from '../keys/keyring.js';
import { searchableText } from '../search/tokenize.js';
import { TRACE_FORMAT_VERSION, TraceCipher, type TraceKeyBinding } from './trace-cipher.js';
import { asStorageError } from './storage-error.js';
import { filterToSql, type ScopedFilter, type SqlCondition } from './trace-filter-sql.js';

export interface PutResult {
  /** Ids stored by this batch, in input order. */
  stored: string[];
  /** Ids skipped because a trace with the same id is already in the vault. */
  duplicates: string[];
}

export interface Page {
  limit: number;
  offset: number;
}

interface TraceRow {
  rowid: number;
  id: string;
  agent_id: string;
  key_ref: Uint8Array;
  started_at: number;
  ended_at: number | null;
  ingested_at: number;
  size_bytes: number;
  key_version: number;
  format_version: number;
  region: string | null;
}

/**
 * What decrypting a trace needs, and nothing else: reading a page is on the clinician's critical path.
 * Read as an array in SEALED_COLUMNS order, not as an object: building fifty row objects took a tenth of
 * a result page's SQL time.
 */
type SealedRow = [
  id: string,
  keyRef: Uint8Array,
  keyVersion: number,
  formatVersion: number,
  nonce: Uint8Array,
  body: Uint8Array,
];

const SEALED_COLUMNS = 't.id, t.key_ref, t.key_version, t.format_version, t.nonce, t.body';

const SUMMARY_COLUMNS =
  't.rowid, t.id, t.agent_id, t.key_ref, t.started_at, t.ended_at, t.ingested_at, t.size_bytes, t.key_version, t.format_version, t.region';

/**
 * Traces at rest: ciphertext bodies, plaintext query columns, and blind-index terms. Receives its keys
 * (the unlocked keyring) from the vault; it never fetches one.
 */
export class TraceStore {
  private readonly cipher: TraceCipher;
  private readonly exists: SqliteStatement<[string], { one: number }>;
  private readonly insertTrace: SqliteStatement;
  private readonly insertTerms: SqliteStatement;
  private readonly selectSealed: SqliteStatement<[string], SealedRow>;
  private readonly selectSealedMany: SqliteStatement<[string], SealedRow>;

  constructor(
    private readonly db: SqliteDatabase,
    vaultId: string,
    private readonly keyring: Keyring,
  ) {
    this.cipher = new TraceCipher(vaultId, keyring);
    this.exists = db.prepare('SELECT 1 AS one FROM traces WHERE id = ?');
    this.insertTrace = db.prepare(
      `INSERT INTO traces (id, agent_id, user_ref, subject_ref, key_ref, started_at, ended_at, ingested_at,
         size_bytes, key_version, format_version, region, nonce, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertTerms = db.prepare('INSERT INTO trace_terms (rowid, terms) VALUES (?, ?)');
    this.selectSealed = db
      .prepare<[string], SealedRow>(`SELECT ${SEALED_COLUMNS} FROM traces t WHERE t.id = ?`)
      .raw();
    this.selectSealedMany = db
      .prepare<[string], SealedRow>(
        `SELECT ${SEALED_COLUMNS} FROM traces t WHERE t.id IN (SELECT value FROM json_each(?))`,
      )
      .raw();
  }

  /**
   * Stores a batch in one transaction. Nothing of the batch is visible or durable until it returns; if it
   * throws, nothing of the batch was stored.
   */
  putBatch(traces: readonly Trace[], terms?: readonly string[], region: string | null = null): PutResult {
    if (terms !== undefined && terms.length !== traces.length) {
      throw new Error(`putBatch: ${terms.length} term lists for ${traces.length} traces`);
    }
    const result: PutResult = { stored: [], duplicates: [] };
    const write = this.db.transaction(() => {
      const now = Date.now();
      const seen = new Set<string>();
      for (const [index, trace] of traces.entries()) {
        if (seen.has(trace.id) || this.exists.get(trace.id)) {
          result.duplicates.push(trace.id);
          continue;
        }
        seen.add(trace.id);
        const userRef = this.keyring.identityRef('user', trace.user_id);
        const subjectRef =
          trace.subject_id === undefined ? null : this.keyring.identityRef('subject', trace.subject_id);
        const binding: TraceKeyBinding = {
          id: trace.id,
          // A trace without a data subject is encrypted under its user's key (design.md §3).
          keyRef: subjectRef ?? userRef,
          keyVersion: this.keyring.kekVersion,
          formatVersion: TRACE_FORMAT_VERSION,
        };
        const sealed = this.cipher.seal(trace, binding);
        const info = this.insertTrace.run(
          trace.id,
          trace.agent_id,
          userRef,
          subjectRef,
          binding.keyRef,
          Date.parse(trace.started_at),
          trace.ended_at === undefined ? null : Date.parse(trace.ended_at),
          now,
          sealed.sizeBytes,
          binding.keyVersion,
          binding.formatVersion,
          region,
          sealed.nonce,
          sealed.body,
        );
        this.insertTerms.run(info.lastInsertRowid, terms?.[index] ?? this.blindTerms(trace));
        result.stored.push(trace.id);
      }
    });
    try {
      write.immediate();
      this.keyring.commitPending();
    } catch (error) {
      this.keyring.discardPending();
      throw asStorageError(error, `cannot store a batch of ${traces.length} traces`);
    }
    return result;
  }

  /** The decrypted trace, or NOT_FOUND. Throws INTEGRITY, with no plaintext, if its ciphertext was altered. */
  get(id: string): Trace {
    const row = this.selectSealed.get(id);
    if (!row) throw new VaultError(ErrorCode.NOT_FOUND, `no trace with id ${JSON.stringify(id)}`);
    return this.open(row);
  }

  /** Decrypts a page of traces by id, keeping the order given; ids not found are left out. */
  getMany(ids: readonly string[]): Trace[] {
    if (ids.length === 1) {
      const row = this.selectSealed.get(ids[0]!);
      return row ? [this.open(row)] : [];
    }
    // One statement for the page, not one per id; then back into the order asked for.
    const rows = new Map(this.selectSealedMany.all(JSON.stringify(ids)).map((row) => [row[0], row]));
    const out: Trace[] = [];
    for (const id of ids) {
      const row = rows.get(id);
      if (row) out.push(this.open(row));
    }
    return out;
  }

  list(filter: ScopedFilter, page: Page): TraceSummary[] {
    const { where, params } = filterToSql(filter, this.keyring);
    const sql = `SELECT ${SUMMARY_COLUMNS} FROM traces t ${whereClause(where)}
                 ORDER BY t.started_at DESC, t.rowid DESC LIMIT ? OFFSET ?`;
    const rows = this.db.prepare(sql).all(...params, page.limit, page.offset) as TraceRow[];
    return rows.map(toSummary);
  }

  count(filter: ScopedFilter = {}): number {
    const { where, params } = filterToSql(filter, this.keyring);
    const row = this.db
      .prepare(`SELECT count(*) AS n FROM traces t ${whereClause(where)}`)
      .get(...params) as {
      n: number;
    };
    return row.n;
  }

  /** Every trace matching the filter, oldest first, decrypted one at a time (for export). */
  *iterate(filter: ScopedFilter): Generator<Trace> {
    const { where, params } = filterToSql(filter, this.keyring);
    // Ids first, then one row at a time: a long export never holds a read statement open across yields.
    const ids = this.db
      .prepare(`SELECT t.id FROM traces t ${whereClause(where)} ORDER BY t.started_at, t.rowid`)
      .pluck()
      .all(...params) as string[];
    for (const id of ids) {
      const row = this.selectSealed.get(id);
      if (row) yield this.open(row);
    }
  }

  /**
   * Ids of traces whose blind index holds every token, in the requested order, after the filter. This is
   * the index half of search; phrases and snippets are resolved on the decrypted candidates.
   */
  *candidates(tokens: readonly string[], filter: ScopedFilter, order: 'newest' | 'best'): Generator<string> {
    const { where, params } = filterToSql(filter, this.keyring);
    const orderBy = order === 'best' ? 'f.rank, t.started_at DESC' : 't.started_at DESC, t.rowid DESC';
    const sql = `SELECT t.id FROM trace_terms f JOIN traces t ON t.rowid = f.rowid
                 WHERE trace_terms MATCH ? ${where.map((w) => `AND ${w}`).join(' ')}
                 ORDER BY ${orderBy}`;
    const statement = this.db.prepare(sql).pluck();
    yield* statement.iterate(ftsMatch(tokens), ...params) as IterableIterator<string>;
  }

  /** One page of candidate ids, exactly (for queries without phrases). */
  candidatePage(
    tokens: readonly string[],
    filter: ScopedFilter,
    order: 'newest' | 'best',
    page: Page,
  ): string[] {
    const { where, params } = filterToSql(filter, this.keyring);
    const orderBy = order === 'best' ? 'f.rank, t.started_at DESC' : 't.started_at DESC, t.rowid DESC';
    const sql = `SELECT t.id FROM trace_terms f JOIN traces t ON t.rowid = f.rowid
                 WHERE trace_terms MATCH ? ${where.map((w) => `AND ${w}`).join(' ')}
                 ORDER BY ${orderBy} LIMIT ? OFFSET ?`;
    return this.db
      .prepare(sql)
      .pluck()
      .all(ftsMatch(tokens), ...params, page.limit, page.offset) as string[];
  }

  /** Whether trace `id` exists, and whether it lies inside `scope` (checked by SQL, like listings). */
  scopeOf(id: string, scope: SqlCondition): 'in' | 'out' | 'missing' {
    const inside = this.db
      .prepare(`SELECT 1 FROM traces t WHERE t.id = ? ${scope.where.map((w) => `AND ${w}`).join(' ')}`)
      .get(id, ...scope.params);
    if (inside) return 'in';
    return this.exists.get(id) ? 'out' : 'missing';
  }

  /** Removes a trace and its index terms. Returns false when there was no such trace. */
  delete(id: string): boolean {
    return this.db
      .transaction(() => {
        const row = this.db.prepare('SELECT rowid FROM traces WHERE id = ?').get(id) as
          { rowid: number } | undefined;
        if (!row) return false;
        this.db.prepare('DELETE FROM trace_terms WHERE rowid = ?').run(row.rowid);
        this.db.prepare('DELETE FROM traces WHERE rowid = ?').run(row.rowid);
        return true;
      })
      .immediate();
  }

  /**
   * The blind-index terms of each trace, computed on the term worker: ingest asks for the next batch's
   * terms before it writes the current one, so both cores work.
   */
  blindTermsAsync(traces: readonly Trace[]): Promise<string[]> {
    return this.keyring.termWorker().tokenize(traces.map(searchableText));
  }

  private blindTerms(trace: Trace): string {
    return this.keyring.termTokens(searchableText(trace));
  }

  private open([id, keyRef, keyVersion, formatVersion, nonce, body]: SealedRow): Trace {
    return this.cipher.open(nonce, body, { id, keyRef, keyVersion, formatVersion });
  }
}

function whereClause(where: string[]): string {
  return where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
}

/** Tokens are hex, but quoting keeps the MATCH expression safe whatever they are. Juxtaposition is AND. */
function ftsMatch(tokens: readonly string[]): string {
  return tokens.map((t) => `"${t}"`).join(' ');
}

function toSummary(row: TraceRow): TraceSummary {
  return {
    id: row.id,
    agentId: row.agent_id,
    startedAt: new Date(row.started_at).toISOString(),
    endedAt: row.ended_at === null ? null : new Date(row.ended_at).toISOString(),
    sizeBytes: row.size_bytes,
    keyVersion: row.key_version,
    region: row.region,
    ingestedAt: new Date(row.ingested_at).toISOString(),
  };
}
