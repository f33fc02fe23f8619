import type { BenchTrace } from './corpus.js';
import { openDatabase, type SqliteDatabase, type SqliteStatement } from '../native/sqlite.js';

/**
 * Baseline (a): what an application without encryption would store. The same kind of plaintext query
 * columns as the vault, the trace JSON as TEXT, and an FTS5 index (default tokenizer, full detail) over
 * the message text. The FTS5 table is external-content: its content is a view over the JSON, so the text
 * is not stored twice.
 */
const SCHEMA = `
  CREATE TABLE traces (
    rowid       INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    agent_id    TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    subject_id  TEXT,
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER,
    ingested_at INTEGER NOT NULL,
    size_bytes  INTEGER NOT NULL,
    body        TEXT NOT NULL
  ) STRICT;
  CREATE INDEX traces_by_start ON traces(started_at);
  CREATE INDEX traces_by_agent ON traces(agent_id, started_at);
  CREATE INDEX traces_by_user ON traces(user_id, started_at);
  CREATE INDEX traces_by_subject ON traces(subject_id, started_at) WHERE subject_id IS NOT NULL;

  CREATE VIEW trace_text (trace_rowid, text) AS
    SELECT t.rowid,
           (SELECT group_concat(json_extract(m.value, '$.content'), char(10))
              FROM json_each(t.body, '$.messages') AS m)
      FROM traces t;
  CREATE VIRTUAL TABLE trace_fts USING fts5(text, content='trace_text', content_rowid='trace_rowid');
  CREATE VIRTUAL TABLE trace_fts_vocab USING fts5vocab(trace_fts, 'row');
`;

export interface TermFrequency {
  term: string;
  /** Number of traces holding the term. */
  docs: number;
}

export class PlaintextFtsStore {
  private readonly insertTrace: SqliteStatement;
  private readonly insertText: SqliteStatement;
  private readonly searchStatement: SqliteStatement<[string, number], string>;
  private readonly selectBody: SqliteStatement<[string], string>;

  private constructor(
    private readonly db: SqliteDatabase,
    withSchema: boolean,
  ) {
    if (withSchema) db.exec(SCHEMA);
    this.insertTrace = db.prepare(
      `INSERT INTO traces (id, agent_id, user_id, subject_id, started_at, ended_at, ingested_at, size_bytes, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertText = db.prepare('INSERT INTO trace_fts (rowid, text) VALUES (?, ?)');
    // The same shape as the vault's candidate query: AND of the words, newest first, one page.
    this.searchStatement = db
      .prepare<[string, number], string>(
        `SELECT t.id FROM trace_fts f JOIN traces t ON t.rowid = f.rowid
         WHERE trace_fts MATCH ? ORDER BY t.started_at DESC, t.rowid DESC LIMIT ?`,
      )
      .pluck();
    this.selectBody = db.prepare<[string], string>('SELECT body FROM traces WHERE id = ?').pluck();
  }

  /** Opened through native/sqlite.ts, so WAL and synchronous=FULL are exactly the vault's pragmas. */
  static create(file: string): PlaintextFtsStore {
    return new PlaintextFtsStore(openDatabase(file), true);
  }

  /** A store built earlier, read-only: the serving probe's baseline. */
  static open(file: string): PlaintextFtsStore {
    return new PlaintextFtsStore(openDatabase(file, { readonly: true }), false);
  }

  /** One transaction, like vault.put: serialise, insert the row, index the message text. */
  put(traces: readonly BenchTrace[]): void {
    this.db
      .transaction(() => {
        const now = Date.now();
        for (const trace of traces) {
          const body = JSON.stringify(trace);
          const info = this.insertTrace.run(
            trace.id,
            trace.agent_id,
            trace.user_id,
            trace.subject_id ?? null,
            Date.parse(trace.started_at),
            trace.ended_at === undefined ? null : Date.parse(trace.ended_at),
            now,
            Buffer.byteLength(body),
            body,
          );
          this.insertText.run(info.lastInsertRowid, trace.messages.map((m) => m.content).join('\n'));
        }
      })
      .immediate();
  }

  searchIds(query: string, limit: number): string[] {
    return this.searchStatement.all(query, limit);
  }

  /** The plaintext counterpart of vault.getMany: read each row and parse its JSON. */
  getMany(ids: readonly string[]): unknown[] {
    const out: unknown[] = [];
    for (const id of ids) {
      const body = this.selectBody.get(id);
      if (body !== undefined) out.push(JSON.parse(body));
    }
    return out;
  }

  /** Every indexed word with its document frequency, for choosing query words. */
  termFrequencies(): TermFrequency[] {
    return this.db.prepare<[], TermFrequency>('SELECT term, doc AS docs FROM trace_fts_vocab').all();
  }

  close(): void {
    this.db.close();
  }
}
