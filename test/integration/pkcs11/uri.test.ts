/** PKCS#11 URIs (RFC 7512) as the vault stores them in key slots. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVaultError } from '../../../common/errors.js';
import { formatPkcs11Uri, parsePkcs11Uri } from '../../../core/keys/pkcs11-uri.js';

const badInput = (error: unknown) => isVaultError(error, 'BAD_INPUT');

describe('PKCS#11 URI', () => {
  it('parses the RFC 7512 §3 example with a percent-encoded id and label', () => {
    const uri = parsePkcs11Uri(
      'pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91%DE%ED%0E%CF%4B%B4%5B%0B',
    );
    assert.equal(uri.token, 'The Software PKCS#11 Softtoken');
    assert.equal(uri.manufacturer, 'Snake Oil, Inc.');
    assert.equal(uri.object, 'my-certificate');
    assert.equal(uri.type, 'cert');
    assert.equal(Buffer.from(uri.id!).toString('hex'), '69953e5cf4bdec91deed0ecf4bb45b0b');
  });

  it('formats what it parses back to the same attributes', () => {
    const original = {
      token: 'Clinic A; ward 3',
      object: 'vault master ü',
      id: Uint8Array.of(0, 1, 0xfe),
      modulePath: '/usr/lib/softhsm/libsofthsm2.so',
    };
    const text = formatPkcs11Uri(original);
    assert.match(
      text,
      /^pkcs11:token=Clinic%20A%3B%20ward%203;object=vault%20master%20%C3%BC;id=%00%01%FE\?/,
    );
    assert.deepEqual(parsePkcs11Uri(text), original);
  });

  it('refuses a PIN in the URI, an unknown attribute, a repeated one, and bad percent-encoding', () => {
    assert.throws(
      () => parsePkcs11Uri('pkcs11:token=a?pin-value=1234'),
      (e: unknown) => {
        assert.ok(badInput(e));
        assert.ok(!(e as Error).message.includes('1234'), 'the PIN is not echoed');
        return true;
      },
    );
    assert.throws(() => parsePkcs11Uri('pkcs11:token=a;colour=blue'), badInput);
    assert.throws(() => parsePkcs11Uri('pkcs11:token=a;token=b'), badInput);
    assert.throws(() => parsePkcs11Uri('pkcs11:object=%G1'), badInput);
    assert.throws(() => parsePkcs11Uri('https://example.com'), badInput);
  });
});
