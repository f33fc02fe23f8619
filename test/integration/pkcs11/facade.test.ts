/** The PKCS#11 facade on a real SoftHSM2 token: key generation, the vault's mechanisms, PIN and removal. */
import assert from 'node:assert/strict';
import {
  constants,
  createECDH,
  createHash,
  createPublicKey,
  publicEncrypt,
  randomBytes,
  verify,
} from 'node:crypto';
import { before, describe, it } from 'node:test';
import { wrapKey } from '../../../core/crypto/key-wrap.js';
import {
  findPkcs11Modules,
  MechanismNotSupportedError,
  Pkcs11Error,
  TokenNotPresentError,
  WrongPinError,
  type KeyAttributes,
  type Pkcs11Session,
} from '../../../native/pkcs11.js';
import { importAesKeyForTest, softHsm, TEST_USER_PIN, type TestToken } from '../../support/softhsm.js';

// At the top level, so the token directory and module outlive every suite of this file.
const hsm = softHsm();
const id = (n: number) => Uint8Array.of(0x10, n);

function assertSealed(attributes: KeyAttributes, what: string): void {
  assert.equal(attributes.token, true, `${what}: a token object`);
  assert.equal(attributes.sensitive, true, `${what}: CKA_SENSITIVE`);
  assert.equal(attributes.extractable, false, `${what}: CKA_EXTRACTABLE`);
  assert.equal(attributes.alwaysSensitive, true, `${what}: CKA_ALWAYS_SENSITIVE`);
  assert.equal(attributes.neverExtractable, true, `${what}: CKA_NEVER_EXTRACTABLE`);
}

