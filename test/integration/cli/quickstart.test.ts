import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SearchResult } from '../../../common/search.js';
import type { ImportReport } from '../../../core/ingest/importer.js';
import type { HealthReport } from '../../../core/vault/inspect.js';
import { REPO_ROOT } from '../../support/shared-data.js';
import { tempDir } from '../../support/temp.js';
import { expectExit, KDF, runJson } from './cli-harness.js';

interface QuickstartDoc {
  home: string;
  created: boolean;
  sampleImport: ImportReport | null;
  health: HealthReport;
  exampleSearch: SearchResult & { query: string };
  next: string[];
}

const SAMPLE_COUNT = readFileSync(join(REPO_ROOT, 'cli', 'samples', 'sample-traces.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim().length > 0).length;

describe('vault-manager quickstart', () => {
  it('creates the vault at the default home, fills it with the samples, and shows around', async () => {
    const home = join(tempDir('vault-cli-quickstart-'), 'default-home');
    const env = { env: { VAULT_MANAGER_HOME: home } };
    const { stdout, stderr } = await expectExit(['quickstart', ...KDF], 0, env);
    assert.ok(existsSync(join(home, 'vault.db')), 'the vault was created under VAULT_MANAGER_HOME');
    assert.match(stderr, /creating one/);
    assert.match(stdout, /^Created a vault in /m);
    assert.match(stdout, new RegExp(`Imported ${SAMPLE_COUNT} trace\\(s\\)`));
    assert.match(stdout, /^  status: +ok$/m);
    assert.match(stdout, /Example search/);
    assert.match(stdout, /blood pressure/i);
    assert.match(stdout, /vault-manager traces list/);

    const again = await runJson<QuickstartDoc>(['quickstart', ...KDF], 0, env);
    assert.equal(again.doc.created, false);
    assert.equal(again.doc.sampleImport, null, 'a vault with traces gets no samples again');
    assert.equal(again.doc.health.traceCount, SAMPLE_COUNT);
    assert.ok(again.doc.exampleSearch.hits.length > 0, 'the example search finds samples');
    assert.ok(again.doc.next.length > 0);
  });

  it('reports the sample import in --json on first run', async () => {
    const home = join(tempDir('vault-cli-quickstart-json-'), 'h');
    const { doc, result } = await runJson<QuickstartDoc>(['quickstart', '--home', home, ...KDF]);
    assert.equal(doc.created, true);
    assert.equal(doc.sampleImport?.stored, SAMPLE_COUNT);
    assert.deepEqual(doc.sampleImport?.rejected, []);
    assert.equal(doc.health.ok, true);
    assert.ok(doc.next.every((command) => command.includes('--home') || command === 'vault-manager --help'));
    assert.doesNotMatch(result.stdout, /^Created/m);
  });
});
