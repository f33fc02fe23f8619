import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoleSchema } from '../../../common/access.js';
import {
  BREAK_GLASS_ROLE,
  DEFAULT_ROLES,
  defaultRole,
  isReservedRoleName,
} from '../../../core/access/default-roles.js';

describe('default roles', () => {
  it('are clinician, developer, auditor and admin, each a valid role with a description', () => {
    assert.deepEqual(
      DEFAULT_ROLES.map((r) => r.name),
      ['clinician', 'developer', 'auditor', 'admin'],
    );
    for (const role of [...DEFAULT_ROLES, BREAK_GLASS_ROLE]) {
      assert.deepEqual(RoleSchema.parse(role), role, `${role.name} does not parse as it is`);
      assert.ok(role.description.length > 10, `${role.name} has no description`);
    }
  });

  it('grant what design.md §5 says, over the scopes it says', () => {
    assert.deepEqual(defaultRole('clinician'), {
      name: 'clinician',
      description: defaultRole('clinician')!.description,
      permissions: ['READ_TRACES', 'SEARCH_TRACES', 'READ_PHI', 'BREAK_GLASS'],
      scopes: [{ user_id: 'self' }],
    });
    assert.deepEqual(defaultRole('developer')!.permissions, ['READ_TRACES', 'SEARCH_TRACES']);
    assert.deepEqual(defaultRole('developer')!.scopes, [{ agent_id: 'dev-*' }]);
    assert.deepEqual(defaultRole('auditor')!.permissions, [
      'READ_TRACES',
      'EXPORT_TRACES',
      'VIEW_AUDIT_LOGS',
    ]);
    assert.deepEqual(defaultRole('auditor')!.scopes, ['all']);
    assert.deepEqual(defaultRole('admin')!.permissions, ['ALL']);
    assert.deepEqual(BREAK_GLASS_ROLE.permissions, ['READ_TRACES', 'SEARCH_TRACES', 'READ_PHI']);
    assert.deepEqual(BREAK_GLASS_ROLE.scopes, ['all']);
  });

  it('cannot be changed at run time', () => {
    const clinician = defaultRole('clinician')!;
    assert.throws(() => (clinician.permissions as string[]).push('ALL'), TypeError);
    assert.throws(() => ((clinician.scopes[0] as { user_id?: string }).user_id = 'bob'), TypeError);
    assert.throws(() => ((DEFAULT_ROLES as unknown[]).length = 0), TypeError);
    assert.throws(() => ((BREAK_GLASS_ROLE as { scopes: unknown[] }).scopes = []), TypeError);
  });

  it('reserve their names and the break-glass name', () => {
    for (const name of ['clinician', 'developer', 'auditor', 'admin', 'break-glass']) {
      assert.ok(isReservedRoleName(name), name);
    }
    assert.equal(isReservedRoleName('researcher'), false);
    assert.equal(defaultRole('break-glass'), undefined, 'break-glass is not a default (assignable) role');
  });
});
