import type { SafeStorage } from 'electron';
import { z } from 'zod';
import { ErrorCode, VaultError } from '../common/errors.js';
import { AeadAuthenticationError, GCM_NONCE_BYTES } from '../core/crypto/aead.js';
import { nodeAesGcm } from '../core/crypto/aead-node.js';
import { fromHex, randomBytes, toHex, utf8, wipe } from '../core/crypto/bytes.js';
import type { KeyProvider, ProtectedRootKey, SlotContext, StoredSlot } from '../core/keys/key-provider.js';
import { decodeSlotSecret, encodeSlotSecret, SLOT_SECRET_BYTES } from '../core/keys/slot-secret.js';

/**
 * The part of Electron's `safeStorage` this provider uses. Picked from electron.d.ts, so the real object
 * always fits and a change in Electron's types fails the build here.
 */
export type SafeStoragePort = Pick<
  SafeStorage,
  'isEncryptionAvailable' | 'getSelectedStorageBackend' | 'encryptString' | 'decryptString'
>;

/** safeStorage cannot protect a key here; the message says why and what to do instead. */
export class SafeStorageUnavailableError extends Error {
  override readonly name = 'SafeStorageUnavailableError';
}

export interface SafeStorageProviderOptions {
  label?: string;
  /** The platform safeStorage runs on; its backend is checked on Linux only. */
  platform?: NodeJS.Platform;
}

const ParamsSchema = z.object({
  /** The slot secret as safeStorage encrypted it, base64. Readable only with this user's OS key. */
  sealedSecret: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/),
  nonce: z.string().regex(/^[0-9a-f]{24}$/),
  /** The Linux backend at creation, to explain a later failure (null elsewhere). */
  backend: z.string().nullable(),
});
type SafeStorageParams = z.infer<typeof ParamsSchema>;

/**
 * A slot protected by Electron's safeStorage, the desktop app's OS keychain: a random 256-bit slot
 * secret, encrypted by safeStorage (as base64, since safeStorage works on strings) and stored in the
 * slot's params, seals the root key with AES-256-GCM bound to the vault id. Unlocking is one
 * safeStorage decryption.
 *
 * On Linux without a secret service, safeStorage silently falls back to the 'basic_text' backend, which
 * encrypts with a password hard-coded in Chromium: anyone with the vault file could open such a slot.
 * This provider refuses that backend, and an unavailable encryption, on both protect and recover.
 */
export class SafeStorageKeyProvider implements KeyProvider {
  readonly kind = 'safe-storage';
  readonly label: string;
  private readonly platform: NodeJS.Platform;

  constructor(
    private readonly safeStorage: SafeStoragePort,
    options: SafeStorageProviderOptions = {},
  ) {
    this.label = options.label ?? 'Electron safeStorage';
    this.platform = options.platform ?? process.platform;
  }

  // safeStorage's calls are synchronous. Each method runs inside a promise executor, so a refusal or a
  // wrong secret arrives as a rejection, like every other provider's.
  protectRootKey(rootKey: Uint8Array, context: SlotContext): Promise<ProtectedRootKey> {
    return new Promise((resolve) => resolve(this.protect(rootKey, context)));
  }

  recoverRootKey(slot: StoredSlot, context: SlotContext): Promise<Uint8Array> {
    return new Promise((resolve) => resolve(this.recover(slot, context)));
  }

  private protect(rootKey: Uint8Array, context: SlotContext): ProtectedRootKey {
    const backend = this.assertUsable();
    const secret = randomBytes(SLOT_SECRET_BYTES);
    const nonce = randomBytes(GCM_NONCE_BYTES);
    try {
      const sealed = this.safeStorage.encryptString(encodeSlotSecret(secret));
      const params: SafeStorageParams = {
        sealedSecret: sealed.toString('base64'),
        nonce: toHex(nonce),
        backend,
      };
      const wrappedRoot = nodeAesGcm.seal(secret, nonce, rootKey, slotAad(context));
      return { params, wrappedRoot };
    } finally {
      wipe(secret);
    }
  }

  private recover(slot: StoredSlot, context: SlotContext): Uint8Array {
    const backend = this.assertUsable();
    const parsed = ParamsSchema.safeParse(slot.params);
    if (!parsed.success) {
      throw new VaultError(ErrorCode.INTEGRITY, `key slot ${slot.id} has unreadable safeStorage parameters`);
    }
    const params = parsed.data;
    const secret = this.decryptSecret(slot, params, backend);
    try {
      return nodeAesGcm.open(secret, fromHex(params.nonce), slot.wrappedRoot, slotAad(context));
    } catch (error) {
      if (error instanceof AeadAuthenticationError) {
        throw new VaultError(
          ErrorCode.WRONG_SECRET,
          `the safeStorage secret of key slot ${slot.id} does not open this vault (it was replaced)`,
        );
      }
      throw error;
    } finally {
      wipe(secret);
    }
  }

  /** The one master-key operation of an unlock. */
  private decryptSecret(slot: StoredSlot, params: SafeStorageParams, backend: string | null): Uint8Array {
    let text: string;
    try {
      text = this.safeStorage.decryptString(Buffer.from(params.sealedSecret, 'base64'));
    } catch (error) {
      const changed =
        params.backend !== backend ? ` (created with the ${params.backend} backend, now ${backend})` : '';
      throw new VaultError(
        ErrorCode.WRONG_SECRET,
        `safeStorage cannot decrypt the secret of key slot ${slot.id}${changed}: ` +
          'it was made by another user or machine, or the OS key changed',
        { cause: error },
      );
    }
    const secret = decodeSlotSecret(text);
    if (secret === undefined) {
      throw new VaultError(
        ErrorCode.WRONG_SECRET,
        `the safeStorage secret of key slot ${slot.id} is not a slot secret (it was altered)`,
      );
    }
    return secret;
  }

  /** Refuses what would not protect the key; returns the Linux backend in use (null elsewhere). */
  private assertUsable(): string | null {
    const backend = this.platform === 'linux' ? this.safeStorage.getSelectedStorageBackend() : null;
    if (backend === 'basic_text') {
      throw new SafeStorageUnavailableError(
        "Electron safeStorage uses the 'basic_text' backend, which encrypts with a password hard-coded in " +
          'Chromium: no secret service (gnome-keyring, KWallet) is reachable. Start one, or use a ' +
          'passphrase or token slot',
      );
    }
    if (backend === 'unknown') {
      throw new SafeStorageUnavailableError(
        "Electron safeStorage has not chosen a backend yet: use it after the app's 'ready' event",
      );
    }
    if (!this.safeStorage.isEncryptionAvailable()) {
      throw new SafeStorageUnavailableError(
        'Electron safeStorage cannot encrypt here: no OS key is available (use it after the app is ready, ' +
          'with the OS keychain unlocked), or use a passphrase or token slot',
      );
    }
    return backend;
  }
}

function slotAad(context: SlotContext): Uint8Array {
  return utf8(`vault-manager/key-slot/safe-storage/v1\0${context.vaultId}`);
}
