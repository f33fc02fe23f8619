/**
 * The one door to pkcs11js: load a PKCS#11 module, list its slots and tokens, open sessions. Key
 * operations live on the session (pkcs11-session.ts). Every pkcs11js failure leaves this facade as a
 * typed error (pkcs11-errors.ts).
 */
import { ck, CKF_TOKEN_PRESENT, type RawModule, type RawTokenInfo } from './pkcs11-binding.js';
import { Pkcs11Counters, type Pkcs11CallCounts } from './pkcs11-counters.js';
import { Pkcs11Error, returnValueName, toPkcs11Error, TokenNotPresentError } from './pkcs11-errors.js';
import { padTokenLabel, trimTokenLabel } from './pkcs11-labels.js';
import { Pkcs11Session, pinText, type SlotId } from './pkcs11-session.js';

export { Pkcs11Session, type SlotId } from './pkcs11-session.js';
export type {
  CipherMechanism,
  KeyAttributes,
  KeyClass,
  KeyPairHandles,
  KeySearch,
  ObjectHandle,
  RsaPublicKey,
} from './pkcs11-session.js';
export type { KeyOperation, Pkcs11CallCounts } from './pkcs11-counters.js';
export * from './pkcs11-errors.js';
export { findPkcs11Modules, KNOWN_PKCS11_MODULES, type KnownModule } from './pkcs11-modules.js';

/** CK_TOKEN_INFO, with the label trimmed and the flags of PKCS#11 v2.40 §3.2 spelled out. */
export interface TokenInfo {
  label: string;
  manufacturer: string;
  model: string;
  serialNumber: string;
  flags: number;
  initialized: boolean;
  loginRequired: boolean;
  userPinInitialized: boolean;
  userPinCountLow: boolean;
  userPinFinalTry: boolean;
  userPinLocked: boolean;
}

export interface TokenCapabilities {
  aesKeyWrap: boolean;
  rsaOaep: boolean;
  ecdh: boolean;
  ecdsa: boolean;
}

export interface SlotSummary {
  slotId: SlotId;
  description: string;
  /** CKF_TOKEN_PRESENT of CK_SLOT_INFO (§3.2). */
  tokenPresent: boolean;
  /** The token's info, when a token is present and answers. */
  token?: TokenInfo;
}

/**
 * One loaded library. A process may load a library once only: a second C_Initialize answers
 * CKR_CRYPTOKI_ALREADY_INITIALIZED, and C_Finalize would end every other user's sessions (PKCS#11 v2.40
 * §5.4). So loads of the same path share one instance and are counted; the last close finalizes.
 */
interface LoadedLibrary {
  raw: RawModule;
  references: number;
  /** False when someone else in the process had initialized it: then it is theirs to finalize. */
  initializedHere: boolean;
}
const loaded = new Map<string, LoadedLibrary>();

export class Pkcs11Module {
  private closed = false;
  private readonly counters = new Pkcs11Counters();

  private constructor(
    readonly path: string,
    private readonly raw: RawModule,
  ) {}

  /**
   * Loads the module at `path` and initializes it with CKF_OS_LOCKING_OK: the *Async calls run on libuv's
   * thread pool, and without that flag a module may assume one thread (PKCS#11 v2.40 §5.4, CK_C_INITIALIZE_ARGS).
   * SoftHSM reads SOFTHSM2_CONF here, so set it before the first load.
   */
  static load(path: string): Pkcs11Module {
    let library = loaded.get(path);
    if (library === undefined) {
      const raw = new ck.PKCS11();
      let initializedHere = true;
      try {
        raw.load(path);
        raw.C_Initialize({ flags: ck.CKF_OS_LOCKING_OK });
      } catch (error) {
        if (returnValueName(error) === 'CKR_CRYPTOKI_ALREADY_INITIALIZED') initializedHere = false;
        else throw toPkcs11Error(error, 'C_Initialize', `loading the module ${path}`);
      }
      library = { raw, references: 0, initializedHere };
      loaded.set(path, library);
    }
    library.references += 1;
    return new Pkcs11Module(path, library.raw);
  }

  /** Calls to C_Login and key operations made through this handle so far. */
  get callCounts(): Pkcs11CallCounts {
    return this.counters.snapshot();
  }

  /** Slots, with their tokens. `tokenPresent: true` lists only slots holding a token. */
  slots(tokenPresent = true): SlotSummary[] {
    const ids = this.call('C_GetSlotList', () => this.raw.C_GetSlotList(tokenPresent));
    return ids.map((id) => {
      const slotId = id as SlotId;
      const info = this.call('C_GetSlotInfo', () => this.raw.C_GetSlotInfo(slotId));
      const present = (info.flags & CKF_TOKEN_PRESENT) !== 0;
      const summary: SlotSummary = {
        slotId,
        description: trimTokenLabel(info.slotDescription),
        tokenPresent: present,
      };
      if (present) {
        try {
          summary.token = this.tokenInfo(slotId);
        } catch {
          // A token that does not answer is listed without details rather than hiding the other slots.
        }
      }
      return summary;
    });
  }

