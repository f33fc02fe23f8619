import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { recordAad, recordAadEncoder, type RecordBinding } from '../../../core/crypto/aad.js';
import { toHex } from '../../../core/crypto/bytes.js';

const BASE: RecordBinding = {
  vaultId: '3b0c1f9e-8d5a-4c1e-9f3a-2b7d6e5c4a10',
  table: 'traces',
  recordId: 'trace-0001',
  keyVersion: 1,
  formatVersion: 1,
};

const aad = (binding: RecordBinding): string => toHex(recordAad(binding));

/** Two bindings must encode alike only when they are the same binding. */
function assertDistinct(a: RecordBinding, b: RecordBinding, what: string): void {
  assert.notEqual(aad(a), aad(b), `${what}: two different bindings gave the same AAD`);
}

/** Either distinct bytes or a refusal of one of them; silently equal bytes is the failure. */
function assertDistinctOrRefused(a: RecordBinding, b: RecordBinding, what: string): void {
  let encoded: [string, string] | undefined;
  try {
    encoded = [aad(a), aad(b)];
  } catch {
    return;
  }
  assert.notEqual(encoded[0], encoded[1], `${what}: two different bindings gave the same AAD`);
}

const uint32 = fc
  .tuple(fc.nat({ max: 0xffff }), fc.nat({ max: 0xffff }))
  .map(([high, low]) => high * 0x10000 + low);
// Well-formed strings of any script (graphemes), empty ones and NUL included.
const text = fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('', '\0', 'a\0b'));
const binding: fc.Arbitrary<RecordBinding> = fc.record({
  vaultId: text,
  table: text,
  recordId: text,
  keyVersion: uint32,
  formatVersion: uint32,
});

