import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/** A fresh directory under the system temp dir, removed when the test file finishes. */
export function tempDir(prefix = 'vault-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Low scrypt cost (2^14) so tests unlock in milliseconds; real vaults default to 2^17. */
export const TEST_SCRYPT_COST = 14;
export const TEST_PASSPHRASE = 'correct horse battery staple';
