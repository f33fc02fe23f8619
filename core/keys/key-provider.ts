/**
 * A master-key provider protects the vault's root key in one key slot (design.md §3). Adapters: the
 * passphrase provider here; PKCS#11 tokens and the OS keychain over native/ facades.
 *
 * Unlocking costs exactly one master-key operation (`recoverRootKey`), whatever the vault's size: the
 * root key unwraps every KEK version in software.
 */
import type { DeviceKey } from './device-key.js';

export interface SlotContext {
  /** The vault the slot belongs to; bound into the slot's ciphertext. */
  vaultId: string;
}

export interface ProtectedRootKey {
  /** Provider parameters stored with the slot (salt and cost, token URI, …). Never secret. */
  params: Record<string, unknown>;
  wrappedRoot: Uint8Array;
}

export interface StoredSlot {
  id: number;
  kind: string;
  label: string;
  params: Record<string, unknown>;
  wrappedRoot: Uint8Array;
}

export interface KeyProvider {
  /** The slot kind this provider creates and opens: 'passphrase', 'pkcs11', 'keychain', … */
  readonly kind: string;
  /** A label for the slot it creates, shown by `keys slots list`. */
  readonly label: string;
  protectRootKey(rootKey: Uint8Array, context: SlotContext): Promise<ProtectedRootKey>;
  /** Throws VaultError WRONG_SECRET when this provider's secret does not open the slot. */
  recoverRootKey(slot: StoredSlot, context: SlotContext): Promise<Uint8Array>;
  /**
   * For masters that can go away while the vault is open (a token pulled out): call `onLost` at once when
   * that happens. Returns a function that stops watching.
   */
  watch?(slot: StoredSlot, onLost: () => void): () => void;
  /**
   * For masters that can hold the device key themselves (a token that generates and signs with EC P-256):
   * the device key, made on the master when `create` and absent; undefined when it cannot hold one.
   */
  deviceKey?(create: boolean): Promise<HeldDeviceKey | undefined>;
}

/** A device key held by a master, with the name it is found by again (a PKCS#11 URI). */
export interface HeldDeviceKey {
  key: DeviceKey;
  uri: string;
}
