import type { AuditRecord } from '../../common/audit.js';
import { exportAudit, type AuditExportFormat, type AuditExportReport } from '../audit/audit-export.js';
import { normalizeSensitive, sensitiveMacs } from '../audit/audit-macs.js';
import { lookupMac, queryAudit, type AuditQuery } from '../audit/audit-query.js';
import { verifyAuditLog, type AuditVerification } from '../audit/verify.js';
import { VaultMeta } from '../vault/meta.js';
import type { Vault } from '../vault/vault.js';
import type { Gate } from './gate.js';
import type { SecretSealer } from './secret-sealer.js';

/** The auditor's operations on the audit log (VIEW_AUDIT_LOGS), each itself audited. */
export class SessionAudit {
  constructor(
    private readonly gate: Gate,
    private readonly vault: Vault,
    private readonly sealer: () => SecretSealer,
  ) {}

  query(q: AuditQuery): AuditRecord[] {
    return this.gate.perform('audit.query', { details: describeQuery(q) }, () => {
      const rows = queryAudit(this.vault.database, q);
      return { value: rows, details: { count: rows.length } };
    });
  }

  /** Rows that mention `value` (a patient id, a query word), found by its HMAC: the log never held it. */
  lookup(value: string): AuditRecord[] {
    return this.gate.perform('audit.lookup', { sensitive: [value] }, () => {
      const [mac] = sensitiveMacs([normalizeSensitive(value)], (v: string) => this.vault.auditMac(v));
      const rows = mac === undefined ? [] : lookupMac(this.vault.database, mac);
      return { value: rows, details: { count: rows.length } };
    });
  }

  /** Checks the chain and every signed checkpoint against the device's public key. */
  verify(): AuditVerification & { devicePublicKey: string | null } {
    return this.gate.perform('audit.verify', {}, () => {
      const point = new VaultMeta(this.vault.database).get('device_public_point');
      const publicPoint = point === undefined ? undefined : Buffer.from(point, 'hex');
      const report = verifyAuditLog(this.vault.database, {
        vaultId: this.vault.vaultId,
        ...(publicPoint ? { publicPoint } : {}),
      });
      return {
        value: { ...report, devicePublicKey: point ?? null },
        details: {
          rows: report.rows,
          ok: report.ok,
          ...(report.firstBreak ? { break: report.firstBreak.kind } : {}),
        },
      };
    });
  }

  /** Writes the log (with its hashes, for an outside verifier) to a file; audited before it appears. */
  export(format: AuditExportFormat, output: string, overwrite = false): Promise<AuditExportReport> {
    return this.gate.performStaged('audit.export', { details: { format } }, (_access, record) =>
      exportAudit(this.vault.database, format, output, {
        overwrite,
        beforePublish: (report) => record({ count: report.rows, bytes: report.bytes }),
      }),
    );
  }

  /**
   * Every break-glass grant, newest first, with its reason opened: what an auditor reviews after an
   * emergency. Reading them is itself one audited query.
   */
  breakGlassGrants(): BreakGlassReview[] {
    return this.gate.perform('audit.query', { target: 'break-glass' }, () => {
      const rows = this.vault.database
        .prepare(
          `SELECT b.id, u.name AS user, b.started_at, b.ends_at, b.reason_sealed
           FROM break_glass b JOIN users u ON u.id = b.user_id ORDER BY b.id DESC`,
        )
        .all() as {
        id: number;
        user: string;
        started_at: number;
        ends_at: number;
        reason_sealed: Uint8Array;
      }[];
      const sealer = this.sealer();
      try {
        const grants = rows.map((row) => ({
          id: row.id,
          user: row.user,
          startedAt: new Date(row.started_at).toISOString(),
          endsAt: new Date(row.ends_at).toISOString(),
          reason: Buffer.from(sealer.open('break-glass-reason', row.reason_sealed)).toString('utf8'),
        }));
        return { value: grants, details: { count: grants.length } };
      } finally {
        sealer.destroy();
      }
    });
  }
}

export interface BreakGlassReview {
  id: number;
  user: string;
  /** ISO 8601. */
  startedAt: string;
  endsAt: string;
  reason: string;
}

/** What the row says of a query: which filters were used, not their values (a user name is not secret). */
function describeQuery(q: AuditQuery): Record<string, unknown> {
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined));
}
