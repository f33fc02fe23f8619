import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { isVaultError } from '../../../common/errors.js';
import {
  auditColumns,
  canonicalJson,
  encodeColumns,
  GENESIS_HASH,
  rowHash,
  type AuditEntry,
} from '../../../core/audit/audit-row.js';

const ENTRY: AuditEntry = {
  at: 1_735_718_400_000,
  actor: 'dr.okafor',
  action: 'READ',
  operation: 'traces.get',
  target: 'trace-17',
  result: 'success',
  origin: 'local',
  details: { count: 1, bytes: 8192 },
  macs: ['00112233445566778899aabbccddeeff'],
  breakGlass: null,
  sessionId: 's-01',
};

describe('audit row encoding', () => {
  it('encodes the hashed columns as a fixed-order JSON array, details and macs as stored', () => {
    const columns = auditColumns(ENTRY);
    assert.equal(
      encodeColumns(columns),
      '[1735718400000,"dr.okafor","READ","traces.get","trace-17","success","local",' +
        '"{\\"bytes\\":8192,\\"count\\":1}","00112233445566778899aabbccddeeff",null,"s-01"]',
    );
  });

  it('sorts details keys at every level, so the same details always give the same text', () => {
    const a = canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } });
    const b = canonicalJson({ a: { c: 'x', d: [3, { y: 2, z: 1 }] }, b: 1 });
    assert.equal(a, b);
    assert.equal(a, '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('hashes SHA-256(prev_hash ‖ UTF-8 encoding), the first row after 32 zero bytes', () => {
    assert.deepEqual([...GENESIS_HASH], new Array<number>(32).fill(0));
    const encoded = encodeColumns(auditColumns({ ...ENTRY, actor: 'dr. Ångström 医生' }));
    const expected = createHash('sha256').update(GENESIS_HASH).update(encoded, 'utf8').digest();
    assert.deepEqual(rowHash(GENESIS_HASH, encoded), expected);
    const prev = createHash('sha256').update('x').digest();
    const long = encodeColumns(auditColumns({ ...ENTRY, details: { note: 'é'.repeat(5000) } }));
    assert.deepEqual(
      rowHash(prev, long),
      createHash('sha256').update(prev).update(long).digest(),
      'long rows',
    );
  });

  it('changes the hash for any change of any column, including null against 0', () => {
    const base = encodeColumns(auditColumns(ENTRY));
    const variants: Partial<AuditEntry>[] = [
      { at: ENTRY.at + 1 },
      { actor: 'dr.okafor ' },
      { action: 'LIST' },
      { operation: 'traces.list' },
      { target: '' },
      { result: 'denied' },
      { origin: 'api:127.0.0.1' },
      { details: { count: 1, bytes: 8193 } },
      { macs: [] },
      { breakGlass: 0 },
      { sessionId: 's-02' },
    ];
    for (const variant of variants) {
      assert.notEqual(encodeColumns(auditColumns({ ...ENTRY, ...variant })), base, JSON.stringify(variant));
    }
  });

  it('refuses entries the table could not hold exactly, naming the field and not the value', () => {
    const refuse = (variant: Partial<AuditEntry>, field: RegExp) =>
      assert.throws(
        () => auditColumns({ ...ENTRY, ...variant }),
        (e: unknown) =>
          isVaultError(e, 'BAD_INPUT') && field.test(e.message) && !e.message.includes('SECRET'),
      );
    refuse({ at: 1.5 }, /at must/);
    refuse({ at: Number.NaN }, /at must/);
    refuse({ action: 'FLY' as never }, /action/);
    refuse({ result: 'maybe' as never }, /result/);
    refuse({ actor: 'SECRET\ud800' }, /actor/);
    refuse({ macs: ['SECRET value'] }, /mac/);
    refuse({ macs: ['ABCDEF'] }, /lower-case hex/);
    refuse({ breakGlass: 1.5 }, /breakGlass/);
    refuse({ details: [] as never }, /details/);
    refuse({ details: { n: 10n } }, /plain JSON/);
  });
});