describe('recordAad', () => {
  it('is deterministic: the same binding always gives the same bytes', () => {
    assert.equal(aad({ ...BASE }), aad(BASE));
  });

  it('gives different bytes when any one field changes', () => {
    assertDistinct(BASE, { ...BASE, vaultId: '3b0c1f9e-8d5a-4c1e-9f3a-2b7d6e5c4a11' }, 'vault id');
    assertDistinct(BASE, { ...BASE, table: 'subject_keys' }, 'table');
    assertDistinct(BASE, { ...BASE, recordId: 'trace-0002' }, 'record id');
    assertDistinct(BASE, { ...BASE, keyVersion: 2 }, 'key version');
    assertDistinct(BASE, { ...BASE, formatVersion: 2 }, 'format version');
  });

  it('keeps key version and format version apart (swapping them changes the bytes)', () => {
    assertDistinct(
      { ...BASE, keyVersion: 1, formatVersion: 2 },
      { ...BASE, keyVersion: 2, formatVersion: 1 },
      'swap',
    );
  });

  it('tells apart every split of the same characters between neighbouring strings', () => {
    assertDistinct(
      { ...BASE, vaultId: 'ab', table: 'c' },
      { ...BASE, vaultId: 'a', table: 'bc' },
      'vault|table',
    );
    assertDistinct(
      { ...BASE, table: 'ab', recordId: 'c' },
      { ...BASE, table: 'a', recordId: 'bc' },
      'table|record',
    );
    assertDistinct(
      { ...BASE, vaultId: 'ab', table: '', recordId: 'c' },
      { ...BASE, vaultId: 'a', table: '', recordId: 'bc' },
      'vault|record across an empty table',
    );
    assertDistinct(
      { ...BASE, vaultId: 'abc', table: '' },
      { ...BASE, vaultId: '', table: 'abc' },
      'all|nothing',
    );
  });

  it('keeps the last string apart from the version numbers that follow it', () => {
    // A record id ending in the bytes of a version must not read as that version.
    assertDistinct(
      { ...BASE, recordId: 'r\u0000\u0000\u0000\u0002', keyVersion: 1 },
      { ...BASE, recordId: 'r', keyVersion: 2 },
      'record id|key version',
    );
  });

  it('gives different bytes whenever one field of a binding changes (property)', () => {
    const fields = ['vaultId', 'table', 'recordId', 'keyVersion', 'formatVersion'] as const;
    fc.assert(
      fc.property(binding, fc.constantFrom(...fields), binding, (a, field, other) => {
        const b = { ...a, [field]: other[field] };
        const same = a[field] === other[field];
        assert.equal(
          aad(a) === aad(b),
          same,
          same ? 'equal bindings encoded apart' : `${field} changed, AAD did not`,
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('tells apart every split of one string between vault id, table and record id (property)', () => {
    const cuts = fc.tuple(fc.nat(), fc.nat());
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), cuts, cuts, (whole, first, second) => {
        const chars = [...whole];
        const split = ([i, j]: [number, number]): RecordBinding => {
          const [x, y] = [i % (chars.length + 1), j % (chars.length + 1)].sort((p, q) => p - q) as [
            number,
            number,
          ];
          return {
            ...BASE,
            vaultId: chars.slice(0, x).join(''),
            table: chars.slice(x, y).join(''),
            recordId: chars.slice(y).join(''),
          };
        };
        const [a, b] = [split(first), split(second)];
        const same = a.vaultId === b.vaultId && a.table === b.table;
        assert.equal(aad(a) === aad(b), same, same ? 'one split encoded apart' : 'two splits encoded alike');
      }),
      { numRuns: 2000 },
    );
  });

  it('never encodes two different key or format versions alike, even outside 0..2^32-1', () => {
    // Versions come from plaintext columns an attacker with the disk can rewrite: a version the 32-bit
    // field cannot hold must be refused, not wrapped modulo 2^32 onto another one.
    for (const field of ['keyVersion', 'formatVersion'] as const) {
      assertDistinctOrRefused({ ...BASE, [field]: 1 }, { ...BASE, [field]: 2 ** 32 + 1 }, `${field} 2^32+1`);
      assertDistinctOrRefused({ ...BASE, [field]: 2 ** 32 - 1 }, { ...BASE, [field]: -1 }, `${field} -1`);
      assertDistinctOrRefused({ ...BASE, [field]: 1 }, { ...BASE, [field]: 1.5 }, `${field} 1.5`);
      assertDistinctOrRefused({ ...BASE, [field]: 0 }, { ...BASE, [field]: Number.NaN }, `${field} NaN`);
    }
  });

  it('never encodes two different strings alike, even ill-formed ones (lone surrogates)', () => {
    // UTF-8 encoders replace each lone surrogate with U+FFFD, so two different strings could meet.
    assertDistinctOrRefused(
      { ...BASE, recordId: '\uD800' },
      { ...BASE, recordId: '\uDC00' },
      'lone surrogates',
    );
    assertDistinctOrRefused(
      { ...BASE, vaultId: '\uD800' },
      { ...BASE, vaultId: '\uFFFD' },
      'surrogate vs U+FFFD',
    );
  });

  it('gives, through one reused encoder, the bytes of each record alone', () => {
    // The trace cipher keeps one encoder per vault: a record's bytes must not depend on the one before.
    const encode = recordAadEncoder(BASE.vaultId, BASE.table);
    const records = [
      { ...BASE, recordId: 'trace-long-identifier-0001', keyVersion: 3 },
      { ...BASE, recordId: 'x' },
      { ...BASE, recordId: 'trace-long-identifier-0001', keyVersion: 3 },
    ];
    const reused = records.map((r) => toHex(encode(r.recordId, r.keyVersion, r.formatVersion)));
    assert.deepEqual(reused, records.map(aad));
    assert.throws(() => encode('\uD800', 1, 1), /well-formed Unicode/);
    assert.throws(() => recordAadEncoder('\uDC00', 'traces')('r', 1, 1), /well-formed Unicode/);
  });
});
