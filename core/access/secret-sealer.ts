import { ErrorCode, VaultError } from '../../common/errors.js';
import { AeadAuthenticationError, GCM_NONCE_BYTES, GCM_TAG_BYTES } from '../crypto/aead.js';
import { nodeAesGcm } from '../crypto/aead-node.js';
import { concatBytes, randomBytes, utf8, wipe } from '../crypto/bytes.js';

/**
 * Seals small secrets kept in plaintext tables (TOTP secrets, break-glass reasons) with AES-256-GCM under
 * the vault's users key. Sealed form: 12-byte random nonce ‖ ciphertext ‖ 16-byte tag. The context is the
 * AAD, so a sealed value moved to another row or column ("totp\0<userId>") no longer opens.
 */
export class SecretSealer {
  private readonly key: Uint8Array;
  private destroyed = false;

  constructor(key: Uint8Array) {
    if (key.length !== 32) {
      throw new VaultError(ErrorCode.BAD_INPUT, `the sealing key must be 32 bytes, got ${key.length}`);
    }
    this.key = Uint8Array.from(key);
  }

  seal(context: string, plaintext: Uint8Array): Uint8Array {
    this.assertUsable();
    // 96-bit random nonces (SP 800-38D §8.2.2): these values are few, far below the 2^32 limit per key.
    const nonce = randomBytes(GCM_NONCE_BYTES);
    return concatBytes(nonce, nodeAesGcm.seal(this.key, nonce, plaintext, utf8(context)));
  }

  /** Throws VaultError INTEGRITY, with no detail, when the bytes were altered or sealed for another context. */
  open(context: string, sealed: Uint8Array): Uint8Array {
    this.assertUsable();
    if (sealed.length < GCM_NONCE_BYTES + GCM_TAG_BYTES) throw integrityError();
    try {
      return nodeAesGcm.open(
        this.key,
        sealed.subarray(0, GCM_NONCE_BYTES),
        sealed.subarray(GCM_NONCE_BYTES),
        utf8(context),
      );
    } catch (error) {
      if (error instanceof AeadAuthenticationError) throw integrityError();
      throw error;
    }
  }

  /** Wipes this sealer's copy of the key (on lock); it cannot be used afterwards. */
  destroy(): void {
    wipe(this.key);
    this.destroyed = true;
  }

  private assertUsable(): void {
    if (this.destroyed) throw new VaultError(ErrorCode.LOCKED, 'the vault is locked');
  }
}

function integrityError(): VaultError {
  return new VaultError(ErrorCode.INTEGRITY, 'a sealed secret did not verify');
}
