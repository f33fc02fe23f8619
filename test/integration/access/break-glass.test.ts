/**
 * Break-glass: access widens for the given minutes only, the alert fires at once, and every row written
 * while the grant lasts is marked with it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isVaultError } from '../../../common/errors.js';
import type { Alert } from '../../../core/alerts/alert-log.js';
import { accessFixture, lastAuditRows, ROLE_USERS } from '../../support/access-fixture.js';

describe('break-glass', () => {
  it('widens a clinician to every trace for the minutes given, with an alert and marked rows', async () => {
    let now = Date.parse('2026-12-01T08:00:00Z');
    const fixture = await accessFixture({ now: () => now });
    const admin = await fixture.open(ROLE_USERS.admin);
    admin.admin.setPolicy({ idle_timeout_minutes: 120 }, admin.user);
    await admin.close();
    const alerts: Alert[] = [];
    const session = await fixture.open(ROLE_USERS.clinician, { onAlert: (a) => alerts.push(a) });
    const db = fixture.database();

    assert.throws(
      () => session.traces.get('t-other'),
      (e: unknown) => isVaultError(e, ErrorCode.FORBIDDEN),
    );
    assert.equal(session.traces.count(), 1);

    assert.throws(() => session.breakGlass('too short', 5), /reason/);
    assert.throws(() => session.breakGlass('patient crashed in the ED', 61), /minutes/);
    const grant = session.breakGlass('patient crashed in the ED, records needed', 30);
    assert.equal(alerts.length, 1, 'the alert fired at once');
    assert.equal(alerts[0]!.kind, 'break-glass');
    assert.equal(alerts[0]!.severity, 'critical');
    assert.ok(!alerts[0]!.message.includes('crashed'), 'the reason stays sealed, out of the alert');
    assert.equal(session.recentAlerts(1)[0]!.id, alerts[0]!.id, 'the alert is stored too');

    now += 29 * 60_000;
    assert.equal(session.traces.get('t-other').id, 't-other');
    assert.equal(session.traces.count(), 3);
    const during = lastAuditRows(db, 3);
    assert.deepEqual(
      during.map((r) => [r.operation, r.break_glass]),
      [
        ['breakGlass.start', grant.id],
        ['traces.get', grant.id],
        ['traces.count', grant.id],
      ],
    );

    now += 60_000 + 1; // past the 30 minutes
    assert.throws(
      () => session.traces.get('t-other'),
      (e: unknown) => isVaultError(e, ErrorCode.FORBIDDEN),
    );
    assert.equal(session.traces.count(), 1);
    const after = lastAuditRows(db, 2);
    assert.deepEqual(
      after.map((r) => r.break_glass),
      [null, null],
      'rows after the window are not marked',
    );
    db.close();
    await session.close();

    const auditor = await fixture.open(ROLE_USERS.auditor);
    const [review] = auditor.audit.breakGlassGrants();
    assert.deepEqual(
      [review!.id, review!.user, review!.reason],
      [grant.id, ROLE_USERS.clinician, 'patient crashed in the ED, records needed'],
    );
    const db2 = fixture.database();
    const stored = db2.prepare('SELECT reason_sealed FROM break_glass').pluck().get() as Buffer;
    db2.close();
    assert.ok(!stored.toString('latin1').includes('crashed'), 'the reason is stored sealed');
    await auditor.close();
  });

  it('is refused to a role without BREAK_GLASS', async () => {
    const fixture = await accessFixture();
    const session = await fixture.open(ROLE_USERS.developer);
    assert.throws(
      () => session.breakGlass('need to see everything now', 5),
      (e: unknown) => isVaultError(e, ErrorCode.FORBIDDEN),
    );
    await session.close();
  });
});
