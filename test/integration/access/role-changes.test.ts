/**
 * Changes to roles take effect on the next operation of an open session, and none can leave the vault
 * without a user who manages users.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isVaultError } from '../../../common/errors.js';
import { accessFixture, lastAuditRows, ROLE_USERS } from '../../support/access-fixture.js';

describe('role changes', () => {
  it('apply to an open session at its next call', async () => {
    const fixture = await accessFixture();
    const developer = await fixture.open(ROLE_USERS.developer);
    assert.equal(developer.traces.count(), 1);
    const admin = await fixture.open(ROLE_USERS.admin);
    admin.admin.defineRole({
      name: 'night-shift',
      permissions: ['READ_TRACES'],
      scopes: [{ agent_id: 'triage-*' }],
    });
    admin.admin.assignRole(ROLE_USERS.developer, 'night-shift');
    assert.equal(developer.traces.count(), 2, 'dev-* and triage-* traces');
    admin.admin.defineRole({
      name: 'night-shift',
      permissions: ['READ_TRACES'],
      scopes: [{ agent_id: 'none-*' }],
    });
    assert.equal(developer.traces.count(), 1, 'the redefinition narrowed it again');
    await admin.close();
    await developer.close();
  });

  it('refuses a redefinition that leaves nobody able to manage users, and records the refusal', async () => {
    const fixture = await accessFixture();
    const admin = await fixture.open(ROLE_USERS.admin);
    admin.admin.defineRole({
      name: 'site-admin',
      permissions: ['MANAGE_USERS', 'MANAGE_ROLES'],
      scopes: ['all'],
    });
    admin.admin.assignRole(ROLE_USERS.auditor, 'site-admin');
    admin.admin.disableUser(ROLE_USERS.admin);
    // Their own open session ends at its next call.
    assert.throws(
      () => admin.admin.listUsers(),
      (e: unknown) => isVaultError(e, ErrorCode.FORBIDDEN),
    );
    assert.equal(admin.isLocked, true);
    await assert.rejects(fixture.open(ROLE_USERS.admin), (e: unknown) =>
      isVaultError(e, ErrorCode.FORBIDDEN),
    );

    const auditor = await fixture.open(ROLE_USERS.auditor);
    assert.throws(
      () => auditor.admin.defineRole({ name: 'site-admin', permissions: ['MANAGE_ROLES'], scopes: ['all'] }),
      /leave no enabled user able to manage users/,
    );
    const db = fixture.database();
    const [row] = lastAuditRows(db, 1);
    assert.deepEqual([row!.operation, row!.result], ['roles.define', 'error']);
    db.close();
    assert.ok(
      auditor.admin.showRole('site-admin').permissions.includes('MANAGE_USERS'),
      'the role is unchanged',
    );
    auditor.admin.enableUser(ROLE_USERS.admin);
    await auditor.close();
  });
});