describe('PKCS#11 facade on SoftHSM2', () => {
  let token: TestToken;
  let session: Pkcs11Session;

  before(() => {
    token = hsm.createToken('facade-test');
    session = hsm.module.openSession(token.slotId);
    session.login(token.userPin);
  });

  it('finds SoftHSM2 among the known module paths', () => {
    assert.ok(findPkcs11Modules().some((m) => m.path === hsm.modulePath));
  });

  it('finds a slot by token label whether or not the label is padded', () => {
    const padded = hsm.module.findSlotByTokenLabel('facade-test                ');
    assert.ok(padded && padded.equals(token.slotId));
    assert.equal(hsm.module.findSlotByTokenLabel('facade-tes'), undefined, 'no prefix match');
    const listed = hsm.module.slots().find((slot) => slot.token?.label === 'facade-test');
    assert.equal(listed?.token?.userPinInitialized, true);
  });

  it('generates an AES-256 key that is sensitive and was never extractable', async () => {
    const key = await session.generateAesKey({ label: 'aes-1', id: id(1) });
    const attributes = session.keyAttributes(key);
    assertSealed(attributes, 'AES key');
    assert.equal(attributes.class, 'secret');
    assert.equal(attributes.keyType, 'aes');
    assert.equal(attributes.label, 'aes-1');
    assert.deepEqual(attributes.id, id(1));
    const found = session.findKeys({ class: 'secret', label: 'aes-1' });
    assert.equal(found.length, 1);
    assert.ok(found[0]!.equals(key));
  });

  it('generates an RSA-2048 pair whose private key is sealed and whose public key can be read', async () => {
    const pair = await session.generateRsaKeyPair({ label: 'rsa-1', id: id(2) });
    assertSealed(session.keyAttributes(pair.privateKey), 'RSA private key');
    const publicAttributes = session.keyAttributes(pair.publicKey);
    assert.equal(publicAttributes.class, 'public');
    assert.equal(publicAttributes.keyType, 'rsa');
    const { modulus, publicExponent } = session.rsaPublicKey(pair.publicKey);
    assert.equal(modulus.length, 256, 'a 2048-bit modulus');
    assert.deepEqual(publicExponent, Uint8Array.of(1, 0, 1));
    assert.equal(session.findKeys({ id: id(2) }).length, 2, 'both halves carry the same CKA_ID');
  });

  it('generates an EC P-256 pair whose private key is sealed', async () => {
    const pair = await session.generateEcKeyPair({ label: 'ec-1', id: id(3) });
    const attributes = session.keyAttributes(pair.privateKey);
    assertSealed(attributes, 'EC private key');
    assert.equal(attributes.keyType, 'ec');
    const point = session.ecPublicPoint(pair.publicKey);
    assert.equal(point.length, 65);
    assert.equal(point[0], 0x04, 'uncompressed point');
  });

  it('wraps 32 bytes with CKM_AES_KEY_WRAP into the same 40 bytes as RFC 3394 in software', async () => {
    const kekValue = new Uint8Array(randomBytes(32));
    const keyValue = new Uint8Array(randomBytes(32));
    importAesKeyForTest(hsm, token, { label: 'known-kek', id: id(4), value: kekValue, extractable: false });
    importAesKeyForTest(hsm, token, { label: 'known-key', id: id(5), value: keyValue, extractable: true });
    const [kek] = session.findKeys({ class: 'secret', label: 'known-kek' });
    const [key] = session.findKeys({ class: 'secret', label: 'known-key' });
    const expected = wrapKey(kekValue, keyValue);

    const wrapped = await session.wrapKey({ kind: 'aes-key-wrap' }, kek!, key!);
    assert.equal(wrapped.length, 40);
    assert.deepEqual(wrapped, expected, 'C_WrapKey of a token key equals RFC 3394');
    const wrappedValue = await session.wrapSecretValue({ kind: 'aes-key-wrap' }, kek!, keyValue);
    assert.deepEqual(wrappedValue, expected, 'wrapping bytes from memory equals RFC 3394');
    assert.deepEqual(await session.unwrapSecretValue({ kind: 'aes-key-wrap' }, kek!, expected), keyValue);

    const unwrapped = await session.unwrapKey({ kind: 'aes-key-wrap' }, kek!, expected, 'aes');
    assert.equal(session.keyAttributes(unwrapped).extractable, false, 'the unwrapped copy stays sealed');
    session.destroyObject(unwrapped);
  });

  it('rejects an altered AES-wrapped key on unwrap', async () => {
    const [kek] = session.findKeys({ class: 'secret', label: 'known-kek' });
    const wrapped = await session.wrapSecretValue({ kind: 'aes-key-wrap' }, kek!, new Uint8Array(32));
    wrapped[3]! ^= 1;
    await assert.rejects(session.unwrapSecretValue({ kind: 'aes-key-wrap' }, kek!, wrapped), Pkcs11Error);
  });

  it('says MechanismNotSupportedError where SoftHSM lacks a mechanism (C_Encrypt with AES key wrap)', async () => {
    const [kek] = session.findKeys({ class: 'secret', label: 'known-kek' });
    await assert.rejects(
      session.encrypt({ kind: 'aes-key-wrap' }, kek!, new Uint8Array(32)),
      (error: unknown) => {
        assert.ok(error instanceof MechanismNotSupportedError, String(error));
        assert.equal(error.code, 'CKR_MECHANISM_INVALID');
        assert.match(error.message, /cannot perform AES key wrap/);
        return true;
      },
    );
  });

  it('decrypts on the token what node encrypted with RSA-OAEP (SHA-1) to the token public key', async () => {
    const [publicKey] = session.findKeys({ class: 'public', label: 'rsa-1' });
    const [privateKey] = session.findKeys({ class: 'private', label: 'rsa-1' });
    const { modulus, publicExponent } = session.rsaPublicKey(publicKey!);
    const nodeKey = createPublicKey({
      key: {
        kty: 'RSA',
        n: Buffer.from(modulus).toString('base64url'),
        e: Buffer.from(publicExponent).toString('base64url'),
      },
      format: 'jwk',
    });
    const secret = new Uint8Array(randomBytes(32));
    const ciphertext = publicEncrypt(
      { key: nodeKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      secret,
    );
    const decrypted = await session.decrypt({ kind: 'rsa-oaep', hash: 'sha1' }, privateKey!, ciphertext);
    assert.deepEqual(decrypted, secret);
  });

  it('derives the same ECDH secret on the token as node createECDH', async () => {
    const [publicKey] = session.findKeys({ class: 'public', label: 'ec-1' });
    const [privateKey] = session.findKeys({ class: 'private', label: 'ec-1' });
    const tokenPoint = session.ecPublicPoint(publicKey!);
    const ephemeral = createECDH('prime256v1');
    ephemeral.generateKeys();
    const expected = new Uint8Array(ephemeral.computeSecret(tokenPoint));
    const onToken = await session.deriveEcdhSecret(privateKey!, new Uint8Array(ephemeral.getPublicKey()));
    assert.equal(onToken.length, 32);
    assert.deepEqual(onToken, expected);
  });

  it('signs a SHA-256 digest with ECDSA as raw r‖s that node verifies, and not another digest', async () => {
    const [publicKey] = session.findKeys({ class: 'public', label: 'ec-1' });
    const [privateKey] = session.findKeys({ class: 'private', label: 'ec-1' });
    const point = session.ecPublicPoint(publicKey!);
    const nodeKey = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: Buffer.from(point.subarray(1, 33)).toString('base64url'),
        y: Buffer.from(point.subarray(33)).toString('base64url'),
      },
      format: 'jwk',
    });
    const message = Buffer.from('audit checkpoint 42');
    const digest = createHash('sha256').update(message).digest();
    const signature = await session.signEcdsaDigest(privateKey!, digest);
    assert.equal(signature.length, 64);
    const check = (data: Buffer) =>
      verify('sha256', data, { key: nodeKey, dsaEncoding: 'ieee-p1363' }, signature);
    assert.equal(check(message), true);
    assert.equal(check(Buffer.from('audit checkpoint 43')), false);
  });

  it('counts each key operation once at the facade', async () => {
    const [kek] = session.findKeys({ class: 'secret', label: 'known-kek' });
    const before = hsm.module.callCounts;
    const wrapped = wrapKey(new Uint8Array(32).fill(7), new Uint8Array(32));
    await assert.rejects(session.unwrapSecretValue({ kind: 'aes-key-wrap' }, kek!, wrapped));
    const after = hsm.module.callCounts;
    assert.equal(after.keyOperations - before.keyOperations, 1, 'a failed unwrap is counted too');
    assert.equal(after.byOperation.unwrap - before.byOperation.unwrap, 1);
    assert.equal(after.logins, before.logins, 'no login');
  });
});

