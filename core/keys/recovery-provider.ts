import { z } from 'zod';
import { ErrorCode, VaultError } from '../../common/errors.js';
import { AeadAuthenticationError, GCM_NONCE_BYTES, GCM_TAG_BYTES } from '../crypto/aead.js';
import { nodeAesGcm } from '../crypto/aead-node.js';
import { fromHex, randomBytes, toHex, utf8, wipe } from '../crypto/bytes.js';
import { hkdfSha256 } from '../crypto/kdf.js';
import type { KeyProvider, ProtectedRootKey, SlotContext, StoredSlot } from './key-provider.js';
import {
  generateRecoveryKey,
  RECOVERY_KEY_BYTES,
  recoveryKeyFromWords,
  recoveryKeyToWords,
} from './recovery-key.js';

const INFO = 'vault-manager/key-slot/recovery/v1';
const ROOT_KEY_BYTES = 32;
const SALT_BYTES = 16;

const ParamsSchema = z.object({
  kdf: z.literal('hkdf-sha256'),
  salt: z.string().regex(/^[0-9a-f]{32}$/),
  nonce: z.string().regex(/^[0-9a-f]{24}$/),
});

/**
 * A recovery slot: HKDF-SHA256(recovery key, salt, info) → a 256-bit key that seals the root key with
 * AES-256-GCM, bound to the vault id. The recovery key is already 256 uniformly random bits, so HKDF
 * (RFC 5869) is enough; a slow KDF would add nothing. The salt (RFC 5869 §3.1) makes each slot's key
 * distinct even where one recovery key protects several vaults.
 */
export class RecoveryKeyProvider implements KeyProvider {
  readonly kind = 'recovery';
  readonly label = 'recovery key';
  private destroyed = false;

  /** Takes ownership of `secret`: destroy() wipes it. */
  private constructor(private readonly secret: Uint8Array) {}

  /**
   * A new recovery key, and the words to show the person once. Nothing else ever shows them again: what is
   * stored is only the sealed root key.
   */
  static generate(): { provider: RecoveryKeyProvider; words: string[] } {
    const secret = generateRecoveryKey();
    return { provider: new RecoveryKeyProvider(secret), words: recoveryKeyToWords(secret) };
  }

  /** The provider for words a person typed; BAD_INPUT says what is wrong with them (see recovery-key.ts). */
  static fromWords(text: string): RecoveryKeyProvider {
    return new RecoveryKeyProvider(recoveryKeyFromWords(text));
  }

  /** Wipes the recovery key from memory; the provider refuses every call afterwards. */
  destroy(): void {
    wipe(this.secret);
    this.destroyed = true;
  }

  protectRootKey(rootKey: Uint8Array, context: SlotContext): Promise<ProtectedRootKey> {
    return settle(() => this.protect(rootKey, context));
  }

  recoverRootKey(slot: StoredSlot, context: SlotContext): Promise<Uint8Array> {
    return settle(() => this.recover(slot, context));
  }

  private protect(rootKey: Uint8Array, context: SlotContext): ProtectedRootKey {
    const salt = randomBytes(SALT_BYTES);
    const nonce = randomBytes(GCM_NONCE_BYTES);
    const slotKey = this.slotKey(salt);
    try {
      const wrappedRoot = nodeAesGcm.seal(slotKey, nonce, rootKey, slotAad(context));
      return { params: { kdf: 'hkdf-sha256', salt: toHex(salt), nonce: toHex(nonce) }, wrappedRoot };
    } finally {
      wipe(slotKey);
    }
  }

  /** One HKDF and one AES-GCM open: the single master-key operation of an unlock. */
  private recover(slot: StoredSlot, context: SlotContext): Uint8Array {
    const parsed = ParamsSchema.safeParse(slot.params);
    if (!parsed.success) {
      throw new VaultError(ErrorCode.INTEGRITY, `key slot ${slot.id} has unreadable recovery parameters`);
    }
    if (slot.wrappedRoot.length !== ROOT_KEY_BYTES + GCM_TAG_BYTES) {
      throw new VaultError(
        ErrorCode.INTEGRITY,
        `key slot ${slot.id} holds a sealed root key of the wrong size`,
      );
    }
    const slotKey = this.slotKey(fromHex(parsed.data.salt));
    try {
      return nodeAesGcm.open(slotKey, fromHex(parsed.data.nonce), slot.wrappedRoot, slotAad(context));
    } catch (error) {
      if (error instanceof AeadAuthenticationError) {
        throw new VaultError(ErrorCode.WRONG_SECRET, 'the recovery key does not open this vault');
      }
      throw error;
    } finally {
      wipe(slotKey);
    }
  }

  private slotKey(salt: Uint8Array): Uint8Array {
    if (this.destroyed || this.secret.length !== RECOVERY_KEY_BYTES) {
      throw new VaultError(ErrorCode.LOCKED, 'this recovery key was wiped from memory');
    }
    return hkdfSha256(this.secret, salt, utf8(INFO), 32);
  }
}

function slotAad(context: SlotContext): Uint8Array {
  return utf8(`${INFO}\0${context.vaultId}`);
}

/** The KeyProvider contract is asynchronous; this provider's work is not, so errors become rejections. */
function settle<T>(body: () => T): Promise<T> {
  try {
    return Promise.resolve(body());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
