/**
 * The native trace format: one JSON object per line (JSON Lines), close to the OpenTelemetry GenAI
 * semantic conventions (gen_ai.* spans and events): who ran which agent on which model, the messages
 * exchanged, and the tool calls made.
 */
import { z } from 'zod';

/** Trace ids travel in file names, URLs and audit rows, so they are kept to a safe alphabet. */
export const TRACE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

const identifier = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .max(256, `${what} is longer than 256 characters`);

const timestamp = (what: string) =>
  z.iso.datetime({ offset: true, error: `${what} must be an ISO 8601 date-time with a time zone` });

export const MessageSchema = z.strictObject({
  /** OpenTelemetry GenAI roles. */
  role: z.enum(['system', 'user', 'assistant', 'tool'], {
    error: 'role must be one of system, user, assistant, tool',
  }),
  content: z.string({ error: 'content must be a string' }),
  name: z.string().max(256).optional(),
});

export const ToolCallSchema = z.strictObject({
  id: z.string().max(256).optional(),
  name: identifier('tool_calls[].name'),
  arguments: z.unknown().optional(),
  result: z.unknown().optional(),
});

const attributeValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const TraceInputSchema = z
  .strictObject({
    id: z
      .string()
      .regex(TRACE_ID_PATTERN, 'id must be 1-128 characters of letters, digits and . _ : @ -')
      .optional(),
    agent_id: identifier('agent_id'),
    user_id: identifier('user_id'),
    subject_id: identifier('subject_id').optional(),
    session_id: identifier('session_id').optional(),
    model: z.string().max(256).optional(),
    started_at: timestamp('started_at'),
    ended_at: timestamp('ended_at').optional(),
    messages: z.array(MessageSchema, { error: 'messages must be an array' }),
    tool_calls: z.array(ToolCallSchema).default([]),
    attributes: z.record(z.string(), attributeValue).default({}),
    metadata: z.record(z.string(), z.unknown()).default({}),
  })
  .refine((t) => t.ended_at === undefined || Date.parse(t.ended_at) >= Date.parse(t.started_at), {
    message: 'ended_at is before started_at',
    path: ['ended_at'],
  });

export type TraceInput = z.input<typeof TraceInputSchema>;
export type Message = z.infer<typeof MessageSchema>;
export type ToolCall = z.infer<typeof ToolCallSchema>;

/** A validated trace with its id assigned. This is what the vault stores (encrypted) and returns. */
export type Trace = z.infer<typeof TraceInputSchema> & { id: string };

/** What listings show without decrypting anything: the plaintext columns of design.md §4. */
export interface TraceSummary {
  id: string;
  agentId: string;
  startedAt: string;
  endedAt: string | null;
  sizeBytes: number;
  keyVersion: number;
  region: string | null;
  ingestedAt: string;
}

/** Turns zod issues into one line that says what was wrong and where. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(trace)';
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}
