import { join } from 'node:path';
import { PassphraseKeyProvider } from '../../../core/keys/passphrase-provider.js';
import { Vault, type CreateOptions } from '../../../core/vault/vault.js';
import { TEST_PASSPHRASE, TEST_SCRYPT_COST, tempDir } from '../../support/temp.js';

/** A passphrase provider at the cheap test cost, so unlocking takes milliseconds. */
export function testProvider(passphrase = TEST_PASSPHRASE): PassphraseKeyProvider {
  return new PassphraseKeyProvider(passphrase, TEST_SCRYPT_COST);
}

export interface VaultFixture {
  vault: Vault;
  /** The vault's home directory (holds vault.db). */
  home: string;
  /** A scratch directory beside the home, for import files. */
  dir: string;
}

/** A fresh vault in its own temp directory, removed when the test file finishes. */
export async function newVault(options: CreateOptions = {}): Promise<VaultFixture> {
  const dir = tempDir('vault-engine-');
  const home = join(dir, 'home');
  const vault = await Vault.create(home, testProvider(), options);
  return { vault, home, dir };
}
