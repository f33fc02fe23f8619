/**
 * Scopes as SQL and as in-memory checks must select the same traces, and the glob matcher must be SQLite's
 * GLOB, character for character.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Role, Scope, ScopeRule } from '../../../common/access.js';
import { BREAK_GLASS_ROLE, DEFAULT_ROLES } from '../../../core/access/default-roles.js';
import {
  effectiveGrants,
  scopesFor,
  scopeToSql,
  sqliteGlob,
  traceInScope,
  type ScopedTrace,
} from '../../../core/access/scope.js';
import { openDatabase } from '../../../native/sqlite.js';
import { accessDatabase, testRef } from './access-db.js';

interface Row extends ScopedTrace {
  id: string;
}

const ROWS: Row[] = [
  { id: 'alice-prod', agent_id: 'triage', user_id: 'alice', subject_id: 'p1', region: 'eu-west' },
  { id: 'alice-dev', agent_id: 'dev-notes', user_id: 'alice', subject_id: null, region: null },
  { id: 'bob-dev', agent_id: 'dev-triage', user_id: 'bob', subject_id: 'p2', region: 'us-east' },
  { id: 'bob-prod', agent_id: 'triage', user_id: 'bob', subject_id: 'p1', region: 'eu-west' },
  { id: 'carol-upper', agent_id: 'Dev-x', user_id: 'carol', subject_id: null, region: 'eu-north' },
  { id: 'carol-bare', agent_id: 'dev-', user_id: 'carol', subject_id: 'p3', region: null },
];
const ALL_IDS = ROWS.map((r) => r.id).sort();

const refs = (self: string) => ({
  self,
  userRef: (v: string) => testRef('user', v),
  subjectRef: (v: string) => testRef('subject', v),
});

const role = (name: string): Role => DEFAULT_ROLES.find((r) => r.name === name)!;

describe('scopeToSql over the traces table', () => {
  const db = accessDatabase();
  const insert = db.prepare(
    `INSERT INTO traces (id, agent_id, user_ref, subject_ref, key_ref, started_at, ingested_at, size_bytes,
       key_version, format_version, region, nonce, body)
     VALUES (?, ?, ?, ?, x'00', 0, 0, 0, 1, 1, ?, x'00', x'00')`,
  );
  for (const row of ROWS) {
    insert.run(
      row.id,
      row.agent_id,
      testRef('user', row.user_id),
      row.subject_id == null ? null : testRef('subject', row.subject_id),
      row.region ?? null,
    );
  }

  /** The ids SQL selects for `scopes`, after checking the in-memory check selects the same ones. */
  function selected(scopes: readonly Scope[], self: string): string[] {
    const condition = scopeToSql(scopes, refs(self));
    const where = condition.where.length > 0 ? `WHERE ${condition.where.join(' AND ')}` : '';
    const ids = (
      db
        .prepare(`SELECT t.id FROM traces t ${where} ORDER BY t.id`)
        .pluck()
        .all(...condition.params) as string[]
    ).sort();
    const inMemory = ROWS.filter((r) => traceInScope(r, scopes, self))
      .map((r) => r.id)
      .sort();
    assert.deepEqual(inMemory, ids, `traceInScope and scopeToSql disagree for ${JSON.stringify(scopes)}`);
    return ids;
  }

  it('gives a clinician the traces of their own work only', () => {
    assert.deepEqual(selected(role('clinician').scopes, 'alice'), ['alice-dev', 'alice-prod']);
    assert.deepEqual(selected(role('clinician').scopes, 'bob'), ['bob-dev', 'bob-prod']);
    assert.deepEqual(selected(role('clinician').scopes, 'nobody'), []);
  });

  it('gives a developer the dev-* agents, case-sensitively, and "dev-" itself', () => {
    assert.deepEqual(selected(role('developer').scopes, 'alice'), ['alice-dev', 'bob-dev', 'carol-bare']);
  });

  it('gives auditors, admins and break-glass every trace, with no condition at all', () => {
    for (const r of [role('auditor'), role('admin'), BREAK_GLASS_ROLE]) {
      assert.deepEqual(scopeToSql(r.scopes, refs('alice')), { where: [], params: [] }, r.name);
      assert.deepEqual(selected(r.scopes, 'alice'), ALL_IDS, r.name);
    }
  });

  it('selects nothing for an empty scope list', () => {
    assert.deepEqual(scopeToSql([], refs('alice')), { where: ['0'], params: [] });
    assert.deepEqual(selected([], 'alice'), []);
  });

  it('ANDs the attributes of one rule and ORs the rules', () => {
    const scopes: Scope[] = [{ agent_id: 'triage', region: 'eu-*' }, { subject_id: 'p2' }];
    assert.deepEqual(selected(scopes, 'alice'), ['alice-prod', 'bob-dev', 'bob-prod']);
    assert.deepEqual(selected([{ agent_id: 'triage', user_id: 'bob' }], 'alice'), ['bob-prod']);
    assert.deepEqual(selected([{ region: 'eu-????' }], 'alice'), ['alice-prod', 'bob-prod']);
    assert.deepEqual(selected([{ region: '*' }], 'alice'), [
      'alice-prod',
      'bob-dev',
      'bob-prod',
      'carol-upper',
    ]);
  });

  it('treats "all" next to rules as everything', () => {
    assert.deepEqual(selected([{ agent_id: 'none' }, 'all'], 'alice'), ALL_IDS);
  });

  it('never puts a person’s identifier into the SQL or its parameters', () => {
    const condition = scopeToSql(
      [{ user_id: 'self' }, { subject_id: 'p1' }, { user_id: 'bob' }],
      refs('alice'),
    );
    const text =
      condition.where.join(' ') + JSON.stringify(condition.params.filter((p) => typeof p === 'string'));
    for (const secret of ['alice', 'bob', 'p1'])
      assert.ok(!text.includes(secret), `${secret} leaked into SQL`);
  });
});

