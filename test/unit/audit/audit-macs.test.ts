import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { AUDIT_MAC_BYTES, normalizeSensitive, sensitiveMacs } from '../../../core/audit/audit-macs.js';

const KEY = Buffer.alloc(32, 7);
const hmac = (value: string) => new Uint8Array(createHmac('sha256', KEY).update(value, 'utf8').digest());

describe('audit macs', () => {
  it('normalises with NFKC, trimming and lower-casing, so one value typed two ways is one mac', () => {
    assert.equal(
      normalizeSensitive('  Ｍｅｔｆｏｒｍｉｎ\u3000'),
      'metformin',
      'full-width letters and space',
    );
    assert.equal(normalizeSensitive('Ｃａｆé'), normalizeSensitive('CAFE\u0301'), 'composed and decomposed');
    assert.equal(normalizeSensitive('ﬁle'), 'file', 'the fi ligature');
  });

  it('gives each distinct value once, as the first 16 bytes of its HMAC in hex, in order', () => {
    const macs = sensitiveMacs(['Aspirin', 'aspirin ', '', '  ', 'ibuprofen', 'ASPIRIN'], hmac);
    assert.deepEqual(macs, [
      Buffer.from(hmac('aspirin')).subarray(0, AUDIT_MAC_BYTES).toString('hex'),
      Buffer.from(hmac('ibuprofen')).subarray(0, AUDIT_MAC_BYTES).toString('hex'),
    ]);
    assert.ok(macs.every((m) => /^[0-9a-f]{32}$/.test(m)));
  });

  it('refuses a mac function that returns fewer than 16 bytes', () => {
    assert.throws(() => sensitiveMacs(['x'], () => new Uint8Array(8)), /at least 16 bytes/);
  });
});
