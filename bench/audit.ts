import { join } from 'node:path';
import { AuditLog } from '../core/audit/audit-log.js';
import { AuditCheckpointer } from '../core/audit/checkpoints.js';
import { verifyAuditLog } from '../core/audit/verify.js';
import { SoftwareDeviceKey } from '../core/keys/device-key.js';
import { openStorage } from '../core/vault/storage.js';
import { syntheticEntries, VAULT_ID } from '../test/unit/audit/audit-fixture.js';
import type { Report } from './report.js';
import { timed } from './stats.js';

/** Rows per transaction (design.md §8), and per checkpoint (the policy default). */
const BATCH = 1_000;
/** Verify and its baseline alternate this many times; the best of each counts (least disturbed). */
const ROUNDS = 3;

/**
 * The audit log (design.md §8): appends in batches of 1,000 rows per transaction, with the engine's
 * pragmas (WAL, synchronous=FULL), timing only the append transactions; then a full verification
 * (chain, Merkle roots, checkpoint signatures) against the baseline of reading every row of the same table
 * (`SELECT *`, iterated).
 *
 *   BENCH_AUDIT_ROWS  rows to append (default 200000)
 */
export async function benchAudit(report: Report, dir: string): Promise<void> {
  const rows = parseRows(process.env.BENCH_AUDIT_ROWS);
  const db = openStorage(join(dir, 'audit.db'));
  try {
    const { key } = SoftwareDeviceKey.generate();
    const log = new AuditLog(db);
    const checkpointer = new AuditCheckpointer(db, VAULT_ID, key);
    let appendMs = 0;
    let checkpointMs = 0;
    for (let first = 0; first < rows; first += BATCH) {
      // Generated outside the timing: the figure is the log's cost, not the fixture's.
      const entries = syntheticEntries(first + 1, Math.min(BATCH, rows - first), first);
      appendMs += timed(() => db.transaction(() => log.appendMany(entries)).immediate())[1];
      const started = performance.now();
      await checkpointer.checkpoint();
      checkpointMs += performance.now() - started;
    }

    let verifyMs = Infinity;
    let scanMs = Infinity;
    const scan = db.prepare('SELECT * FROM audit_log');
    for (let round = 0; round < ROUNDS; round++) {
      const [result, ms] = timed(() =>
        verifyAuditLog(db, { vaultId: VAULT_ID, publicPoint: key.publicPoint }),
      );
      if (!result.ok || result.rows !== rows) {
        throw new Error(
          `the benchmark log did not verify: ${result.firstBreak?.kind ?? `${result.rows} rows`}`,
        );
      }
      verifyMs = Math.min(verifyMs, ms);
      const [scanned, scanTime] = timed(() => {
        let n = 0;
        const cursor = scan.iterate();
        for (let step = cursor.next(); !step.done; step = cursor.next()) n++;
        return n;
      });
      if (scanned !== rows) throw new Error(`the scan read ${scanned} of ${rows} rows`);
      scanMs = Math.min(scanMs, scanTime);
    }

    const rate = (ms: number) => rows / (ms / 1000);
    report.section(
      `audit log: ${rows.toLocaleString('en-US')} rows, ${BATCH.toLocaleString('en-US')} per transaction, ` +
        `a signed checkpoint every ${BATCH.toLocaleString('en-US')}`,
    );
    report.add({
      key: 'audit.append',
      label: `append, ${BATCH} rows per transaction (synchronous=FULL)`,
      value: rate(appendMs),
      unit: 'rows/s',
      target: { op: '>=', value: 50_000 },
    });
    report.add({
      key: 'audit.checkpoint_ms',
      label: `checkpoint over ${BATCH} new rows (re-check, Merkle, sign), mean`,
      value: checkpointMs / Math.ceil(rows / BATCH),
      unit: 'ms',
    });
    report.add({
      key: 'audit.verify',
      label: 'verify: chain, Merkle roots, checkpoint signatures',
      value: rate(verifyMs),
      unit: 'rows/s',
    });
    report.add({
      key: 'audit.scan',
      label: 'baseline: SELECT * FROM audit_log, iterated',
      value: rate(scanMs),
      unit: 'rows/s',
    });
    report.add({
      key: 'audit.verify_ratio_vs_scan',
      label: 'ratio verify / scan',
      value: scanMs / verifyMs,
      unit: '×',
      target: { op: '>=', value: 0.35 },
    });
  } finally {
    db.close();
  }
}

function parseRows(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 200_000;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < BATCH) {
    throw new Error(
      `BENCH_AUDIT_ROWS must be a whole number of at least ${BATCH}, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}
