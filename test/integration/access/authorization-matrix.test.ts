/**
 * The authorization matrix: every registered operation, as each default role, on a trace inside and a
 * trace outside the role's scope, against the written policy table in docs/access-policy.md. Each call
 * must also write exactly one audit row, whose operation and result match the outcome.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ErrorCode, isVaultError } from '../../../common/errors.js';
import type { TraceInput } from '../../../common/trace.js';
import { OPERATIONS, type OperationName } from '../../../core/access/operations.js';
import type { VaultSession } from '../../../core/access/vault-session.js';
import {
  accessFixture,
  auditRowCount,
  lastAuditRows,
  passphrase,
  ROLE_USERS,
  sampleTrace,
  TRACES,
  type AccessFixture,
  type DefaultRoleName,
} from '../../support/access-fixture.js';
import { tempDir } from '../../support/temp.js';

const ROLES: DefaultRoleName[] = ['clinician', 'developer', 'auditor', 'admin'];
const POLICY_FILE = fileURLToPath(new URL('../../../../docs/access-policy.md', import.meta.url));

type Cell = 'yes' | 'all' | 'own' | 'dev-*' | '—';

/** The operation rows of the written table: operation → role → cell. */
function writtenPolicy(): Map<string, Record<DefaultRoleName, Cell>> {
  const table = new Map<string, Record<DefaultRoleName, Cell>>();
  for (const line of readFileSync(POLICY_FILE, 'utf8').split('\n')) {
    const match = /^\|\s*`([\w.]+)`\s*\|[^|]+\|([^|]+)\|([^|]+)\|([^|]+)\|([^|]+)\|$/.exec(line.trim());
    if (!match) continue;
    const cells = match.slice(2).map((c) => c.trim()) as Cell[];
    for (const cell of cells) assert.match(cell, /^(yes|all|own|dev-\*|—)$/, `cell ${cell} of ${match[1]}`);
    assert.ok(!table.has(match[1]!), `${match[1]} is written twice`);
    table.set(match[1]!, {
      clinician: cells[0]!,
      developer: cells[1]!,
      auditor: cells[2]!,
      admin: cells[3]!,
    });
  }
  return table;
}

type Target = 'inside' | 'outside';
type Outcome = 'allowed' | 'denied';

/** The trace a role's "inside" and "outside" targets stand for. */
function targetTrace(role: DefaultRoleName, target: Target): TraceInput {
  if (target === 'outside') return TRACES.other;
  return role === 'developer' ? TRACES.dev : TRACES.own;
}

function expected(cell: Cell, trace: TraceInput): Outcome {
  switch (cell) {
    case 'yes':
    case 'all':
      return 'allowed';
    case '—':
      return 'denied';
    case 'own':
      return trace.user_id === ROLE_USERS.clinician ? 'allowed' : 'denied';
    case 'dev-*':
      return trace.agent_id.startsWith('dev-') ? 'allowed' : 'denied';
  }
}

interface Run {
  session: VaultSession;
  fixture: AccessFixture;
  trace: TraceInput;
  /** Unique per call, for names and ids the call creates. */
  n: number;
  dir: string;
  /** What one call leaves for a later one (the slot keys.slots.add made, for keys.slots.remove). */
  state: { slot?: number };
}

/**
 * How to call each operation. A listing "allows" a trace when the trace is in what it returns; a trace
 * left out counts as denied, as the scope is applied inside the query.
 */
