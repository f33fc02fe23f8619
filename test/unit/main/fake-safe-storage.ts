import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SafeStoragePort } from '../../../main/safe-storage-provider.js';

type Backend = ReturnType<SafeStoragePort['getSelectedStorageBackend']>;

/**
 * A fake of Electron's safeStorage. It is a fake because the Electron binary cannot run on the machines
 * these tests run on; it behaves as safeStorage does on Linux: encryptString gives 'v11' ‖ AES-GCM under
 * a key of this "user" (one instance), decryptString throws on anything that key did not encrypt, and the
 * backend and availability are whatever the test sets. It counts decryptions, the slot's one key operation.
 */
export class FakeSafeStorage implements SafeStoragePort {
  backend: Backend = 'gnome_libsecret';
  available = true;
  decryptions = 0;
  /** Every plaintext handed to encryptString, so a test can see what reached the OS keystore. */
  readonly encrypted: string[] = [];
  private readonly osKey = randomBytes(32);

  isEncryptionAvailable(): boolean {
    return this.available;
  }

  getSelectedStorageBackend(): Backend {
    return this.backend;
  }

  encryptString(plainText: string): Buffer {
    if (!this.available)
      throw new Error(
        'Error while encrypting the text provided to safeStorage.encryptString. Encryption is not available.',
      );
    this.encrypted.push(plainText);
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.osKey, nonce);
    const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from('v11'), nonce, body, cipher.getAuthTag()]);
  }

  decryptString(encrypted: Buffer): string {
    this.decryptions += 1;
    try {
      if (encrypted.subarray(0, 3).toString() !== 'v11') throw new Error('unknown version');
      const nonce = encrypted.subarray(3, 15);
      const tag = encrypted.subarray(encrypted.length - 16);
      const decipher = createDecipheriv('aes-256-gcm', this.osKey, nonce);
      decipher.setAuthTag(tag);
      return Buffer.concat([
        decipher.update(encrypted.subarray(15, encrypted.length - 16)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    }
  }
}
