import { z } from 'zod';
import {
  describeIssues,
  TRACE_ID_PATTERN,
  TraceInputSchema,
  type Message,
  type ToolCall,
} from '../../common/trace.js';
import { utf8 } from '../crypto/bytes.js';
import { decodeJsonLine, isBlank } from './decode-line.js';
import { readLines } from './line-reader.js';
import type { SourceRecord, TraceSource } from './source.js';

/**
 * MirrorDNA session logs, as `activemirror export --format mirrordna` writes them: one event per line,
 * `{session_id, vault_id, event_type, timestamp, payload}`. All events of a session become one trace.
 *
 * Event types read: session_start (agent_id, user_id, subject_id, model in the payload), message /
 * user_message / assistant_message / system_message / prompt / response (role and content or text),
 * tool_call (name, arguments, id), tool_result (id or name, result), session_end. Any other event is kept,
 * payload and all, in the trace's metadata under `mirrordna_events`, so nothing read is dropped.
 */
const EventSchema = z.object({
  session_id: z.string({ error: 'session_id must be a string' }).min(1, 'session_id must not be empty'),
  vault_id: z.string({ error: 'vault_id must be a string' }).min(1, 'vault_id must not be empty'),
  event_type: z.string({ error: 'event_type must be a string' }).min(1, 'event_type must not be empty'),
  timestamp: z.union([z.iso.datetime({ offset: true }), z.number().nonnegative()], {
    error: 'timestamp must be an ISO 8601 date-time or seconds since 1970',
  }),
  payload: z.record(z.string(), z.unknown(), { error: 'payload must be an object' }).default({}),
});
type MirrorEvent = z.infer<typeof EventSchema>;

const ROLE_BY_EVENT: Record<string, Message['role']> = {
  user_message: 'user',
  prompt: 'user',
  assistant_message: 'assistant',
  response: 'assistant',
  system_message: 'system',
};

interface Session {
  firstLine: number;
  lastLine: number;
  events: MirrorEvent[];
}

export const readMirrorDnaTraces: TraceSource = async function* (
  file,
  options,
): AsyncGenerator<SourceRecord> {
  const sessions = new Map<string, Session>();
  let bytesRead = 0;
  for await (const line of readLines(file, options.maxTraceBytes)) {
    bytesRead += (line.tooLongBytes ?? line.bytes.length) + 1;
    options.onBytes?.(bytesRead);
    const where = `line ${line.number}`;
    if (line.tooLongBytes !== undefined) {
      yield {
        ok: false,
        where,
        line: line.number,
        reason: `event is ${line.tooLongBytes} bytes, over the limit`,
      };
      continue;
    }
    if (isBlank(line.bytes)) continue;
    const decoded = decodeJsonLine(line.bytes);
    if (!decoded.ok) {
      yield { ok: false, where, line: line.number, reason: decoded.reason };
      continue;
    }
    const parsed = EventSchema.safeParse(decoded.value);
    if (!parsed.success) {
      yield { ok: false, where, line: line.number, reason: describeIssues(parsed.error) };
      continue;
    }
    const session = sessions.get(parsed.data.session_id) ?? {
      firstLine: line.number,
      lastLine: 0,
      events: [],
    };
    session.lastLine = line.number;
    session.events.push(parsed.data);
    sessions.set(parsed.data.session_id, session);
  }

  for (const [sessionId, session] of sessions) {
    const where = `session ${JSON.stringify(sessionId)} (lines ${session.firstLine}-${session.lastLine})`;
    const parsed = TraceInputSchema.safeParse(assemble(sessionId, session.events));
    if (!parsed.success) {
      yield { ok: false, where, line: session.firstLine, reason: describeIssues(parsed.error) };
      continue;
    }
    const size = utf8(JSON.stringify(parsed.data)).length;
    if (size > options.maxTraceBytes) {
      yield {
        ok: false,
        where,
        line: session.firstLine,
        reason: `trace is ${size} bytes, over the limit of ${options.maxTraceBytes} bytes`,
      };
      continue;
    }
    yield {
      ok: true,
      where,
      line: session.firstLine,
      trace: parsed.data,
      identity: utf8(`mirrordna\0${sessionId}`),
    };
  }
};

function assemble(sessionId: string, events: MirrorEvent[]): Record<string, unknown> {
  const ordered = [...events].sort((a, b) => toMillis(a.timestamp) - toMillis(b.timestamp));
  const messages: Message[] = [];
  const toolCalls: ToolCall[] = [];
  const other: unknown[] = [];
  const fields: Record<string, unknown> = {};
  let endedAt: string | undefined;

  for (const event of ordered) {
    const p = event.payload;
    switch (event.event_type) {
      case 'session_start':
        for (const key of ['agent_id', 'user_id', 'subject_id', 'model'] as const) {
          if (p[key] !== undefined) fields[key] = p[key];
        }
        break;
      case 'session_end':
        endedAt = toIso(event.timestamp);
        break;
      case 'tool_call':
        toolCalls.push({
          id: asString(p.id),
          name: asString(p.name ?? p.tool) ?? '',
          arguments: p.arguments ?? p.args,
        });
        break;
      case 'tool_result': {
        const call =
          toolCalls.find((c) => p.id !== undefined && c.id === p.id) ??
          [...toolCalls].reverse().find((c) => c.name === p.name && c.result === undefined);
        if (call) call.result = p.result ?? p.output;
        else other.push({ event_type: event.event_type, timestamp: event.timestamp, payload: p });
        break;
      }
      default: {
        const role = (asString(p.role) as Message['role'] | undefined) ?? ROLE_BY_EVENT[event.event_type];
        const content = p.content ?? p.text;
        if ((event.event_type === 'message' || role !== undefined) && typeof content === 'string') {
          messages.push({ role: role ?? 'user', content });
        } else {
          other.push({ event_type: event.event_type, timestamp: event.timestamp, payload: p });
        }
      }
    }
  }

  const first = ordered[0]!;
  const last = ordered[ordered.length - 1]!;
  const id = `mirrordna-${sessionId}`;
  return {
    ...(TRACE_ID_PATTERN.test(id) ? { id } : {}),
    agent_id: fields.agent_id ?? 'mirrordna',
    user_id: fields.user_id ?? first.vault_id,
    ...(fields.subject_id !== undefined ? { subject_id: fields.subject_id } : {}),
    session_id: sessionId,
    ...(fields.model !== undefined ? { model: fields.model } : {}),
    started_at: toIso(first.timestamp),
    ended_at: endedAt ?? toIso(last.timestamp),
    messages,
    tool_calls: toolCalls.map((c) =>
      Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)),
    ),
    attributes: { 'mirrordna.vault_id': first.vault_id },
    metadata: other.length > 0 ? { mirrordna_events: other } : {},
  };
}

function toMillis(timestamp: string | number): number {
  if (typeof timestamp === 'string') return Date.parse(timestamp);
  // Seconds since 1970, or milliseconds when the number is too large to be seconds.
  return timestamp > 1e11 ? timestamp : timestamp * 1000;
}

function toIso(timestamp: string | number): string {
  return typeof timestamp === 'string' ? timestamp : new Date(toMillis(timestamp)).toISOString();
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