const CALLS: Record<OperationName, (run: Run) => Promise<boolean> | boolean> = {
  'session.open': async ({ fixture, session }) => {
    const other = await fixture.open(session.user.name);
    await other.close();
    return true;
  },
  'session.lock': async ({ fixture, session }) => {
    const other = await fixture.open(session.user.name);
    other.lock();
    return true;
  },
  'session.close': async ({ fixture, session }) => {
    const other = await fixture.open(session.user.name);
    await other.close();
    return true;
  },
  'session.whoami': ({ session }) => session.whoami().user === session.user.name,
  'traces.get': ({ session, trace }) => session.traces.get(trace.id!).id === trace.id,
  'traces.list': ({ session, trace }) =>
    session.traces.list({}, { limit: 100, offset: 0 }).some((t) => t.id === trace.id),
  'traces.count': ({ session, trace }) => session.traces.count({ agentId: trace.agent_id }) > 0,
  'traces.search': ({ session, trace }) =>
    session.traces.search({ query: 'refill request', limit: 100 }).hits.some((h) => h.id === trace.id),
  'traces.put': ({ session, trace, n }) =>
    session.traces.put([sampleTrace(`put-${n}`, trace.agent_id, trace.user_id)]).stored.length === 1,
  'traces.delete': ({ session, n }) => {
    session.traces.delete(`del-${n}`);
    return true;
  },
  'traces.export': async ({ session, trace, dir, n }) => {
    const file = join(dir, `export-${n}.jsonl`);
    await session.traces.exportTo(file);
    return readFileSync(file, 'utf8').includes(`"id":"${trace.id}"`);
  },
  'audit.query': ({ session }) => Array.isArray(session.audit.query({ limit: 5 })),
  'audit.lookup': ({ session }) => Array.isArray(session.audit.lookup('refill')),
  'audit.verify': ({ session }) => session.audit.verify().ok,
  'audit.export': async ({ session, dir, n }) =>
    (await session.audit.export('jsonl', join(dir, `audit-${n}.jsonl`))).rows > 0,
  'users.list': ({ session }) => session.admin.listUsers().length > 0,
  'users.add': async ({ session, n }) =>
    (await session.admin.addUser(`new-user-${n}`, ['developer'], passphrase(`new-user-${n}`))).id > 0,
  'users.disable': ({ session }) => session.admin.disableUser('aud-ann').disabledAt !== null,
  'users.enable': ({ session }) => session.admin.enableUser('aud-ann').disabledAt === null,
  'users.assignRole': ({ session }) =>
    session.admin.assignRole('dev-dan', 'auditor').roles.includes('auditor'),
  'users.removeRole': ({ session }) =>
    !session.admin.removeRole('dev-dan', 'auditor').roles.includes('auditor'),
  'users.enrollTotp': ({ session }) => session.admin.enrollTotp('aud-ann').uri.startsWith('otpauth://totp/'),
  'roles.list': ({ session }) => session.admin.listRoles().length >= 4,
  'roles.show': ({ session }) => session.admin.showRole('clinician').name === 'clinician',
  'roles.define': ({ session, n }) =>
    session.admin.defineRole({ name: `custom-${n}`, permissions: ['READ_TRACES'], scopes: ['all'] }).name ===
    `custom-${n}`,
  'policy.show': ({ session }) => session.admin.showPolicy().idle_timeout_minutes > 0,
  'policy.set': ({ session }) =>
    session.admin.setPolicy({ idle_timeout_minutes: 15 }, session.user).idle_timeout_minutes === 15,
  'keys.status': ({ session }) => session.admin.keyStatus().currentVersion >= 1,
  'keys.rotate': async ({ session }) => (await session.admin.rotateKeys()) > 1,
  'keys.slots.list': ({ session }) => session.admin.listSlots().length > 0,
  'keys.slots.add': async ({ session, n, state }) => {
    state.slot = await session.admin.addSlot(passphrase(`extra-${n}`));
    return state.slot > 0;
  },
  'keys.slots.remove': ({ session, state }) => {
    // Denied before the id is looked at, for roles without MANAGE_KEYS.
    session.admin.removeSlot(state.slot ?? 999_999);
    return true;
  },
  'keys.rotateMaster': async ({ session, n }) =>
    (await session.admin.rotateMaster(passphrase(`master-${n}`))) > 0,
  'breakGlass.start': ({ session }) => session.breakGlass('matrix test: emergency review', 5).id > 0,
};

