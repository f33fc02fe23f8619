import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { KeyStatus } from '../../../core/keys/key-rotation.js';
import type { KeySlotInfo } from '../../../core/vault/vault.js';
import { TraceFactory } from '../../support/synthetic-traces.js';
import { tempDir } from '../../support/temp.js';
import { KDF, expectExit, initVault, runJson, writeJsonLines } from './cli-harness.js';

describe('vault-manager keys', () => {
  const dir = tempDir('vault-cli-keys-');
  const home = join(dir, 'home');
  const factory = new TraceFactory(9, 500);
  const file = writeJsonLines(
    join(dir, 'traces.jsonl'),
    Array.from({ length: 30 }, (_, i) => factory.trace({ id: `k-${i}`, bytes: 400, subjects: 10 })),
  );

  it('rotates the KEK, re-wraps every key and retires the old version', async () => {
    await initVault(home);
    await expectExit(['import', '--home', home, '--file', file], 0);
    const before = await runJson<KeyStatus>(['keys', 'status', '--home', home]);
    assert.equal(before.doc.currentVersion, 1);
    assert.equal(before.doc.rotationDays, 90);
    const rotated = await runJson<{ version: number; status: KeyStatus }>(['keys', 'rotate', '--home', home]);
    assert.equal(rotated.doc.version, 2);
    assert.equal(rotated.doc.status.pendingRewrap, 0);
    assert.notEqual(rotated.doc.status.versions[0]!.retiredAt, null, 'v1 retired');
    assert.equal(rotated.doc.status.versions[1]!.subjectKeys, 10);
    await expectExit(['traces', 'get', 'k-29', '--home', home], 0);
  });

  it('adds a passphrase slot that opens the vault, and refuses to remove the last slot', async () => {
    const second = 'deputy passphrase';
    const added = await runJson<{ id: number }>(
      ['keys', 'slots', 'add', '--home', home, '--label', 'deputy', ...KDF],
      0,
      {
        env: { VAULT_MANAGER_NEW_PASSPHRASE: second },
      },
    );
    const listed = await runJson<{ slots: KeySlotInfo[] }>(['keys', 'slots', 'list', '--home', home], 0, {
      env: { VAULT_MANAGER_PASSPHRASE: second },
    });
    assert.deepEqual(
      listed.doc.slots.map((s) => [s.kind, s.label]),
      [
        ['passphrase', 'passphrase'],
        ['passphrase', 'deputy'],
      ],
    );
    const first = listed.doc.slots[0]!.id;
    await expectExit(['keys', 'slots', 'remove', String(first), '--home', home], 0, {
      env: { VAULT_MANAGER_PASSPHRASE: second },
    });
    const last = await expectExit(['keys', 'slots', 'remove', String(added.doc.id), '--home', home], 1, {
      env: { VAULT_MANAGER_PASSPHRASE: second },
    });
    assert.match(last.stderr, /last one/);
    const old = await expectExit(['traces', 'list', '--home', home], 1);
    assert.match(old.stderr, /passphrase/);
  });

  it('adds a recovery key shown once as 24 words, which unlocks when every other slot is gone', async () => {
    const second = { VAULT_MANAGER_PASSPHRASE: 'deputy passphrase' };
    const added = await runJson<{ id: number; recoveryKey: string[] }>(
      ['keys', 'slots', 'add', '--kind', 'recovery', '--home', home],
      0,
      { env: second },
    );
    assert.equal(added.doc.recoveryKey.length, 24);
    const words = added.doc.recoveryKey.join(' ');
    const withWords = { VAULT_MANAGER_PASSPHRASE: undefined, VAULT_MANAGER_RECOVERY_KEY: words };
    const listed = await runJson<{ slots: KeySlotInfo[] }>(['keys', 'slots', 'list', '--home', home], 0, {
      env: withWords,
    });
    const deputy = listed.doc.slots.find((s) => s.kind === 'passphrase')!;
    await expectExit(['keys', 'slots', 'remove', String(deputy.id), '--home', home], 0, { env: withWords });
    await expectExit(['traces', 'get', 'k-3', '--home', home], 0, { env: withWords });
    const wrong = await expectExit(['traces', 'list', '--home', home], 1, {
      env: { ...withWords, VAULT_MANAGER_RECOVERY_KEY: words.split(' ').reverse().join(' ') },
    });
    assert.match(wrong.stderr, /checksum|does not open|word/);
  });
});
