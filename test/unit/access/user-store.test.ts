import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoleStore } from '../../../core/access/role-store.js';
import { UserStore } from '../../../core/access/user-store.js';
import { accessDatabase, addSlot, rejects } from './access-db.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

function stores() {
  const db = accessDatabase();
  const roles = new RoleStore(db);
  return { db, roles, users: new UserStore(db, roles) };
}

describe('UserStore', () => {
  it('adds a user with roles and finds them by name and id', () => {
    const { users } = stores();
    const added = users.add('dr.alvarez@clinic.example', ['developer', 'clinician', 'clinician'], T0);
    assert.deepEqual(added, {
      id: added.id,
      name: 'dr.alvarez@clinic.example',
      createdAt: T0,
      disabledAt: null,
      roles: ['clinician', 'developer'],
    });
    assert.deepEqual(users.byName('dr.alvarez@clinic.example'), added);
    assert.deepEqual(users.byId(added.id), added);
    assert.deepEqual(users.require('dr.alvarez@clinic.example'), added);
    assert.equal(users.byName('nobody'), undefined);
    assert.equal(users.byId(999), undefined);
    rejects(() => users.require('nobody'), 'NOT_FOUND', /no user named "nobody"/);
  });

  it('refuses bad names, duplicates and unknown roles, storing nothing', () => {
    const { users } = stores();
    users.add('alice', [], T0);
    rejects(() => users.add('alice', [], T0), 'BAD_INPUT', /a user named "alice" already exists/);
    for (const bad of ['', ' alice', '-alice', 'a b', 'x'.repeat(129), 'ålice']) {
      rejects(() => users.add(bad, [], T0), 'BAD_INPUT', /user name .* is not valid/);
    }
    rejects(
      () => users.add('bob', ['clinician', 'nurse'], T0),
      'NOT_FOUND',
      /no role named "nurse"; known: /,
    );
    assert.equal(users.byName('bob'), undefined);
    assert.deepEqual(
      users.list().map((u) => u.name),
      ['alice'],
    );
  });

  it('resolves a user’s roles, including roles defined by policy', () => {
    const { users, roles } = stores();
    roles.define({ name: 'researcher', permissions: ['READ_TRACES'], scopes: [{ region: 'eu-*' }] }, T0);
    const user = users.add('rita', ['researcher', 'developer'], T0);
    assert.deepEqual(
      users.rolesOf(user.id).map((r) => r.name),
      ['developer', 'researcher'],
    );
    assert.deepEqual(users.rolesOf(user.id)[1]!.scopes, [{ region: 'eu-*' }]);
    assert.deepEqual(users.rolesOf(12345), []);
  });

  it('assigns and removes roles', () => {
    const { users } = stores();
    users.add('root', ['admin'], T0);
    users.add('bob', ['developer'], T0);
    assert.deepEqual(users.assignRole('bob', 'auditor').roles, ['auditor', 'developer']);
    assert.deepEqual(
      users.assignRole('bob', 'auditor').roles,
      ['auditor', 'developer'],
      'a second time is a no-op',
    );
    assert.deepEqual(users.removeRole('bob', 'developer').roles, ['auditor']);
    rejects(() => users.assignRole('bob', 'break-glass'), 'NOT_FOUND', /no role named "break-glass"/);
    rejects(() => users.assignRole('nobody', 'auditor'), 'NOT_FOUND', /no user named "nobody"/);
    rejects(
      () => users.removeRole('bob', 'developer'),
      'NOT_FOUND',
      /does not hold role "developer"; they hold: auditor/,
    );
  });

  it('disables and enables users, keeping the first disable time', () => {
    const { users } = stores();
    users.add('root', ['admin'], T0);
    users.add('bob', ['developer'], T0);
    assert.equal(users.disable('bob', T0 + 1).disabledAt, T0 + 1);
    assert.equal(users.disable('bob', T0 + 2).disabledAt, T0 + 1);
    assert.equal(users.byName('bob')!.disabledAt, T0 + 1);
    assert.equal(users.enable('bob').disabledAt, null);
    assert.equal(users.byName('bob')!.disabledAt, null);
  });

  it('refuses to disable the last enabled user who can manage users', () => {
    const { users, roles } = stores();
    users.add('root', ['admin'], T0);
    users.add('bob', ['developer'], T0);
    rejects(
      () => users.disable('root', T0),
      'BAD_INPUT',
      /only enabled user who can manage users.*Give another user/,
    );
    assert.equal(users.byName('root')!.disabledAt, null);

    // A policy role with MANAGE_USERS counts as much as admin.
    roles.define({ name: 'user-admin', permissions: ['MANAGE_USERS'], scopes: ['all'] }, T0);
    users.assignRole('bob', 'user-admin');
    users.disable('root', T0);
    rejects(
      () => users.disable('bob', T0),
      'BAD_INPUT',
      /"bob" is the only enabled user who can manage users/,
    );

    // A disabled manager does not count; enabling them again does.
    users.enable('root');
    users.disable('bob', T0);
  });

  it('refuses to take the last way of managing users from the last manager', () => {
    const { users } = stores();
    users.add('root', ['admin', 'auditor'], T0);
    rejects(() => users.removeRole('root', 'admin'), 'BAD_INPUT', /removing role "admin" would leave nobody/);
    assert.deepEqual(users.removeRole('root', 'auditor').roles, ['admin'], 'other roles may go');
    users.add('second', ['admin'], T0);
    assert.deepEqual(users.removeRole('root', 'admin').roles, []);
  });

  it('records who owns a key slot', () => {
    const { db, users } = stores();
    const alice = users.add('alice', ['clinician'], T0);
    const slot = addSlot(db);
    const unowned = addSlot(db, 'recovery');
    assert.equal(users.ownerOfSlot(slot), undefined);
    users.setSlotOwner(slot, alice.id);
    assert.deepEqual(users.ownerOfSlot(slot), alice);
    assert.equal(users.ownerOfSlot(unowned), undefined);
    assert.equal(users.ownerOfSlot(999), undefined);
    rejects(() => users.setSlotOwner(999, alice.id), 'NOT_FOUND', /no key slot with id 999/);
    rejects(() => users.setSlotOwner(slot, 999), 'NOT_FOUND', /no user with id 999/);
  });

  it('stores a sealed TOTP secret and moves its last step forward only', () => {
    const { users } = stores();
    const alice = users.add('alice', [], T0);
    assert.equal(users.totpOf(alice.id), undefined);
    const sealed = new Uint8Array([1, 2, 3, 4]);
    users.setTotp(alice.id, sealed);
    const stored = users.totpOf(alice.id)!;
    assert.deepEqual([...stored.sealed], [...sealed]);
    assert.equal(stored.lastStep, null);
    assert.equal(users.markTotpStep(alice.id, 100), true);
    assert.equal(users.markTotpStep(alice.id, 100), false, 'the same step twice is a replay');
    assert.equal(users.markTotpStep(alice.id, 99), false, 'an earlier step is a replay');
    assert.equal(users.totpOf(alice.id)!.lastStep, 100);
    assert.equal(users.markTotpStep(alice.id, 101), true);
    users.setTotp(alice.id, null);
    assert.equal(users.totpOf(alice.id), undefined);
    rejects(() => users.setTotp(999, sealed), 'NOT_FOUND', /no user with id 999/);
  });

  it('lists users with roles, state, slot count and MFA enrollment', () => {
    const { db, users } = stores();
    const root = users.add('root', ['admin'], T0);
    const bob = users.add('bob', ['developer', 'auditor'], T0 + 1000);
    users.setSlotOwner(addSlot(db), root.id);
    users.setSlotOwner(addSlot(db), root.id);
    users.setTotp(root.id, new Uint8Array(44));
    users.disable('bob', T0 + 2000);
    assert.deepEqual(users.list(), [
      {
        id: bob.id,
        name: 'bob',
        roles: ['auditor', 'developer'],
        disabled: true,
        createdAt: '2026-01-02T03:04:06.000Z',
        slots: 0,
        mfaEnrolled: false,
      },
      {
        id: root.id,
        name: 'root',
        roles: ['admin'],
        disabled: false,
        createdAt: '2026-01-02T03:04:05.000Z',
        slots: 2,
        mfaEnrolled: true,
      },
    ]);
  });
});
