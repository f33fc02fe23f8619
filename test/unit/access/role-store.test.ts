import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoleStore } from '../../../core/access/role-store.js';
import { accessDatabase, rejects } from './access-db.js';

const RESEARCHER = {
  name: 'researcher',
  description: 'For researchers who study EU deployments.',
  permissions: ['READ_TRACES', 'SEARCH_TRACES'],
  scopes: [{ region: 'eu-*' }],
};

describe('RoleStore', () => {
  it('lists the default roles as built in, then defined roles by name', () => {
    const roles = new RoleStore(accessDatabase());
    roles.define({ ...RESEARCHER, name: 'zeta' }, 2);
    roles.define(RESEARCHER, 1);
    assert.deepEqual(
      roles.list().map((r) => [r.name, r.builtin]),
      [
        ['clinician', true],
        ['developer', true],
        ['auditor', true],
        ['admin', true],
        ['researcher', false],
        ['zeta', false],
      ],
    );
  });

  it('defines a role, reads it back, and replaces it on a second definition', () => {
    const db = accessDatabase();
    const roles = new RoleStore(db);
    const defined = roles.define(RESEARCHER, 1000);
    assert.deepEqual(defined, RESEARCHER);
    assert.deepEqual(roles.get('researcher'), RESEARCHER);
    assert.deepEqual(
      new RoleStore(db).require('researcher'),
      RESEARCHER,
      'a new store reads it from the table',
    );

    roles.define({ ...RESEARCHER, permissions: ['READ_TRACES'] }, 2000);
    assert.deepEqual(roles.require('researcher').permissions, ['READ_TRACES']);
    assert.equal(db.prepare("SELECT defined_at FROM roles WHERE name = 'researcher'").pluck().get(), 2000);
    assert.equal(roles.list().length, 5);
  });

  it('fills in an empty description', () => {
    const roles = new RoleStore(accessDatabase());
    const bare = { name: 'bare', permissions: ['READ_TRACES'], scopes: ['all'] };
    assert.equal(roles.define(bare, 1).description, '');
  });

  it('says which field of a definition is wrong', () => {
    const roles = new RoleStore(accessDatabase());
    rejects(
      () => roles.define({ ...RESEARCHER, permissions: ['READ_EVERYTHING'] }, 1),
      'BAD_INPUT',
      /permissions\.0: unknown permission "READ_EVERYTHING"/,
    );
    rejects(
      () => roles.define({ ...RESEARCHER, scopes: [] }, 1),
      'BAD_INPUT',
      /scopes: a role has at least one scope/,
    );
    rejects(
      () => roles.define({ ...RESEARCHER, scopes: [{ agent_id: 'dev-[ab]' }] }, 1),
      'BAD_INPUT',
      /scopes\.0\.agent_id: .*no brackets/,
    );
    rejects(
      () => roles.define({ ...RESEARCHER, scopes: [{ user_id: 'dr-*' }] }, 1),
      'BAD_INPUT',
      /scopes\.0\.user_id: .*no wildcards/,
    );
    rejects(() => roles.define({ ...RESEARCHER, name: 'Bad Name' }, 1), 'BAD_INPUT', /name: a role name is/);
    rejects(() => roles.define({ ...RESEARCHER, extra: 1 }, 1), 'BAD_INPUT', /extra/);
    rejects(() => roles.define('researcher', 1), 'BAD_INPUT', /\(role\)/);
    assert.equal(roles.get('researcher'), undefined, 'nothing was stored');
  });

  it('refuses to redefine a default role or the break-glass role', () => {
    const roles = new RoleStore(accessDatabase());
    for (const name of ['clinician', 'developer', 'auditor', 'admin', 'break-glass']) {
      rejects(
        () => roles.define({ ...RESEARCHER, name, scopes: ['all'] }, 1),
        'BAD_INPUT',
        /built in and cannot be redefined/,
      );
    }
    assert.deepEqual(roles.require('developer').scopes, [{ agent_id: 'dev-*' }]);
  });

  it('does not hand out the break-glass role', () => {
    const roles = new RoleStore(accessDatabase());
    assert.equal(roles.get('break-glass'), undefined);
    rejects(() => roles.require('break-glass'), 'NOT_FOUND', /break-glass window/);
    assert.ok(!roles.list().some((r) => r.name === 'break-glass'));
  });

  it('names the known roles when one is missing', () => {
    const roles = new RoleStore(accessDatabase());
    roles.define(RESEARCHER, 1);
    rejects(
      () => roles.require('nurse'),
      'NOT_FOUND',
      /no role named "nurse"; known: clinician, developer, auditor, admin, researcher/,
    );
  });

  it('refuses to use a stored definition that no longer parses', () => {
    const db = accessDatabase();
    db.prepare(
      'INSERT INTO roles (name, definition, defined_at) VALUES (\'broken\', \'{"name":"broken"}\', 1)',
    ).run();
    rejects(() => new RoleStore(db).get('broken'), 'STORAGE', /role "broken" is not valid/);
  });
});