describe('sqliteGlob', () => {
  const sqlite = openDatabase(':memory:');
  after(() => sqlite.close());
  const glob = sqlite.prepare('SELECT ? GLOB ?').pluck();
  const sqliteSays = (text: string, pattern: string) => glob.get(text, pattern) === 1;

  it('matches * and ? as SQLite does on hand-picked cases', () => {
    const cases: [string, string][] = [
      ['dev-*', 'dev-'],
      ['dev-*', 'dev-x'],
      ['dev-*', 'Dev-x'],
      ['*', ''],
      ['?', ''],
      ['?', '😀'],
      ['??', '😀'],
      ['a*b*c', 'aXbYbZc'],
      ['a*b?c', 'abbc'],
      ['*a', 'bbb'],
      ['a\0b', 'a'],
      ['a', 'a\0b'],
      ['\uFFFD', '\uD800'],
      ['\uFFFD', '\uFFFF'],
      ['?', '\uDC00'],
      ['**', 'x'],
      ['x]', 'x]'],
    ];
    for (const [pattern, text] of cases) {
      assert.equal(
        sqliteGlob(pattern, text),
        sqliteSays(text, pattern),
        `${JSON.stringify(text)} GLOB ${JSON.stringify(pattern)}`,
      );
    }
  });

  it('agrees with SQLite on random strings and patterns', () => {
    const char = fc.constantFrom(
      'a',
      'b',
      'A',
      '-',
      '*',
      '?',
      'é',
      '😀',
      '\0',
      '\uD800',
      '\uDC00',
      '\uFFFD',
      '\uFFFF',
    );
    const small = fc.array(char, { maxLength: 10 }).map((cs) => cs.join(''));
    const anyText = fc.string({ unit: 'binary', maxLength: 12 });
    const noBrackets = (s: string) => !/[[\]]/.test(s);
    fc.assert(
      fc.property(fc.oneof(small, anyText.filter(noBrackets)), fc.oneof(small, anyText), (pattern, text) => {
        assert.equal(
          sqliteGlob(pattern, text),
          sqliteSays(text, pattern),
          `${JSON.stringify(text)} GLOB ${JSON.stringify(pattern)}`,
        );
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with scopeToSql on random traces and rules (traceInScope)', () => {
    const word = fc.constantFrom('a', 'b', 'dev-a', 'dev-', 'x?', '\uD800', '\uFFFD');
    const pattern = fc.constantFrom('a', '*', '?', 'dev-*', 'd*a', '*?', 'x?', '\uFFFD');
    const rule: fc.Arbitrary<ScopeRule> = fc
      .record(
        {
          agent_id: pattern,
          region: pattern,
          user_id: fc.oneof(word, fc.constant('self')),
          subject_id: word,
        },
        { requiredKeys: [] },
      )
      .filter((r) => Object.keys(r).length > 0);
    const trace: fc.Arbitrary<ScopedTrace> = fc.record({
      agent_id: word,
      user_id: word,
      subject_id: fc.option(word),
      region: fc.option(word),
    });
    const exists = (scopes: Scope[], t: ScopedTrace, self: string): boolean => {
      const c = scopeToSql(scopes, refs(self));
      const where = c.where.length > 0 ? `WHERE ${c.where.join(' AND ')}` : '';
      const row = [
        t.agent_id,
        t.region ?? null,
        testRef('user', t.user_id),
        t.subject_id == null ? null : testRef('subject', t.subject_id),
      ];
      const sql = `SELECT EXISTS (SELECT 1 FROM (SELECT ? AS agent_id, ? AS region, ? AS user_ref, ? AS subject_ref) t ${where})`;
      return (
        sqlite
          .prepare(sql)
          .pluck()
          .get(...row, ...c.params) === 1
      );
    };
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 3 }), trace, word, (scopes, t, self) => {
        assert.equal(traceInScope(t, scopes, self), exists(scopes, t, self));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('scopesFor', () => {
  it('is undefined when no role grants the permission', () => {
    assert.equal(scopesFor([role('developer')], 'READ_PHI'), undefined);
    assert.equal(scopesFor([], 'READ_TRACES'), undefined);
  });

  it('unions the scopes of the roles that grant it, and only those', () => {
    const scopes = scopesFor([role('clinician'), role('developer')], 'READ_TRACES');
    assert.deepEqual(scopes, [{ user_id: 'self' }, { agent_id: 'dev-*' }]);
    assert.deepEqual(scopesFor([role('clinician'), role('developer')], 'READ_PHI'), [{ user_id: 'self' }]);
  });

  it('lets ALL grant every permission, and collapses to "all" when any scope is all', () => {
    assert.deepEqual(scopesFor([role('developer'), role('admin')], 'MANAGE_KEYS'), ['all']);
    assert.deepEqual(scopesFor([role('developer'), role('auditor')], 'READ_TRACES'), ['all']);
  });

  it('drops duplicate rules', () => {
    const a: Role = {
      name: 'a',
      description: '',
      permissions: ['READ_TRACES'],
      scopes: [{ agent_id: 'x', region: 'r' }],
    };
    const b: Role = {
      name: 'b',
      description: '',
      permissions: ['READ_TRACES'],
      scopes: [{ region: 'r', agent_id: 'x' }],
    };
    assert.deepEqual(scopesFor([a, b], 'READ_TRACES'), [{ agent_id: 'x', region: 'r' }]);
  });

  it('effectiveGrants lists each granted permission with its scopes', () => {
    const grants = effectiveGrants([role('clinician')]);
    assert.deepEqual([...grants.keys()], ['READ_TRACES', 'SEARCH_TRACES', 'READ_PHI', 'BREAK_GLASS']);
    assert.deepEqual(grants.get('READ_PHI'), [{ user_id: 'self' }]);
    assert.equal(effectiveGrants([role('admin')]).size, 16);
  });
});
