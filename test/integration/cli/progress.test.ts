import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TraceFactory } from '../../support/synthetic-traces.js';
import { TEST_PASSPHRASE, tempDir } from '../../support/temp.js';
import { expectExit, inTerminal, initVault, writeJsonLines } from './cli-harness.js';

const WITH_SECRET = { VAULT_MANAGER_PASSPHRASE: TEST_PASSPHRASE };

describe('vault-manager progress bars', () => {
  const dir = tempDir('vault-cli-progress-');
  const home = join(dir, 'home');
  const factory = new TraceFactory(11, 1000);
  const file = writeJsonLines(
    join(dir, 'traces.jsonl'),
    Array.from({ length: 300 }, () => factory.trace({ bytes: 500 })),
  );

  it('draws a bar for import and export on a terminal', async () => {
    await initVault(home);
    const imported = await inTerminal(['import', '--home', home, '--file', file], [], WITH_SECRET);
    assert.equal(imported.code, 0, imported.transcript);
    assert.match(imported.transcript, /importing \[/);
    const exported = await inTerminal(
      ['export', '--home', home, '--output', join(dir, 'out.jsonl')],
      [],
      WITH_SECRET,
    );
    assert.equal(exported.code, 0, exported.transcript);
    assert.match(exported.transcript, /exporting \[/);
  });

  it('draws none with --json, even on a terminal', async () => {
    const run = await inTerminal(['import', '--home', home, '--file', file, '--json'], [], WITH_SECRET);
    assert.equal(run.code, 0, run.transcript);
    assert.doesNotMatch(run.transcript, /importing \[/);
    assert.equal((JSON.parse(run.transcript) as { duplicates: number }).duplicates, 300);
  });

  it('draws none when stderr is not a terminal', async () => {
    const { stderr } = await expectExit(
      ['export', '--home', home, '--output', join(dir, 'out.jsonl'), '--force'],
      0,
    );
    assert.equal(stderr, '');
  });
});
