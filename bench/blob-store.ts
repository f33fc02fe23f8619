import type { BenchTrace } from './corpus.js';
import { openDatabase, type SqliteDatabase, type SqliteStatement } from '../native/sqlite.js';

/**
 * Baseline (b): the floor of any store on this disk. Id and JSON as a BLOB in a rowid table, no index of
 * any kind, one transaction per batch under the same pragmas as the vault.
 */
export class BlobStore {
  private readonly insert: SqliteStatement;

  private constructor(private readonly db: SqliteDatabase) {
    db.exec('CREATE TABLE traces (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, body BLOB NOT NULL) STRICT');
    this.insert = db.prepare('INSERT INTO traces (id, body) VALUES (?, ?)');
  }

  static create(file: string): BlobStore {
    return new BlobStore(openDatabase(file));
  }

  put(traces: readonly BenchTrace[]): void {
    this.db
      .transaction(() => {
        for (const trace of traces) this.insert.run(trace.id, Buffer.from(JSON.stringify(trace)));
      })
      .immediate();
  }

  close(): void {
    this.db.close();
  }
}
