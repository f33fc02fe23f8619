import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { isVaultError } from '../../../common/errors.js';
import { exportAudit } from '../../../core/audit/audit-export.js';
import { AuditLog } from '../../../core/audit/audit-log.js';
import type { SqliteDatabase } from '../../../native/sqlite.js';
import { tempDir } from '../../support/temp.js';
import { freshAuditDb, syntheticEntries } from './audit-fixture.js';

const AWKWARD_TARGET = 'a,b "c"\r\nd';

function seeded(): SqliteDatabase {
  const { db } = freshAuditDb();
  const entries = syntheticEntries(21, 30);
  entries[4] = { ...entries[4]!, target: AWKWARD_TARGET, details: { note: 'x "y", z' } };
  entries[5] = { ...entries[5]!, breakGlass: 2 };
  new AuditLog(db).appendMany(entries);
  return db;
}

/** RFC 4180, parsed here without the code under test: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  assert.equal(field + record.join(''), '', 'the file ends with CRLF');
  return records;
}

/** A JSON Lines record as an outside verifier reads it. */
interface ExportedLine {
  seq: number;
  at: string;
  at_ms: number;
  actor: string;
  action: string;
  operation: string;
  target: string;
  result: string;
  origin: string;
  details: Record<string, unknown>;
  details_text?: string;
  macs: string[];
  break_glass: number | null;
  session_id: string;
  prev_hash: string;
  hash: string;
}

function readLines(file: string): ExportedLine[] {
  return readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as ExportedLine);
}

/** The outside verifier's recipe, from the export's own columns. */
function outsideHash(prevHex: string, hashed: unknown[]): string {
  return createHash('sha256')
    .update(Buffer.from(prevHex, 'hex'))
    .update(JSON.stringify(hashed), 'utf8')
    .digest('hex');
}

describe('exportAudit', () => {
  it('writes JSON Lines that an outside verifier can re-check row by row', () => {
    const db = seeded();
    const file = join(tempDir(), 'audit.jsonl');
    const report = exportAudit(db, 'jsonl', file);
    const text = readFileSync(file, 'utf8');
    assert.deepEqual(report, { rows: 30, bytes: Buffer.byteLength(text) });
    assert.equal(statSync(file).mode & 0o777, 0o600, 'owner-only');
    const lines = readLines(file);
    let prev = '0'.repeat(64);
    for (const line of lines) {
      assert.equal(line.prev_hash, prev, `row ${line.seq} links`);
      assert.equal(line.at, new Date(line.at_ms).toISOString());
      const hashed = [
        line.at_ms,
        line.actor,
        line.action,
        line.operation,
        line.target,
        line.result,
        line.origin,
        JSON.stringify(line.details),
        line.macs.join(' '),
        line.break_glass,
        line.session_id,
      ];
      assert.equal(outsideHash(line.prev_hash, hashed), line.hash, `row ${line.seq} re-hashes`);
      assert.equal(line.details_text, undefined);
      prev = line.hash;
    }
    assert.equal(lines[4]!.target, AWKWARD_TARGET);
    db.close();
  });

  it('writes RFC 4180 CSV, quoting what needs it, that re-checks the same way', () => {
    const db = seeded();
    const file = join(tempDir(), 'audit.csv');
    exportAudit(db, 'csv', file);
    const [header, ...records] = parseCsv(readFileSync(file, 'utf8'));
    assert.deepEqual(header, [
      'seq',
      'at',
      'at_ms',
      'actor',
      'action',
      'operation',
      'target',
      'result',
      'origin',
      'details',
      'macs',
      'break_glass',
      'session_id',
      'prev_hash',
      'hash',
    ]);
    assert.equal(records.length, 30);
    for (const r of records) {
      const [
        ,
        ,
        atMs,
        actor,
        action,
        operation,
        target,
        result,
        origin,
        details,
        macs,
        breakGlass,
        session,
        prevHash,
        hash,
      ] = r;
      const hashed = [
        Number(atMs),
        actor,
        action,
        operation,
        target,
        result,
        origin,
        details,
        macs,
        breakGlass === '' ? null : Number(breakGlass),
        session,
      ];
      assert.equal(outsideHash(prevHash!, hashed), hash, `row ${r[0]} re-hashes`);
    }
    assert.equal(records[4]![6], AWKWARD_TARGET);
    db.close();
  });

  it('exports only the rows a query selects', () => {
    const db = seeded();
    const file = join(tempDir(), 'audit.jsonl');
    assert.equal(exportAudit(db, 'jsonl', file, { query: { limit: 3, offset: 2 } }).rows, 3);
    assert.deepEqual(
      readLines(file).map((l) => l.seq),
      [3, 4, 5],
    );
    db.close();
  });

  it('refuses to overwrite unless asked, and leaves no partial file behind a failure', () => {
    const db = seeded();
    const file = join(tempDir(), 'audit.csv');
    writeFileSync(file, 'keep me');
    assert.throws(
      () => exportAudit(db, 'csv', file),
      (e: unknown) => isVaultError(e, 'BAD_INPUT'),
    );
    assert.equal(readFileSync(file, 'utf8'), 'keep me');
    assert.throws(
      () =>
        exportAudit(db, 'csv', file, {
          overwrite: true,
          beforePublish: () => {
            throw new Error('audit row refused');
          },
        }),
      /audit row refused/,
    );
    assert.equal(readFileSync(file, 'utf8'), 'keep me', 'abandoned before it appeared');
    // A file that appears while the export runs is not overwritten either.
    const racing = join(dirname(file), 'racing.jsonl');
    assert.throws(
      () => exportAudit(db, 'jsonl', racing, { beforePublish: () => writeFileSync(racing, 'first') }),
      (e: unknown) => isVaultError(e, 'BAD_INPUT'),
    );
    assert.equal(readFileSync(racing, 'utf8'), 'first');
    let seen: unknown;
    exportAudit(db, 'csv', file, { overwrite: true, beforePublish: (report) => (seen = report) });
    assert.match(readFileSync(file, 'utf8'), /^seq,at,/);
    assert.equal((seen as { rows: number }).rows, 30);
    assert.deepEqual(readdirSync(dirname(file)).sort(), ['audit.csv', 'racing.jsonl'], 'no partial files');
    assert.ok(!existsSync(`${file}.partial`));
    db.close();
  });

  it('gives the exact stored text of details that do not round-trip through JSON', () => {
    const db = seeded();
    db.exec('UPDATE audit_log SET details = \'{"b":1, "a":2}\' WHERE seq = 1');
    const file = join(tempDir(), 'audit.jsonl');
    exportAudit(db, 'jsonl', file);
    const [first] = readLines(file);
    assert.equal(first!.details_text, '{"b":1, "a":2}');
    db.close();
  });
});
