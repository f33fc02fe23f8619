import { z } from 'zod';
import { ErrorCode, VaultError } from '../../common/errors.js';
import { AeadAuthenticationError, GCM_NONCE_BYTES } from '../crypto/aead.js';
import { nodeAesGcm } from '../crypto/aead-node.js';
import { fromHex, randomBytes, toHex, utf8, wipe } from '../crypto/bytes.js';
import { scrypt, type ScryptParams } from '../crypto/kdf.js';
import type { KeyProvider, ProtectedRootKey, SlotContext, StoredSlot } from './key-provider.js';

/** OWASP's scrypt floor is N=2^17, r=8, p=1 (128 MiB, about 0.4 s here). */
export const DEFAULT_SCRYPT_COST = 17;
/** Below 2^14 scrypt protects too little to be worth calling a passphrase slot. */
export const MIN_SCRYPT_COST = 14;
/** 2^22 takes 4 GiB: beyond that a workstation cannot unlock. */
export const MAX_SCRYPT_COST = 22;

const ParamsSchema = z.object({
  kdf: z.literal('scrypt'),
  salt: z.string().regex(/^[0-9a-f]{32}$/),
  N: z.number().int().positive(),
  r: z.number().int().positive(),
  p: z.number().int().positive(),
  nonce: z.string().regex(/^[0-9a-f]{24}$/),
});

/**
 * A passphrase slot: scrypt(passphrase, salt) → a 256-bit key that seals the root key with AES-256-GCM,
 * bound to the vault id. The scrypt parameters are stored with the slot, so a later version can raise
 * them (re-protect the root key) without breaking older vaults.
 */
export class PassphraseKeyProvider implements KeyProvider {
  readonly kind = 'passphrase';
  private readonly passphrase: Uint8Array;

  constructor(
    passphrase: string,
    private readonly costLog2: number = DEFAULT_SCRYPT_COST,
    readonly label = 'passphrase',
  ) {
    if (passphrase.length === 0)
      throw new VaultError(ErrorCode.BAD_INPUT, 'the passphrase must not be empty');
    if (!Number.isInteger(costLog2) || costLog2 < MIN_SCRYPT_COST || costLog2 > MAX_SCRYPT_COST) {
      throw new VaultError(
        ErrorCode.BAD_INPUT,
        `scrypt cost must be a whole number from ${MIN_SCRYPT_COST} to ${MAX_SCRYPT_COST}, got ${costLog2}`,
      );
    }
    this.passphrase = utf8(passphrase.normalize('NFC'));
  }

  async protectRootKey(rootKey: Uint8Array, context: SlotContext): Promise<ProtectedRootKey> {
    const salt = randomBytes(16);
    const nonce = randomBytes(GCM_NONCE_BYTES);
    const params: ScryptParams = { N: 2 ** this.costLog2, r: 8, p: 1 };
    const slotKey = await scrypt(this.passphrase, salt, params, 32);
    try {
      const wrappedRoot = nodeAesGcm.seal(slotKey, nonce, rootKey, slotAad(context));
      return { params: { kdf: 'scrypt', salt: toHex(salt), ...params, nonce: toHex(nonce) }, wrappedRoot };
    } finally {
      wipe(slotKey);
    }
  }

  async recoverRootKey(slot: StoredSlot, context: SlotContext): Promise<Uint8Array> {
    const parsed = ParamsSchema.safeParse(slot.params);
    if (!parsed.success) {
      throw new VaultError(ErrorCode.INTEGRITY, `key slot ${slot.id} has unreadable passphrase parameters`);
    }
    const { salt, N, r, p, nonce } = parsed.data;
    const slotKey = await scrypt(this.passphrase, fromHex(salt), { N, r, p }, 32);
    try {
      return nodeAesGcm.open(slotKey, fromHex(nonce), slot.wrappedRoot, slotAad(context));
    } catch (error) {
      if (error instanceof AeadAuthenticationError) {
        throw new VaultError(ErrorCode.WRONG_SECRET, 'the passphrase does not open this vault');
      }
      throw error;
    } finally {
      wipe(slotKey);
    }
  }
}

function slotAad(context: SlotContext): Uint8Array {
  return utf8(`vault-manager/key-slot/passphrase/v1\0${context.vaultId}`);
}
