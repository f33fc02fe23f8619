/**
 * A clinician who signs in with their own token: the token's slot opens a session as them, and counts as
 * two factors (the card and its PIN), so `mfa_required` asks them for no TOTP code while it still asks a
 * passphrase user.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isVaultError } from '../../../common/errors.js';
import { totpCode } from '../../../core/access/totp.js';
import { VaultSession } from '../../../core/access/vault-session.js';
import { Pkcs11KeyProvider } from '../../../core/keys/pkcs11-provider.js';
import { accessFixture, ROLE_USERS } from '../../support/access-fixture.js';
import { softHsm, TEST_USER_PIN } from '../../support/softhsm.js';

const hsm = softHsm();

const token = (createKey = false) =>
  new Pkcs11KeyProvider({
    module: hsm.module,
    keyUri: 'pkcs11:token=dr-ng-card;object=master',
    pin: TEST_USER_PIN,
    createKey,
  });

describe('users on tokens', () => {
  it('opens a session as the token owner, without a TOTP code under mfa_required', async () => {
    hsm.createToken('dr-ng-card');
    const fixture = await accessFixture();
    const admin = await fixture.open(ROLE_USERS.admin);
    await admin.admin.addUser('dr-ng', ['clinician'], token(true));
    const { secret } = admin.admin.enrollTotp(ROLE_USERS.admin);
    admin.admin.setPolicy({ mfa_required: true }, admin.user);
    await admin.close();

    const session = await VaultSession.open(fixture.home, token());
    assert.equal(session.user.name, 'dr-ng');
    assert.deepEqual(session.whoami().roles, ['clinician']);
    await session.close();

    await assert.rejects(fixture.open(ROLE_USERS.admin), (e: unknown) =>
      isVaultError(e, ErrorCode.MFA_REQUIRED),
    );
    const again = await fixture.open(ROLE_USERS.admin, { totp: () => totpCode(secret, Date.now()) });
    await again.close();
  });
});
