import { ErrorCode, VaultError } from '../../common/errors.js';
import type { SearchRequest, SearchResult, TraceFilter } from '../../common/search.js';
import type { Trace, TraceInput, TraceSummary } from '../../common/trace.js';
import type { ImportOptions, ImportReport } from '../ingest/importer.js';
import type { Page, PutResult } from '../store/trace-store.js';
import type { ExportReport } from '../vault/export-file.js';
import type { Vault } from '../vault/vault.js';
import type { Access, Gate } from './gate.js';
import { traceInScope } from './scope.js';
import type { Session } from './session.js';

/** Trace operations of a session: each one through the gate, its scope inside the query. */
export class SessionTraces {
  constructor(
    private readonly gate: Gate,
    private readonly vault: Vault,
    private readonly session: Session,
  ) {}

  get(id: string): Trace {
    return this.gate.perform('traces.get', { target: id }, (access) => {
      this.assertTargetInScope(id, access);
      return { value: this.vault.get(id), traces: [id] };
    });
  }

  list(filter: TraceFilter = {}, page: Page = { limit: 50, offset: 0 }): TraceSummary[] {
    return this.gate.perform('traces.list', { sensitive: sensitiveOf(filter) }, (access) => {
      const rows = this.vault.list({ ...filter, scope: access.sql }, page);
      return { value: rows, details: { count: rows.length } };
    });
  }

  count(filter: TraceFilter = {}): number {
    return this.gate.perform('traces.count', { sensitive: sensitiveOf(filter) }, (access) => {
      const n = this.vault.count({ ...filter, scope: access.sql });
      return { value: n, details: { count: n } };
    });
  }

  search(request: SearchRequest): SearchResult {
    const sensitive = [request.query, ...queryWords(request.query), ...sensitiveOf(request)];
    return this.gate.perform('traces.search', { sensitive }, (access) => {
      const result = this.vault.search({ ...request, scope: access.sql });
      return { value: result, traces: result.hits.map((h) => h.id) };
    });
  }

  /** Stores traces in one transaction with their audit row; every trace must lie inside the scope. */
  put(inputs: readonly TraceInput[]): PutResult {
    return this.gate.perform('traces.put', { details: { traces: inputs.length } }, (access) => {
      this.assertInputsInScope(inputs, access);
      return { value: this.vault.put(inputs) };
    });
  }

  /** Imports a file; each committed batch is one write through the gate, with its own audit row. */
  importFile(file: string, options: ImportOptions = {}): Promise<ImportReport> {
    return this.vault.importFile(file, options, (traces, write) =>
      this.gate.perform('traces.put', { details: { traces: traces.length, source: 'import' } }, (access) => {
        this.assertInputsInScope(traces, access);
        return { value: write() };
      }),
    );
  }

  delete(id: string): void {
    this.gate.perform('traces.delete', { target: id }, (access) => {
      this.assertTargetInScope(id, access);
      this.vault.delete(id);
      return { value: undefined };
    });
  }

  /** Writes the traces in scope to a file; the audit row (count and bytes) is written before it appears. */
  exportTo(
    output: string,
    filter: TraceFilter = {},
    options: { overwrite?: boolean; onTrace?: (count: number, total: number) => void } = {},
  ): Promise<ExportReport> {
    return this.gate.performStaged('traces.export', { sensitive: sensitiveOf(filter) }, (access, record) =>
      this.vault.exportTo(
        output,
        { ...filter, scope: access.sql },
        { ...options, beforePublish: (report) => record({ count: report.traces, bytes: report.bytes }) },
      ),
    );
  }

  private assertTargetInScope(id: string, access: Access): void {
    const where = this.vault.scopeOf(id, access.sql);
    if (where === 'out') {
      throw new VaultError(
        ErrorCode.FORBIDDEN,
        `trace ${JSON.stringify(id)} is outside ${this.session.user.name}'s scope`,
      );
    }
    if (where === 'missing')
      throw new VaultError(ErrorCode.NOT_FOUND, `no trace with id ${JSON.stringify(id)}`);
  }

  private assertInputsInScope(inputs: readonly TraceInput[], access: Access): void {
    for (const [index, input] of inputs.entries()) {
      if (!traceInScope(input, access.scopes, this.session.user.name)) {
        throw new VaultError(
          ErrorCode.FORBIDDEN,
          `trace ${index} (agent ${JSON.stringify(input.agent_id)}) is outside ${this.session.user.name}'s scope`,
        );
      }
    }
  }
}

/** People's identifiers in a filter: recorded only as HMACs. */
function sensitiveOf(filter: TraceFilter): string[] {
  return [filter.userId, filter.subjectId].filter((v): v is string => v !== undefined);
}

/** The words of a query, so an auditor can look up one word of a search someone ran. */
function queryWords(query: string): string[] {
  return query
    .replace(/"/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '');
}
