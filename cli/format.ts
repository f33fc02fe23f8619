/** Human renderings shared by several commands. None of them is used in --json mode. */
import type { SearchHit } from '../common/search.js';
import type { Trace, TraceSummary } from '../common/trace.js';
import type { HealthReport } from '../core/vault/inspect.js';

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '-';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Rows padded into columns; the last column is left ragged. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

export function summaryTable(summaries: readonly TraceSummary[]): string[] {
  return table([
    ['ID', 'AGENT', 'STARTED', 'SIZE'],
    ...summaries.map((s) => [s.id, s.agentId, s.startedAt, formatBytes(s.sizeBytes)]),
  ]);
}

export function hitLines(hits: readonly SearchHit[]): string[] {
  return hits.flatMap((hit) => [`${hit.id}  ${hit.agentId}  ${hit.startedAt}`, `    ${hit.snippet}`]);
}

/** A trace as a person reads it: who, when, then the conversation and tool calls in order. */
export function traceLines(trace: Trace): string[] {
  const lines = [`id:         ${trace.id}`, `agent:      ${trace.agent_id}`, `user:       ${trace.user_id}`];
  if (trace.subject_id !== undefined) lines.push(`subject:    ${trace.subject_id}`);
  if (trace.session_id !== undefined) lines.push(`session:    ${trace.session_id}`);
  if (trace.model !== undefined) lines.push(`model:      ${trace.model}`);
  lines.push(`started:    ${trace.started_at}`);
  if (trace.ended_at !== undefined) lines.push(`ended:      ${trace.ended_at}`);
  for (const message of trace.messages) {
    lines.push('', `[${message.role}${message.name ? ` ${message.name}` : ''}]`, message.content);
  }
  for (const call of trace.tool_calls) {
    lines.push('', `[tool call ${call.name}${call.id ? ` ${call.id}` : ''}]`);
    if (call.arguments !== undefined) lines.push(`arguments: ${JSON.stringify(call.arguments)}`);
    if (call.result !== undefined) lines.push(`result:    ${JSON.stringify(call.result)}`);
  }
  if (Object.keys(trace.attributes).length > 0)
    lines.push('', `attributes: ${JSON.stringify(trace.attributes)}`);
  if (Object.keys(trace.metadata).length > 0) lines.push(`metadata:   ${JSON.stringify(trace.metadata)}`);
  return lines;
}

export function healthLines(report: HealthReport): string[] {
  const slots = report.keySlots.map((s) => (s.label === s.kind ? s.kind : `${s.kind} (${s.label})`));
  const lines = [
    `status:          ${report.ok ? 'ok' : 'NOT OK'}`,
    `home:            ${report.home}`,
    `vault:           ${report.exists ? (report.vaultId ?? 'incomplete') : 'none'}`,
  ];
  if (report.exists) {
    lines.push(
      `created:         ${report.createdAt ?? '-'}`,
      `schema version:  ${report.schemaVersion ?? '-'} (this program: ${report.latestSchemaVersion})`,
      `quick_check:     ${report.quickCheck.length === 0 ? '-' : report.quickCheck.join('; ')}`,
      `traces:          ${report.traceCount ?? '-'}`,
      `database:        ${formatBytes(report.databaseBytes)}`,
      `write-ahead log: ${formatBytes(report.walBytes)}`,
      `key slots:       ${slots.length === 0 ? 'none' : slots.join(', ')}`,
    );
  }
  for (const problem of report.problems) lines.push(`problem:         ${problem}`);
  return lines;
}
