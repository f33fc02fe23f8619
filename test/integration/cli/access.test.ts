import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AccessPolicy, Role } from '../../../common/access.js';
import type { TraceSummary } from '../../../common/trace.js';
import type { UserSummary } from '../../../core/access/user-store.js';
import { totpCode } from '../../../core/access/totp.js';
import { tempDir } from '../../support/temp.js';
import { KDF, expectExit, initVault, runJson, writeJsonLines } from './cli-harness.js';

interface Whoami {
  user: string;
  roles: string[];
  origin: string;
  breakGlassUntil: string | null;
}

const LEE_PASSPHRASE = 'dr lee keeps her own passphrase';
/** Runs as dr-lee: her key slot, her passphrase. */
const asLee = { env: { VAULT_MANAGER_PASSPHRASE: LEE_PASSPHRASE } };

function trace(id: string, user: string) {
  return {
    id,
    agent_id: 'ward-agent',
    user_id: user,
    started_at: '2026-03-01T08:00:00Z',
    messages: [{ role: 'user', content: `notes for ${id}` }],
  };
}

describe('vault-manager users, roles, policy, whoami and break-glass', () => {
  const dir = tempDir('vault-cli-access-');
  const home = join(dir, 'home');
  const h = ['--home', home];
  const lee = [...h, '--as', 'dr-lee'];
  const file = writeJsonLines(join(dir, 'traces.jsonl'), [
    trace('lee-1', 'dr-lee'),
    trace('lee-2', 'dr-lee'),
    trace('kim-1', 'dr-kim'),
    trace('kim-2', 'dr-kim'),
  ]);

  it('adds a clinician with her own passphrase slot', async () => {
    await initVault(home);
    const added = await runJson<{ name: string; roles: string[]; slot: { kind: string } }>(
      ['users', 'add', 'dr-lee', '--role', 'clinician', ...h, ...KDF],
      0,
      { env: { VAULT_MANAGER_NEW_PASSPHRASE: LEE_PASSPHRASE } },
    );
    assert.deepEqual(added.doc.roles, ['clinician']);
    assert.equal(added.doc.slot.kind, 'passphrase');
    await expectExit(['import', ...h, '--file', file], 0);

    const listed = await runJson<{ users: UserSummary[] }>(['users', 'list', ...h]);
    const byName = new Map(listed.doc.users.map((u) => [u.name, u]));
    assert.deepEqual(byName.get('admin')?.roles, ['admin']);
    assert.deepEqual(byName.get('dr-lee')?.roles, ['clinician']);
    assert.equal(byName.get('dr-lee')?.slots, 1);
    const human = await expectExit(['users', 'list', ...h], 0);
    assert.match(human.stdout, /dr-lee\s+clinician\s+enabled\s+1/);

    const unknownRole = await expectExit(['users', 'add', 'dr-x', '--role', 'surgeon', ...h, ...KDF], 1, {
      env: { VAULT_MANAGER_NEW_PASSPHRASE: 'another passphrase' },
    });
    assert.match(unknownRole.stderr, /surgeon/);
    await expectExit(['users', 'add', 'dr-x', ...h], 2);
  });

  it('shows a clinician only her own traces and refuses the rest', async () => {
    const list = await runJson<{ total: number; traces: TraceSummary[] }>(
      ['traces', 'list', ...lee],
      0,
      asLee,
    );
    assert.equal(list.doc.total, 2);
    assert.deepEqual(list.doc.traces.map((t) => t.id).sort(), ['lee-1', 'lee-2']);
    await expectExit(['traces', 'get', 'lee-1', ...lee], 0, asLee);
    const other = await expectExit(['traces', 'get', 'kim-1', ...lee], 1, asLee);
    assert.match(other.stderr, /not permitted/);
    const users = await expectExit(['users', 'list', ...lee], 1, asLee);
    assert.match(users.stderr, /not permitted/);

    const me = await runJson<Whoami>(['whoami', ...lee], 0, asLee);
    assert.deepEqual(me.doc, {
      user: 'dr-lee',
      roles: ['clinician'],
      origin: 'local',
      breakGlassUntil: null,
    });
  });

  it('opens a break-glass window that widens her reads, with an alert', async () => {
    await expectExit(['break-glass', '--minutes', '5', ...lee], 2, asLee);
    await expectExit(['break-glass', '--reason', 'patient crashed in ward 7', ...lee], 2, asLee);
    const tooShort = await expectExit(['break-glass', '--reason', 'x', '--minutes', '5', ...lee], 1, asLee);
    assert.match(tooShort.stderr, /reason/);

    const opened = await expectExit(
      ['break-glass', '--reason', 'patient crashed in ward 7', '--minutes', '5', ...lee],
      0,
      asLee,
    );
    assert.match(opened.stdout, /until \d{4}-\d{2}-\d{2}T/);
    assert.match(opened.stdout, /recorded/);
    assert.match(opened.stdout, /alert/);
    assert.match(opened.stderr, /ALERT \(critical\)/);

    const got = await runJson<{ id: string; user_id: string }>(['traces', 'get', 'kim-1', ...lee], 0, asLee);
    assert.equal(got.doc.user_id, 'dr-kim');
    const me = await runJson<Whoami>(['whoami', ...lee], 0, asLee);
    assert.ok(me.doc.breakGlassUntil !== null && Date.parse(me.doc.breakGlassUntil) > Date.now());
    // Break-glass reads; it does not administer.
    await expectExit(['users', 'list', ...lee], 1, asLee);

    // The admin (holding VIEW_AUDIT_LOGS) reviews the window and the reason given.
    const review = await expectExit(['audit', 'break-glass', ...h], 0);
    assert.match(review.stdout, /dr-lee .* until /);
    assert.match(review.stdout, /reason: patient crashed in ward 7/);
    await expectExit(['audit', 'break-glass', ...lee], 1, asLee);
  });

  it('assigns and removes roles', async () => {
    const assigned = await runJson<{ roles: string[] }>([
      'users',
      'assign-role',
      'dr-lee',
      'developer',
      ...h,
    ]);
    assert.deepEqual(assigned.doc.roles, ['clinician', 'developer']);
    const removed = await expectExit(['users', 'remove-role', 'dr-lee', 'developer', ...h], 0);
    assert.match(removed.stdout, /now holds: clinician\./);
    const missing = await expectExit(['users', 'assign-role', 'nobody', 'developer', ...h], 1);
    assert.match(missing.stderr, /nobody/);
  });

  it('defines roles from a file, naming the file and field of a bad one', async () => {
    const bad = join(dir, 'bad-role.json');
    writeFileSync(
      bad,
      JSON.stringify({ name: 'ward-7', permissions: ['READ_EVERYTHING'], scopes: [{ agent_id: 'ward-*' }] }),
    );
    const refused = await expectExit(['roles', 'define', '--file', bad, ...h], 1);
    assert.match(refused.stderr, /bad-role\.json/);
    assert.match(refused.stderr, /permissions\.0/);
    assert.match(refused.stderr, /READ_EVERYTHING/);
    const notJson = join(dir, 'not-json.json');
    writeFileSync(notJson, '{"name": ');
    const broken = await expectExit(['roles', 'define', '--file', notJson, ...h], 1);
    assert.match(broken.stderr, /not-json\.json is not valid JSON/);
    const builtin = join(dir, 'builtin.json');
    writeFileSync(builtin, JSON.stringify({ name: 'admin', permissions: ['READ_TRACES'], scopes: ['all'] }));
    assert.match((await expectExit(['roles', 'define', '--file', builtin, ...h], 1)).stderr, /built in/);

    const good = join(dir, 'ward-7.json');
    const ward: Role = {
      name: 'ward-7',
      description: 'Ward 7 agents',
      permissions: ['READ_TRACES', 'SEARCH_TRACES'],
      scopes: [{ agent_id: 'ward-*' }],
    };
    writeFileSync(good, JSON.stringify(ward));
    const defined = await runJson<Role>(['roles', 'define', '--file', good, ...h]);
    assert.deepEqual(defined.doc, ward);
    const shown = await runJson<Role>(['roles', 'show', 'ward-7', ...h]);
    assert.deepEqual(shown.doc, ward);
    const listed = await runJson<{ roles: (Role & { builtin: boolean })[] }>(['roles', 'list', ...h]);
    assert.deepEqual(
      listed.doc.roles.map((r) => [r.name, r.builtin]),
      [
        ['clinician', true],
        ['developer', true],
        ['auditor', true],
        ['admin', true],
        ['ward-7', false],
      ],
    );
    const human = await expectExit(['roles', 'show', 'clinician', ...h], 0);
    assert.match(human.stdout, /scopes:\s+user_id=self/);
    await expectExit(['roles', 'show', 'surgeon', ...h], 1);
    await expectExit(['roles', 'list', ...lee], 1, asLee);
  });

  it('shows and sets the policy, refusing values that are not JSON or out of bounds', async () => {
    const set = await runJson<AccessPolicy>(['policy', 'set', 'idle_timeout_minutes=5', ...h]);
    assert.equal(set.doc.idle_timeout_minutes, 5);
    const shown = await runJson<AccessPolicy>(['policy', 'show', ...h]);
    assert.deepEqual(shown.doc, {
      mfa_required: false,
      idle_timeout_minutes: 5,
      break_glass_max_minutes: 60,
      audit_checkpoint_rows: 1000,
      audit_checkpoint_seconds: 300,
    });
    const human = await expectExit(['policy', 'show', ...h], 0);
    assert.match(human.stdout, /idle_timeout_minutes\s+5/);

    const notJson = await expectExit(['policy', 'set', 'idle_timeout_minutes=five', ...h], 2);
    assert.match(notJson.stderr, /idle_timeout_minutes/);
    const unknown = await expectExit(['policy', 'set', 'coffee_minutes=5', ...h], 2);
    assert.match(unknown.stderr, /unknown policy setting "coffee_minutes"/);
    await expectExit(['policy', 'set', 'idle_timeout_minutes', ...h], 2);
    const outOfBounds = await expectExit(['policy', 'set', 'idle_timeout_minutes=0', ...h], 1);
    assert.match(outOfBounds.stderr, /idle_timeout_minutes/);
    const wrongType = await expectExit(['policy', 'set', 'mfa_required=1', ...h], 1);
    assert.match(wrongType.stderr, /mfa_required/);
    await expectExit(['policy', 'set', 'break_glass_max_minutes=10', ...h], 0);
    const overMax = await expectExit(
      ['break-glass', '--reason', 'patient crashed in ward 7', '--minutes', '11', ...lee],
      1,
      asLee,
    );
    assert.match(overMax.stderr, /1 to 10/);
    await expectExit(['policy', 'show', ...lee], 1, asLee);
  });

  it('enrolls a one-time code, shown once, that policy can then require', async () => {
    const human = await expectExit(['users', 'enroll-totp', 'dr-lee', ...h], 0);
    assert.match(human.stdout, /otpauth:\/\/totp\//);
    assert.match(human.stdout, /secret: [A-Z2-7]+/);
    assert.match(human.stderr, /shown this once/);

    // mfa_required needs the admin's own code first, so nobody locks themselves out.
    const refused = await expectExit(['policy', 'set', 'mfa_required=true', ...h], 1);
    assert.match(refused.stderr, /enroll-totp admin/);
    const enrolled = await runJson<{ user: string; uri: string; secret: string }>([
      'users',
      'enroll-totp',
      'admin',
      ...h,
    ]);
    assert.match(enrolled.doc.uri, /^otpauth:\/\/totp\/.*secret=/);
    await expectExit(['policy', 'set', 'mfa_required=true', ...h], 0);

    const noCode = await expectExit(['whoami', ...h], 1);
    assert.match(noCode.stderr, /one-time code/);
    const code = totpCode(enrolled.doc.secret, Date.now());
    const off = await runJson<AccessPolicy>(['policy', 'set', 'mfa_required=false', ...h], 0, {
      env: { VAULT_MANAGER_TOTP: code },
    });
    assert.equal(off.doc.mfa_required, false);
  });

  it('disables and enables a user', async () => {
    const disabled = await runJson<{ disabled: boolean }>(['users', 'disable', 'dr-lee', ...h]);
    assert.equal(disabled.doc.disabled, true);
    const refused = await expectExit(['traces', 'list', ...lee], 1, asLee);
    assert.match(refused.stderr, /disabled/);
    const listed = await runJson<{ users: UserSummary[] }>(['users', 'list', ...h]);
    assert.equal(listed.doc.users.find((u) => u.name === 'dr-lee')?.disabled, true);
    await expectExit(['users', 'enable', 'dr-lee', ...h], 0);
    await expectExit(['traces', 'list', ...lee], 0, asLee);
  });
});