  /** The slot whose token has this label (compared without padding); undefined when none has. */
  findSlotByTokenLabel(label: string): SlotId | undefined {
    const wanted = trimTokenLabel(label);
    return this.slots(true).find((slot) => slot.token?.initialized && slot.token.label === wanted)?.slotId;
  }

  /**
   * C_GetTokenInfo. For a watchdog: a token that was removed (or deleted) throws TokenNotPresentError.
   * Also how the flags CKF_USER_PIN_COUNT_LOW / FINAL_TRY / LOCKED are read.
   */
  tokenInfo(slotId: SlotId): TokenInfo {
    const info = this.call('C_GetTokenInfo', () => {
      try {
        return this.raw.C_GetTokenInfo(slotId);
      } catch (error) {
        // A token that cannot describe itself is gone, whatever the code: SoftHSM answers
        // CKR_GENERAL_ERROR once the token's directory is deleted, a reader may answer CKR_DEVICE_ERROR.
        const code = returnValueName(error);
        if (code === undefined || code === 'CKR_CRYPTOKI_NOT_INITIALIZED') throw error;
        throw new TokenNotPresentError(code, 'C_GetTokenInfo', { cause: error });
      }
    });
    return describeToken(info);
  }

  /** The mechanisms the token offers (C_GetMechanismList), as CKM_ numbers. */
  mechanisms(slotId: SlotId): number[] {
    return this.call('C_GetMechanismList', () => this.raw.C_GetMechanismList(slotId));
  }

  /** Which of the vault's mechanisms the token offers (C_GetMechanismList). */
  capabilities(slotId: SlotId): TokenCapabilities {
    const offered = new Set(this.mechanisms(slotId));
    return {
      aesKeyWrap: offered.has(ck.CKM_AES_KEY_WRAP) && offered.has(ck.CKM_AES_KEY_GEN),
      rsaOaep: offered.has(ck.CKM_RSA_PKCS_OAEP) && offered.has(ck.CKM_RSA_PKCS_KEY_PAIR_GEN),
      ecdh: offered.has(ck.CKM_ECDH1_DERIVE) && offered.has(ck.CKM_EC_KEY_PAIR_GEN),
      ecdsa: offered.has(ck.CKM_ECDSA),
    };
  }

  /** A read/write session (CKF_SERIAL_SESSION is mandatory, PKCS#11 v2.40 §5.6). */
  openSession(slotId: SlotId): Pkcs11Session {
    const handle = this.call('C_OpenSession', () =>
      this.raw.C_OpenSession(slotId, ck.CKF_SERIAL_SESSION | ck.CKF_RW_SESSION),
    );
    return new Pkcs11Session(this.raw, handle, slotId, this.counters, (id) => this.tokenInfo(id));
  }

  /**
   * C_InitToken: erases the token in `slotId` and gives it a label and SO PIN (PKCS#11 v2.40 §5.6). The
   * label is padded with spaces here. SoftHSM then moves the token to another slot: find it again by label.
   */
  initToken(slotId: SlotId, label: string, soPin: Uint8Array): void {
    const padded = padTokenLabel(label);
    this.call('C_InitToken', () => this.raw.C_InitToken(slotId, pinText(soPin), padded));
  }

  /** Releases this handle; the last handle of a library finalizes it (closing all its sessions). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const library = loaded.get(this.path);
    if (library === undefined) return;
    library.references -= 1;
    if (library.references > 0) return;
    loaded.delete(this.path);
    if (!library.initializedHere) return;
    try {
      library.raw.C_Finalize();
    } catch (error) {
      throw toPkcs11Error(error, 'C_Finalize');
    }
  }

  private call<T>(operation: string, fn: () => T): T {
    if (this.closed) throw new Pkcs11Error('CLOSED', operation, 'The security token module was closed.');
    try {
      return fn();
    } catch (error) {
      throw toPkcs11Error(error, operation);
    }
  }
}

function describeToken(info: RawTokenInfo): TokenInfo {
  const has = (flag: number) => (info.flags & flag) !== 0;
  return {
    label: trimTokenLabel(info.label),
    manufacturer: trimTokenLabel(info.manufacturerID),
    model: trimTokenLabel(info.model),
    serialNumber: trimTokenLabel(info.serialNumber),
    flags: info.flags,
    initialized: has(ck.CKF_TOKEN_INITIALIZED),
    loginRequired: has(ck.CKF_LOGIN_REQUIRED),
    userPinInitialized: has(ck.CKF_USER_PIN_INITIALIZED),
    userPinCountLow: has(ck.CKF_USER_PIN_COUNT_LOW),
    userPinFinalTry: has(ck.CKF_USER_PIN_FINAL_TRY),
    userPinLocked: has(ck.CKF_USER_PIN_LOCKED),
  };
}
