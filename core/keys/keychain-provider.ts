import { z } from 'zod';
import { ErrorCode, VaultError } from '../../common/errors.js';
import { KeychainUnavailableError, type Keychain } from '../../native/keytar.js';
import { AeadAuthenticationError, GCM_NONCE_BYTES } from '../crypto/aead.js';
import { nodeAesGcm } from '../crypto/aead-node.js';
import { fromHex, randomBytes, toHex, utf8, wipe } from '../crypto/bytes.js';
import type { KeyProvider, ProtectedRootKey, SlotContext, StoredSlot } from './key-provider.js';
import { decodeSlotSecret, encodeSlotSecret, SLOT_SECRET_BYTES } from './slot-secret.js';

/** The keychain service every entry of this program is filed under. */
export const KEYCHAIN_SERVICE = 'vault-manager';

const ParamsSchema = z.object({
  /** Only this program's service: an altered slot must not make it read or delete another app's entry. */
  service: z.literal(KEYCHAIN_SERVICE),
  /** `${vaultId}/${slot tag}`: one entry per slot, so two slots of a vault never share a secret. */
  account: z.string().min(1),
  nonce: z.string().regex(/^[0-9a-f]{24}$/),
});
type KeychainParams = z.infer<typeof ParamsSchema>;

/**
 * An OS keychain slot: a random 256-bit slot secret lives in the keychain (base64, since keychains store
 * strings) and seals the root key with AES-256-GCM, bound to the vault id and the entry's name. The
 * vault file holds only the sealed root key and the entry's name; the keychain holds only the slot
 * secret, never the root key. Unlocking is one keychain read.
 */
export class KeychainKeyProvider implements KeyProvider {
  readonly kind = 'keychain';

  constructor(
    private readonly keychain: Keychain,
    readonly label = 'OS keychain',
  ) {}

  async protectRootKey(rootKey: Uint8Array, context: SlotContext): Promise<ProtectedRootKey> {
    const params: KeychainParams = {
      service: KEYCHAIN_SERVICE,
      account: `${context.vaultId}/${toHex(randomBytes(16))}`,
      nonce: toHex(randomBytes(GCM_NONCE_BYTES)),
    };
    const secret = randomBytes(SLOT_SECRET_BYTES);
    try {
      await available(() =>
        this.keychain.setPassword(params.service, params.account, encodeSlotSecret(secret)),
      );
      const wrappedRoot = nodeAesGcm.seal(secret, fromHex(params.nonce), rootKey, slotAad(context, params));
      return { params, wrappedRoot };
    } finally {
      wipe(secret);
    }
  }

  async recoverRootKey(slot: StoredSlot, context: SlotContext): Promise<Uint8Array> {
    const params = parseParams(slot, context);
    // The one master-key operation of an unlock.
    const stored = await available(() => this.keychain.getPassword(params.service, params.account));
    if (stored === null) {
      throw new VaultError(
        ErrorCode.WRONG_SECRET,
        `the OS keychain entry of key slot ${slot.id} (${params.service} ${params.account}) is missing: ` +
          'the keyring is locked, this is another user, or the entry was deleted',
      );
    }
    const secret = decodeSlotSecret(stored);
    if (secret === undefined) {
      throw new VaultError(
        ErrorCode.WRONG_SECRET,
        `the OS keychain entry of key slot ${slot.id} does not hold a slot secret (it was overwritten)`,
      );
    }
    try {
      return nodeAesGcm.open(secret, fromHex(params.nonce), slot.wrappedRoot, slotAad(context, params));
    } catch (error) {
      if (error instanceof AeadAuthenticationError) {
        throw new VaultError(
          ErrorCode.WRONG_SECRET,
          `the OS keychain entry of key slot ${slot.id} does not open this vault (it was replaced)`,
        );
      }
      throw error;
    } finally {
      wipe(secret);
    }
  }

  /**
   * Deletes the slot's keychain entry, for when the slot is removed. After this the slot can never be
   * opened again. Returns false when the entry was already gone.
   */
  async deleteSecret(slot: StoredSlot, context: SlotContext): Promise<boolean> {
    const params = parseParams(slot, context);
    return available(() => this.keychain.deletePassword(params.service, params.account));
  }
}

function parseParams(slot: StoredSlot, context: SlotContext): KeychainParams {
  const parsed = ParamsSchema.safeParse(slot.params);
  if (!parsed.success) {
    throw new VaultError(ErrorCode.INTEGRITY, `key slot ${slot.id} has unreadable keychain parameters`);
  }
  // An entry name of another vault means the slot row was altered or copied; do not touch that entry.
  if (!parsed.data.account.startsWith(`${context.vaultId}/`)) {
    throw new VaultError(ErrorCode.INTEGRITY, `key slot ${slot.id} names a keychain entry of another vault`);
  }
  return parsed.data;
}

/** Binds the sealed root key to this vault and this entry, so neither can be swapped for another's. */
function slotAad(context: SlotContext, params: KeychainParams): Uint8Array {
  return utf8(`vault-manager/key-slot/keychain/v1\0${context.vaultId}\0${params.service}\0${params.account}`);
}

/** A keychain that cannot be reached is the engine's UNAVAILABLE, with the facade's message. */
async function available<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof KeychainUnavailableError) {
      throw new VaultError(ErrorCode.UNAVAILABLE, error.message, { cause: error });
    }
    throw error;
  }
}