describe('PKCS#11 facade: PIN and token removal', () => {
  it('refuses a wrong PIN with WrongPinError after exactly one C_Login, without the PIN in the message', () => {
    const token = hsm.createToken('pin-test');
    const session = hsm.module.openSession(token.slotId);
    try {
      const wrongPin = '999111';
      const before = hsm.module.callCounts.logins;
      let caught: unknown;
      try {
        session.login(new TextEncoder().encode(wrongPin));
      } catch (error) {
        caught = error;
      }
      assert.equal(hsm.module.callCounts.logins - before, 1, 'exactly one C_Login, no retry');
      assert.ok(caught instanceof WrongPinError, `expected WrongPinError, got ${String(caught)}`);
      assert.equal(caught.code, 'CKR_PIN_INCORRECT');
      // SoftHSM sets CKF_USER_PIN_COUNT_LOW after a wrong PIN (machine.md).
      assert.equal(caught.triesLeft, 'low');
      assert.match(caught.message, /PIN is not correct/);
      for (const text of [caught.message, caught.stack ?? '', JSON.stringify(caught)]) {
        assert.ok(!text.includes(wrongPin), 'the wrong PIN appears nowhere in the error');
        assert.ok(!text.includes(TEST_USER_PIN), 'nor does the right one');
      }
      session.login(token.userPin);
      session.logout();
    } finally {
      session.close();
    }
  });

  it('reports TokenNotPresentError from tokenInfo once another process deletes the token', () => {
    const token = hsm.createToken('removal-test');
    assert.equal(hsm.module.tokenInfo(token.slotId).label, 'removal-test');
    hsm.deleteToken('removal-test');
    assert.throws(
      () => hsm.module.tokenInfo(token.slotId),
      (error: unknown) => {
        assert.ok(
          error instanceof TokenNotPresentError,
          `expected TokenNotPresentError, got ${String(error)}`,
        );
        assert.match(error.message, /not available/);
        return true;
      },
    );
  });
});
