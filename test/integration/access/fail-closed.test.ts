/**
 * Fail closed (design.md §5): when the audit row cannot be written, the operation fails and returns
 * nothing. The fault is injected with a trigger that refuses every insert into audit_log: SQLite gives no
 * other way to make one table unwritable while the rest of the file stays writable.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isVaultError } from '../../../common/errors.js';
import { accessFixture, auditRowCount, ROLE_USERS, TRACES } from '../../support/access-fixture.js';

const READS = 1000;

describe('audit fails closed', () => {
  it(`refuses ${READS} reads, returning no trace content, while the audit table is unwritable`, async () => {
    const fixture = await accessFixture();
    const session = await fixture.open(ROLE_USERS.admin);
    const db = fixture.database();
    // A canary only the stored traces hold: no error text may carry it.
    const canary = 'common words for t-own';
    assert.ok(JSON.stringify(session.traces.get('t-own')).includes(canary), 'the canary is in the trace');
    db.exec(`CREATE TRIGGER fault_audit_unwritable BEFORE INSERT ON audit_log
             BEGIN SELECT RAISE(ABORT, 'audit table unwritable (injected fault)'); END`);
    const rowsBefore = auditRowCount(db);
    const ids = Object.values(TRACES).map((t) => t.id!);
    const kinds = ['get', 'search', 'list'] as const;
    let refused = 0;
    try {
      for (let i = 0; i < READS; i++) {
        const kind = kinds[i % kinds.length]!;
        let returned: unknown;
        try {
          if (kind === 'get') returned = session.traces.get(ids[i % ids.length]!);
          else if (kind === 'search') returned = session.traces.search({ query: 'refill' });
          else returned = session.traces.list();
        } catch (error) {
          assert.ok(isVaultError(error, ErrorCode.STORAGE), `read ${i}: ${String(error)}`);
          assert.match(error.message, /audit log could not be written/);
          assert.ok(!JSON.stringify({ message: error.message, stack: error.stack }).includes(canary));
          refused++;
          continue;
        }
        assert.fail(
          `read ${i} (${kind}) returned ${JSON.stringify(returned).length} bytes without an audit row`,
        );
      }
      assert.equal(refused, READS);
      assert.equal(auditRowCount(db), rowsBefore, 'no row was written, and none went missing');
    } finally {
      db.exec('DROP TRIGGER fault_audit_unwritable');
    }
    // With the fault gone, the same session reads again, and the chain is whole.
    assert.equal(session.traces.get('t-own').id, 't-own');
    assert.equal(session.audit.verify().ok, true);
    db.close();
    await session.close();
  });

  it('rolls a write back when its audit row cannot be written', async () => {
    const fixture = await accessFixture();
    const session = await fixture.open(ROLE_USERS.admin);
    const db = fixture.database();
    db.exec(`CREATE TRIGGER fault_audit_unwritable BEFORE INSERT ON audit_log
             BEGIN SELECT RAISE(ABORT, 'audit table unwritable (injected fault)'); END`);
    assert.throws(
      () => session.traces.delete('t-own'),
      (error: unknown) => isVaultError(error, ErrorCode.STORAGE),
    );
    db.exec('DROP TRIGGER fault_audit_unwritable');
    assert.equal(session.traces.get('t-own').id, 't-own', 'the trace was not deleted');
    db.close();
    await session.close();
  });
});
