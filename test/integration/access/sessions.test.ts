/**
 * Sessions: idle lock after the policy's timeout (on a controllable clock), explicit lock, disabled users,
 * a second factor when policy requires one, and failed unlocks recorded.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isVaultError } from '../../../common/errors.js';
import { totpCode } from '../../../core/access/totp.js';
import { VaultSession } from '../../../core/access/vault-session.js';
import { PassphraseKeyProvider } from '../../../core/keys/passphrase-provider.js';
import { accessFixture, lastAuditRows, ROLE_USERS } from '../../support/access-fixture.js';
import { TEST_SCRYPT_COST } from '../../support/temp.js';

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2026-12-01T08:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('sessions', () => {
  it('locks after the idle timeout of policy, and not before', async () => {
    const clock = manualClock();
    const fixture = await accessFixture({ now: clock.now });
    const admin = await fixture.open(ROLE_USERS.admin);
    admin.admin.setPolicy({ idle_timeout_minutes: 10 }, admin.user);
    await admin.close();

    const session = await fixture.open(ROLE_USERS.clinician);
    clock.advance(10 * 60_000); // exactly the timeout: still open
    assert.equal(session.traces.get('t-own').id, 't-own');
    clock.advance(10 * 60_000 - 1); // activity reset the timer: just under it again
    assert.equal(session.checkIdle(), false);
    assert.equal(session.traces.count(), 1);
    clock.advance(10 * 60_000 + 1);
    assert.throws(
      () => session.traces.get('t-own'),
      (e: unknown) => isVaultError(e, ErrorCode.LOCKED),
    );
    assert.equal(session.isLocked, true);
    assert.throws(
      () => session.traces.list(),
      (e: unknown) => isVaultError(e, ErrorCode.LOCKED),
    );
    const db = fixture.database();
    const [row] = lastAuditRows(db, 1);
    assert.deepEqual(
      [row!.operation, row!.result, JSON.parse(row!.details).reason],
      ['traces.get', 'denied', 'idle timeout'],
    );
    db.close();
  });

  it('locks on the timer check (desktop and serve) with one audit row', async () => {
    const clock = manualClock();
    const fixture = await accessFixture({ now: clock.now });
    const session = await fixture.open(ROLE_USERS.developer);
    clock.advance(15 * 60_000 + 1); // the default policy: 15 minutes
    assert.equal(session.checkIdle(), true);
    assert.equal(session.isLocked, true);
    const db = fixture.database();
    const [row] = lastAuditRows(db, 1);
    assert.deepEqual([row!.operation, JSON.parse(row!.details).reason], ['session.lock', 'idle timeout']);
    db.close();
  });

  it('refuses a disabled user, and records it', async () => {
    const fixture = await accessFixture();
    const admin = await fixture.open(ROLE_USERS.admin);
    admin.admin.disableUser(ROLE_USERS.developer);
    await admin.close();
    await assert.rejects(fixture.open(ROLE_USERS.developer), (e: unknown) =>
      isVaultError(e, ErrorCode.FORBIDDEN),
    );
    const db = fixture.database();
    const [row] = lastAuditRows(db, 1);
    assert.deepEqual(
      [row!.operation, row!.result, row!.actor],
      ['session.open', 'denied', ROLE_USERS.developer],
    );
    db.close();
  });

  it('disabling a user ends their open session at its next call', async () => {
    const fixture = await accessFixture();
    const session = await fixture.open(ROLE_USERS.auditor);
    const admin = await fixture.open(ROLE_USERS.admin);
    admin.admin.disableUser(ROLE_USERS.auditor);
    await admin.close();
    assert.throws(
      () => session.traces.count(),
      (e: unknown) => isVaultError(e, ErrorCode.FORBIDDEN),
    );
    assert.equal(session.isLocked, true);
  });

  it('asks passphrase users for a TOTP code when policy requires one; one code opens one session', async () => {
    const clock = manualClock();
    const fixture = await accessFixture({ now: clock.now });
    const admin = await fixture.open(ROLE_USERS.admin);
    const { secret } = admin.admin.enrollTotp(ROLE_USERS.admin);
    const { secret: leeSecret } = admin.admin.enrollTotp(ROLE_USERS.clinician);
    admin.admin.setPolicy({ mfa_required: true }, admin.user);
    await admin.close();

    await assert.rejects(fixture.open(ROLE_USERS.clinician), (e: unknown) =>
      isVaultError(e, ErrorCode.MFA_REQUIRED),
    );
    await assert.rejects(
      fixture.open(ROLE_USERS.clinician, {
        totp: () => ('000000' === totpCode(leeSecret, clock.now()) ? '111111' : '000000'),
      }),
      (e: unknown) => isVaultError(e, ErrorCode.MFA_REQUIRED),
    );
    const code = totpCode(leeSecret, clock.now());
    const session = await fixture.open(ROLE_USERS.clinician, { totp: () => code });
    assert.equal(session.user.name, ROLE_USERS.clinician);
    await session.close();
    await assert.rejects(
      fixture.open(ROLE_USERS.clinician, { totp: () => code }),
      (e: unknown) => isVaultError(e, ErrorCode.MFA_REQUIRED),
      'a code already used is refused',
    );
    // A user with no code enrolled is told how to get one.
    await assert.rejects(fixture.open(ROLE_USERS.developer, { totp: () => '123456' }), /enroll-totp/);
    clock.advance(30_000);
    const again = await fixture.open(ROLE_USERS.admin, { totp: () => totpCode(secret, clock.now()) });
    await again.close();
  });

  it('records a wrong passphrase without naming anyone', async () => {
    const fixture = await accessFixture();
    await assert.rejects(
      VaultSession.open(fixture.home, new PassphraseKeyProvider('not the passphrase', TEST_SCRYPT_COST)),
      (e: unknown) => isVaultError(e, ErrorCode.WRONG_SECRET),
    );
    const db = fixture.database();
    const [row] = lastAuditRows(db, 1);
    assert.deepEqual(
      [row!.operation, row!.result, row!.actor],
      ['session.open', 'denied', '(unauthenticated)'],
    );
    db.close();
  });
});
