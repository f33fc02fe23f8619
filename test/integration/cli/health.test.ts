import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { HealthReport } from '../../../core/vault/inspect.js';
import { TraceFactory } from '../../support/synthetic-traces.js';
import { tempDir } from '../../support/temp.js';
import { expectExit, initVault, runJson, writeJsonLines } from './cli-harness.js';

/** Health never asks for the passphrase: these runs have none. */
const NO_SECRET = { env: { VAULT_MANAGER_PASSPHRASE: undefined } };

describe('vault-manager health', () => {
  const dir = tempDir('vault-cli-health-');

  it('reports a missing vault and exits 1', async () => {
    const { doc } = await runJson<HealthReport>(['health', '--home', join(dir, 'none')], 1, NO_SECRET);
    assert.equal(doc.exists, false);
    assert.equal(doc.ok, false);
    assert.match(doc.problems.join('\n'), /no vault in/);
  });

  it('reports schema, quick_check, count, sizes and key slots without the passphrase', async () => {
    const home = join(dir, 'home');
    await initVault(home);
    const traces = new TraceFactory(3, 500);
    const file = writeJsonLines(
      join(dir, 'five.jsonl'),
      Array.from({ length: 5 }, () => traces.trace({ bytes: 400 })),
    );
    await expectExit(['import', '--home', home, '--file', file], 0);

    const { doc } = await runJson<HealthReport>(['health', '--home', home], 0, NO_SECRET);
    assert.equal(doc.ok, true, `problems: ${doc.problems.join('; ')}`);
    assert.equal(doc.exists, true);
    assert.equal(doc.home, home);
    assert.equal(doc.schemaVersion, doc.latestSchemaVersion);
    assert.ok((doc.schemaVersion ?? 0) > 0);
    assert.deepEqual(doc.quickCheck, ['ok']);
    assert.equal(doc.traceCount, 5);
    assert.ok(doc.databaseBytes! > 0);
    assert.deepEqual(
      doc.keySlots.map((s) => s.kind),
      ['passphrase'],
    );
    assert.match(doc.vaultId ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(!JSON.stringify(doc).includes('salt'), 'slot parameters stay in the database');

    const human = await expectExit(['health', '--home', home], 0, NO_SECRET);
    assert.match(human.stdout, /^status: +ok$/m);
    assert.match(human.stdout, /^traces: +5$/m);
    assert.match(human.stdout, /^key slots: +passphrase$/m);
  });

  it('finds the vault through VAULT_MANAGER_HOME when there is no --home', async () => {
    const home = join(dir, 'by-env');
    await initVault(home);
    const { doc } = await runJson<HealthReport>(['health'], 0, {
      env: { VAULT_MANAGER_HOME: home, VAULT_MANAGER_PASSPHRASE: undefined },
    });
    assert.equal(doc.home, home);
    assert.equal(doc.traceCount, 0);
  });
});