/** Operations that change what later calls see run last, in this order. */
const LAST: OperationName[] = ['breakGlass.start', 'keys.rotateMaster'];

/** Set-up a call needs first, done by the admin in a session of its own (its rows are not counted). */
const PREPARE: Partial<Record<OperationName, (run: Run) => Promise<void>>> = {
  'traces.delete': async ({ fixture, trace, n }) => {
    const admin = await fixture.open(ROLE_USERS.admin);
    admin.traces.put([sampleTrace(`del-${n}`, trace.agent_id, trace.user_id)]);
    await admin.close();
  },
};

/** The session operations open a session of their own: the rows they leave, in order. */
const SESSION_ROWS: Partial<Record<OperationName, string[]>> = {
  'session.open': ['session.open', 'session.close'],
  'session.lock': ['session.open', 'session.lock'],
  'session.close': ['session.open', 'session.close'],
};

describe('authorization matrix', () => {
  const written = writtenPolicy();

  it('has a written rule and a call for every registered operation, and nothing else', () => {
    const registered = Object.keys(OPERATIONS).sort();
    assert.deepEqual(
      [...written.keys()].sort(),
      registered,
      'docs/access-policy.md rows vs registered operations',
    );
    assert.deepEqual(Object.keys(CALLS).sort(), registered, 'calls in this test vs registered operations');
  });

  for (const role of ROLES) {
    it(`matches the written table for ${role}, inside and outside its scope, one audit row per call`, async () => {
      const fixture = await accessFixture();
      const dir = tempDir('vault-matrix-');
      const session = await fixture.open(ROLE_USERS[role]);
      const db = fixture.database();
      const order = (Object.keys(OPERATIONS) as OperationName[])
        .filter((op) => !LAST.includes(op))
        .concat(LAST);
      const mismatches: string[] = [];
      let n = 0;
      let calls = 0;
      const state = {};
      try {
        for (const op of order) {
          const scoped = OPERATIONS[op].scope !== 'none';
          for (const target of scoped ? (['inside', 'outside'] as Target[]) : (['inside'] as Target[])) {
            const trace = targetTrace(role, target);
            const want = expected(written.get(op)![role], trace);
            n++;
            await PREPARE[op]?.({ session, fixture, trace, n, dir, state });
            const before = auditRowCount(db);
            let got: Outcome;
            let deniedByGate = false;
            try {
              got = (await CALLS[op]({ session, fixture, trace, n, dir, state })) ? 'allowed' : 'denied';
            } catch (error) {
              if (!isVaultError(error, ErrorCode.FORBIDDEN)) throw error;
              got = 'denied';
              deniedByGate = true;
            }
            calls++;
            if (got !== want) mismatches.push(`${op} on ${target} (${trace.id}): ${got}, written ${want}`);
            const rows = lastAuditRows(db, auditRowCount(db) - before);
            const sessionRows = SESSION_ROWS[op];
            if (sessionRows) {
              assert.deepEqual(
                rows.map((r) => r.operation),
                sessionRows,
                `${op}: one row each`,
              );
              continue;
            }
            assert.equal(rows.length, 1, `${op}: exactly one audit row, got ${rows.length}`);
            assert.equal(rows[0]!.operation, op, `${op}: the row names the operation`);
            const result = deniedByGate ? 'denied' : 'success';
            assert.equal(rows[0]!.result, result, `${op} on ${target}: row result`);
            assert.equal(rows[0]!.actor, ROLE_USERS[role]);
          }
        }
      } finally {
        db.close();
        if (!session.isLocked) await session.close();
      }
      assert.deepEqual(mismatches, [], `${role}: outcomes that differ from docs/access-policy.md`);
      assert.ok(calls >= Object.keys(OPERATIONS).length, `${calls} calls made`);
    });
  }
});
