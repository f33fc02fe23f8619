/**
 * One PKCS#11 session: login, key generation, object search and attributes, and the key operations the
 * vault needs. Key operations use pkcs11js's *Async calls, which run on libuv's thread pool, so a slow
 * USB token does not stall the event loop.
 *
 * Secret bytes (PINs, unwrapped or derived keys) cross this facade as Uint8Arrays; the Buffers handed to
 * pkcs11js are this file's own copies and are wiped once the call returns.
 */
import {
  ck,
  CKZ_DATA_SPECIFIED,
  type ECDH1,
  type RsaOAEP,
  type RawMechanism,
  type RawModule,
  type RawTemplate,
} from './pkcs11-binding.js';
import type { KeyOperation, Pkcs11Counters } from './pkcs11-counters.js';
import {
  Pkcs11Error,
  returnValueName,
  toPkcs11Error,
  WrongPinError,
  type PinTriesLeft,
} from './pkcs11-errors.js';

declare const slotBrand: unique symbol;
declare const objectBrand: unique symbol;
/** A slot id as the module returned it (CK_SLOT_ID); opaque. */
export type SlotId = Buffer & { readonly [slotBrand]: true };
/** An object handle (CK_OBJECT_HANDLE), valid in the session that found or made it; opaque. */
export type ObjectHandle = Buffer & { readonly [objectBrand]: true };

export type KeyClass = 'secret' | 'private' | 'public';
export type KeyType = 'aes' | 'rsa' | 'ec' | 'generic-secret' | 'other';

export interface KeyPairHandles {
  publicKey: ObjectHandle;
  privateKey: ObjectHandle;
}

export interface NewKeyOptions {
  /** CKA_LABEL: the `object=` of the key's PKCS#11 URI (RFC 7512 §2.3). */
  label: string;
  /** CKA_ID: the `id=` of the URI; pairs a private key with its public key. */
  id: Uint8Array;
}

export interface KeySearch {
  class?: KeyClass;
  label?: string;
  id?: Uint8Array;
}

/** The attributes that decide whether a key may be trusted with the root key (PKCS#11 v2.40 §4.7–4.9). */
export interface KeyAttributes {
  class: KeyClass | 'other';
  keyType: KeyType;
  label: string;
  id: Uint8Array;
  /** CKA_TOKEN: stored on the token, not a session object. */
  token: boolean;
  /** The next four apply to secret and private keys only; undefined for public keys. */
  sensitive?: boolean;
  extractable?: boolean;
  alwaysSensitive?: boolean;
  neverExtractable?: boolean;
}

export interface RsaPublicKey {
  modulus: Uint8Array;
  publicExponent: Uint8Array;
}

/**
 * Mechanisms for encrypt, decrypt, wrap and unwrap. AES key wrap is RFC 3394 (CKM_AES_KEY_WRAP) or RFC 5649
 * (CKM_AES_KEY_WRAP_PAD; SoftHSM's padded wrap of odd lengths is not RFC 5649, so keep keys at 32 bytes).
 * RSA-OAEP takes the hash for both OAEP and MGF1 (PKCS#11 v2.40 §2.1.8); SoftHSM supports SHA-1 only.
 */
export type CipherMechanism =
  { kind: 'aes-key-wrap' } | { kind: 'aes-key-wrap-pad' } | { kind: 'rsa-oaep'; hash: 'sha1' | 'sha256' };

/** The PIN flags a session needs after a refused C_Login. */
export type PinFlagReader = (slotId: SlotId) => { userPinCountLow: boolean; userPinFinalTry: boolean };

/** DER OID of NIST P-256 (prime256v1, 1.2.840.10045.3.1.7), the CKA_EC_PARAMS of §2.3.3. */
const P256_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');
const P256_POINT_BYTES = 65;

export class Pkcs11Session {
  private open = true;

  constructor(
    private readonly raw: RawModule,
    private readonly handle: Buffer,
    readonly slotId: SlotId,
    private readonly counters: Pkcs11Counters,
    private readonly readPinFlags: PinFlagReader,
  ) {}

  /**
   * Exactly one C_Login, never retried: each refused PIN spends one of the card's tries. A refused PIN
   * throws WrongPinError with the tries left as the token reports them afterwards. The PIN appears in no
   * error. Logging in is per application and token (PKCS#11 v2.40 §5.6): every session of this process on
   * the token shares it until logout or the last session closes.
   */
  login(pin: Uint8Array, user: 'user' | 'so' = 'user'): void {
    this.assertOpen('C_Login');
    this.counters.countLogin();
    try {
      this.raw.C_Login(this.handle, user === 'so' ? ck.CKU_SO : ck.CKU_USER, pinText(pin));
    } catch (error) {
      const code = returnValueName(error);
      if (code === 'CKR_PIN_INCORRECT' || code === 'CKR_PIN_LEN_RANGE') {
        throw new WrongPinError(code, this.triesLeft());
      }
      throw toPkcs11Error(error, 'C_Login', 'a login');
    }
  }

  logout(): void {
    this.call('C_Logout', () => this.raw.C_Logout(this.handle));
  }

  /** C_InitPIN: sets the user PIN; the session must be logged in as SO (PKCS#11 v2.40 §5.6). */
  initUserPin(pin: Uint8Array): void {
    this.call('C_InitPIN', () => this.raw.C_InitPIN(this.handle, pinText(pin)));
  }

  /** Closes the session; closing the last one logs the application out (§5.6). */
  close(): void {
    if (!this.open) return;
    this.open = false;
    try {
      this.raw.C_CloseSession(this.handle);
    } catch (error) {
      throw toPkcs11Error(error, 'C_CloseSession');
    }
  }

  /** A non-extractable AES-256 token key for wrapping (CKM_AES_KEY_GEN, §2.11). */
  async generateAesKey(options: NewKeyOptions): Promise<ObjectHandle> {
    const template: RawTemplate = [
      { type: ck.CKA_CLASS, value: ck.CKO_SECRET_KEY },
      { type: ck.CKA_KEY_TYPE, value: ck.CKK_AES },
      { type: ck.CKA_VALUE_LEN, value: 32 },
      ...this.namedTokenObject(options),
      ...sealedKeyAttributes(),
      { type: ck.CKA_ENCRYPT, value: true },
      { type: ck.CKA_DECRYPT, value: true },
      { type: ck.CKA_WRAP, value: true },
      { type: ck.CKA_UNWRAP, value: true },
    ];
    const handle = await this.callAsync('C_GenerateKey', 'AES-256 key generation', () =>
      this.raw.C_GenerateKeyAsync(this.handle, { mechanism: ck.CKM_AES_KEY_GEN }, template),
    );
    return handle as ObjectHandle;
  }

  /** An RSA key pair, exponent 65537 (CKM_RSA_PKCS_KEY_PAIR_GEN, §2.1.4); the private key never leaves. */
  async generateRsaKeyPair(options: NewKeyOptions, modulusBits = 2048): Promise<KeyPairHandles> {
    const publicTemplate: RawTemplate = [
      { type: ck.CKA_CLASS, value: ck.CKO_PUBLIC_KEY },
      { type: ck.CKA_KEY_TYPE, value: ck.CKK_RSA },
      ...this.namedTokenObject(options, false),
      { type: ck.CKA_MODULUS_BITS, value: modulusBits },
      { type: ck.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
      { type: ck.CKA_ENCRYPT, value: true },
      { type: ck.CKA_VERIFY, value: true },
      { type: ck.CKA_WRAP, value: true },
    ];
    const privateTemplate: RawTemplate = [
      { type: ck.CKA_CLASS, value: ck.CKO_PRIVATE_KEY },
      { type: ck.CKA_KEY_TYPE, value: ck.CKK_RSA },
      ...this.namedTokenObject(options),
      ...sealedKeyAttributes(),
      { type: ck.CKA_DECRYPT, value: true },
      { type: ck.CKA_SIGN, value: true },
      { type: ck.CKA_UNWRAP, value: true },
    ];
    return this.generateKeyPair(
      ck.CKM_RSA_PKCS_KEY_PAIR_GEN,
      'RSA key generation',
      publicTemplate,
      privateTemplate,
    );
  }

  /** An EC P-256 key pair (CKM_EC_KEY_PAIR_GEN, §2.3.5) for ECDH and ECDSA. */
  async generateEcKeyPair(options: NewKeyOptions): Promise<KeyPairHandles> {
    const publicTemplate: RawTemplate = [
      { type: ck.CKA_CLASS, value: ck.CKO_PUBLIC_KEY },
      { type: ck.CKA_KEY_TYPE, value: ck.CKK_EC },
      ...this.namedTokenObject(options, false),
      { type: ck.CKA_EC_PARAMS, value: P256_PARAMS },
      { type: ck.CKA_VERIFY, value: true },
    ];
    const privateTemplate: RawTemplate = [
      { type: ck.CKA_CLASS, value: ck.CKO_PRIVATE_KEY },
      { type: ck.CKA_KEY_TYPE, value: ck.CKK_EC },
      ...this.namedTokenObject(options),
      ...sealedKeyAttributes(),
      { type: ck.CKA_DERIVE, value: true },
      { type: ck.CKA_SIGN, value: true },
    ];
    return this.generateKeyPair(
      ck.CKM_EC_KEY_PAIR_GEN,
      'EC P-256 key generation',
      publicTemplate,
      privateTemplate,
    );
  }

  /** Objects matching every given attribute (C_FindObjectsInit / C_FindObjects / C_FindObjectsFinal). */
  findKeys(search: KeySearch): ObjectHandle[] {
    const template: RawTemplate = [];
    if (search.class !== undefined) template.push({ type: ck.CKA_CLASS, value: classNumber(search.class) });
    if (search.label !== undefined) template.push({ type: ck.CKA_LABEL, value: search.label });
    if (search.id !== undefined) template.push({ type: ck.CKA_ID, value: Buffer.from(search.id) });
    return this.call('C_FindObjects', () => {
      this.raw.C_FindObjectsInit(this.handle, template);
      try {
        const found: Buffer[] = [];
        for (;;) {
          const batch = this.raw.C_FindObjects(this.handle, 32);
          found.push(...batch);
          if (batch.length < 32) return found as ObjectHandle[];
        }
      } finally {
        this.raw.C_FindObjectsFinal(this.handle);
      }
    });
  }

  keyAttributes(key: ObjectHandle): KeyAttributes {
    const common = this.attributes(key, [
      ck.CKA_CLASS,
      ck.CKA_KEY_TYPE,
      ck.CKA_LABEL,
      ck.CKA_ID,
      ck.CKA_TOKEN,
    ]);
    const keyClass = classOf(readUlong(common[0]!));
    const attributes: KeyAttributes = {
      class: keyClass,
      keyType: keyTypeOf(readUlong(common[1]!)),
      label: common[2]!.toString('utf8'),
      id: new Uint8Array(common[3]!),
      token: readBool(common[4]!),
    };
    if (keyClass === 'secret' || keyClass === 'private') {
      const [sensitive, extractable, alwaysSensitive, neverExtractable] = this.attributes(key, [
        ck.CKA_SENSITIVE,
        ck.CKA_EXTRACTABLE,
        ck.CKA_ALWAYS_SENSITIVE,
        ck.CKA_NEVER_EXTRACTABLE,
      ]);
      attributes.sensitive = readBool(sensitive!);
      attributes.extractable = readBool(extractable!);
      attributes.alwaysSensitive = readBool(alwaysSensitive!);
      attributes.neverExtractable = readBool(neverExtractable!);
    }
    return attributes;
  }

  /** CKA_MODULUS and CKA_PUBLIC_EXPONENT of an RSA public key (§2.1.2), big-endian. */
  rsaPublicKey(publicKey: ObjectHandle): RsaPublicKey {
    const [modulus, publicExponent] = this.attributes(publicKey, [ck.CKA_MODULUS, ck.CKA_PUBLIC_EXPONENT]);
    return { modulus: new Uint8Array(modulus!), publicExponent: new Uint8Array(publicExponent!) };
  }

  /**
   * The uncompressed point (04 ‖ X ‖ Y, SEC 1 §2.3.3) of a P-256 public key. CKA_EC_POINT is a DER OCTET
   * STRING holding the point (PKCS#11 v2.40 §2.3.3); some modules store the bare point, so both are read.
   */
  ecPublicPoint(publicKey: ObjectHandle): Uint8Array {
    const [value] = this.attributes(publicKey, [ck.CKA_EC_POINT]);
    return bareEcPoint(value!);
  }

  async encrypt(mechanism: CipherMechanism, key: ObjectHandle, data: Uint8Array): Promise<Uint8Array> {
    return this.cipher('encrypt', 'C_Encrypt', mechanism, key, data);
  }

  /** Decrypts on the token; the result may be key material, so the caller wipes it. */
  async decrypt(mechanism: CipherMechanism, key: ObjectHandle, data: Uint8Array): Promise<Uint8Array> {
    return this.cipher('decrypt', 'C_Decrypt', mechanism, key, data);
  }

  /** C_WrapKey: `key` encrypted under `wrappingKey`; `key` must be extractable. */
  async wrapKey(
    mechanism: CipherMechanism,
    wrappingKey: ObjectHandle,
    key: ObjectHandle,
  ): Promise<Uint8Array> {
    this.assertOpen('C_WrapKey');
    this.counters.countOperation('wrap');
    const output = Buffer.alloc(1024);
    const wrapped = await this.callAsync('C_WrapKey', describe(mechanism), () =>
      this.raw.C_WrapKeyAsync(this.handle, rawMechanism(mechanism), wrappingKey, key, output),
    );
    return new Uint8Array(wrapped);
  }

  /**
   * C_UnwrapKey into a secret session object that stays on the token, sensitive and not extractable.
   * The caller destroys it when done.
   */
  async unwrapKey(
    mechanism: CipherMechanism,
    unwrappingKey: ObjectHandle,
    wrapped: Uint8Array,
    keyType: 'aes' | 'generic-secret' = 'generic-secret',
  ): Promise<ObjectHandle> {
    return this.unwrapToSessionObject(mechanism, unwrappingKey, wrapped, keyType, false);
  }

  /**
   * Wraps secret bytes held in memory under a token key. C_WrapKey wraps objects only, and SoftHSM offers
   * CKM_AES_KEY_WRAP for C_WrapKey but not for C_Encrypt, so the bytes become a short-lived session object
   * (CKA_TOKEN false: never stored on the token), are wrapped, and the object is destroyed.
   */
  async wrapSecretValue(
    mechanism: CipherMechanism,
    wrappingKey: ObjectHandle,
    value: Uint8Array,
  ): Promise<Uint8Array> {
    const valueBuffer = Buffer.alloc(value.length);
    valueBuffer.set(value);
    const secret = this.call('C_CreateObject', () =>
      this.raw.C_CreateObject(this.handle, [
        { type: ck.CKA_CLASS, value: ck.CKO_SECRET_KEY },
        { type: ck.CKA_KEY_TYPE, value: ck.CKK_GENERIC_SECRET },
        { type: ck.CKA_TOKEN, value: false },
        { type: ck.CKA_SENSITIVE, value: false },
        { type: ck.CKA_EXTRACTABLE, value: true },
        { type: ck.CKA_VALUE, value: valueBuffer },
      ]),
    ) as ObjectHandle;
    valueBuffer.fill(0);
    try {
      return await this.wrapKey(mechanism, wrappingKey, secret);
    } finally {
      this.destroyObject(secret);
    }
  }

  /**
   * The inverse of `wrapSecretValue`, in one C_UnwrapKey: the bytes come back as an extractable session
   * object whose CKA_VALUE is read and which is then destroyed. The caller wipes the result.
   */
  async unwrapSecretValue(
    mechanism: CipherMechanism,
    unwrappingKey: ObjectHandle,
    wrapped: Uint8Array,
  ): Promise<Uint8Array> {
    const secret = await this.unwrapToSessionObject(
      mechanism,
      unwrappingKey,
      wrapped,
      'generic-secret',
      true,
    );
    try {
      const [value] = this.attributes(secret, [ck.CKA_VALUE]);
      const bytes = new Uint8Array(value!);
      value!.fill(0);
      return bytes;
    } finally {
      this.destroyObject(secret);
    }
  }

  private async unwrapToSessionObject(
    mechanism: CipherMechanism,
    unwrappingKey: ObjectHandle,
    wrapped: Uint8Array,
    keyType: 'aes' | 'generic-secret',
    extractable: boolean,
  ): Promise<ObjectHandle> {
    this.assertOpen('C_UnwrapKey');
    this.counters.countOperation('unwrap');
    const template: RawTemplate = [
      { type: ck.CKA_CLASS, value: ck.CKO_SECRET_KEY },
      { type: ck.CKA_KEY_TYPE, value: keyType === 'aes' ? ck.CKK_AES : ck.CKK_GENERIC_SECRET },
      { type: ck.CKA_TOKEN, value: false },
      { type: ck.CKA_SENSITIVE, value: !extractable },
      { type: ck.CKA_EXTRACTABLE, value: extractable },
    ];
    const handle = await this.callAsync('C_UnwrapKey', describe(mechanism), () =>
      this.raw.C_UnwrapKeyAsync(
        this.handle,
        rawMechanism(mechanism),
        unwrappingKey,
        Buffer.from(wrapped),
        template,
      ),
    );
    return handle as ObjectHandle;
  }

  /**
   * ECDH (CKM_ECDH1_DERIVE with CKD_NULL, PKCS#11 v2.40 §2.3.14; NIST SP 800-56A §5.7.1.2): the shared
   * secret Z, the X coordinate of d·Q, as `length` bytes. The token can only hand a derived key over as an
   * object, so it derives an extractable, non-sensitive session object, reads CKA_VALUE and destroys it.
   */
  async deriveEcdhSecret(privateKey: ObjectHandle, peerPoint: Uint8Array, length = 32): Promise<Uint8Array> {
    this.assertOpen('C_DeriveKey');
    if (peerPoint.length !== P256_POINT_BYTES || peerPoint[0] !== 0x04) {
      throw new RangeError('the peer public key must be an uncompressed P-256 point (65 bytes, 04 ‖ X ‖ Y)');
    }
    this.counters.countOperation('derive');
    const template: RawTemplate = [
      { type: ck.CKA_CLASS, value: ck.CKO_SECRET_KEY },
      { type: ck.CKA_KEY_TYPE, value: ck.CKK_GENERIC_SECRET },
      { type: ck.CKA_VALUE_LEN, value: length },
      { type: ck.CKA_TOKEN, value: false },
      { type: ck.CKA_SENSITIVE, value: false },
      { type: ck.CKA_EXTRACTABLE, value: true },
    ];
    const parameter: ECDH1 = {
      type: ck.CK_PARAMS_EC_DH,
      kdf: ck.CKD_NULL,
      publicData: Buffer.from(peerPoint),
    };
    const mechanism: RawMechanism = { mechanism: ck.CKM_ECDH1_DERIVE, parameter };
    const derived = await this.callAsync('C_DeriveKey', 'ECDH key agreement', () =>
      this.raw.C_DeriveKeyAsync(this.handle, mechanism, privateKey, template),
    );
    try {
      const [value] = this.attributes(derived as ObjectHandle, [ck.CKA_VALUE]);
      const secret = new Uint8Array(value!);
      value!.fill(0);
      return secret;
    } finally {
      this.destroyObject(derived as ObjectHandle);
    }
  }

  /** CKM_ECDSA over a SHA-256 digest computed by the caller (§2.3.6): the raw r ‖ s, 64 bytes for P-256. */
  async signEcdsaDigest(privateKey: ObjectHandle, digest: Uint8Array): Promise<Uint8Array> {
    this.assertOpen('C_Sign');
    if (digest.length !== 32)
      throw new RangeError('an ECDSA P-256 signature is over a 32-byte SHA-256 digest');
    this.counters.countOperation('sign');
    const signature = await this.callAsync('C_Sign', 'ECDSA signing', () => {
      this.raw.C_SignInit(this.handle, { mechanism: ck.CKM_ECDSA }, privateKey);
      return this.raw.C_SignAsync(this.handle, Buffer.from(digest), Buffer.alloc(256));
    });
    return new Uint8Array(signature);
  }

  destroyObject(object: ObjectHandle): void {
    this.call('C_DestroyObject', () => this.raw.C_DestroyObject(this.handle, object));
  }

  private async cipher(
    operation: KeyOperation,
    name: 'C_Encrypt' | 'C_Decrypt',
    mechanism: CipherMechanism,
    key: ObjectHandle,
    data: Uint8Array,
  ): Promise<Uint8Array> {
    this.assertOpen(name);
    this.counters.countOperation(operation);
    const input = Buffer.alloc(data.length);
    input.set(data);
    // RSA output is at most the modulus (512 bytes up to RSA-4096); AES key wrap adds 8–15 bytes.
    const output = Buffer.alloc(Math.max(data.length + 16, 512));
    try {
      const result = await this.callAsync(name, describe(mechanism), () => {
        if (name === 'C_Encrypt') {
          this.raw.C_EncryptInit(this.handle, rawMechanism(mechanism), key);
          return this.raw.C_EncryptAsync(this.handle, input, output);
        }
        this.raw.C_DecryptInit(this.handle, rawMechanism(mechanism), key);
        return this.raw.C_DecryptAsync(this.handle, input, output);
      });
      return new Uint8Array(result);
    } finally {
      input.fill(0);
      output.fill(0);
    }
  }

  private async generateKeyPair(
    mechanism: number,
    what: string,
    publicTemplate: RawTemplate,
    privateTemplate: RawTemplate,
  ): Promise<KeyPairHandles> {
    const pair = await this.callAsync('C_GenerateKeyPair', what, () =>
      this.raw.C_GenerateKeyPairAsync(this.handle, { mechanism }, publicTemplate, privateTemplate),
    );
    return { publicKey: pair.publicKey as ObjectHandle, privateKey: pair.privateKey as ObjectHandle };
  }

  private namedTokenObject(options: NewKeyOptions, isPrivate = true): RawTemplate {
    return [
      { type: ck.CKA_TOKEN, value: true },
      { type: ck.CKA_PRIVATE, value: isPrivate },
      { type: ck.CKA_LABEL, value: options.label },
      { type: ck.CKA_ID, value: Buffer.from(options.id) },
    ];
  }

  private attributes(object: ObjectHandle, types: number[]): Buffer[] {
    const result = this.call('C_GetAttributeValue', () =>
      this.raw.C_GetAttributeValue(
        this.handle,
        object,
        types.map((type) => ({ type })),
      ),
    );
    return result.map((attribute) => attribute.value);
  }

  private triesLeft(): PinTriesLeft {
    try {
      const flags = this.readPinFlags(this.slotId);
      if (flags.userPinFinalTry) return 'final';
      if (flags.userPinCountLow) return 'low';
      return 'unknown';
    } catch {
      return 'unknown';
    }
  }

  private call<T>(operation: string, fn: () => T): T {
    this.assertOpen(operation);
    try {
      return fn();
    } catch (error) {
      throw toPkcs11Error(error, operation);
    }
  }

  private async callAsync<T>(operation: string, what: string, fn: () => Promise<T>): Promise<T> {
    this.assertOpen(operation);
    try {
      return await fn();
    } catch (error) {
      throw toPkcs11Error(error, operation, what);
    }
  }

  private assertOpen(operation: string): void {
    if (!this.open) throw new Pkcs11Error('CLOSED', operation, 'The security token session was closed.');
  }
}

/**
 * pkcs11js takes a PIN only as a JavaScript string, which cannot be wiped; it is made here, at the last
 * moment, and referenced nowhere else.
 */
export function pinText(pin: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(pin);
}

/** Sensitive, never extractable (§4.9): CKA_ALWAYS_SENSITIVE and CKA_NEVER_EXTRACTABLE follow from these. */
function sealedKeyAttributes(): RawTemplate {
  return [
    { type: ck.CKA_SENSITIVE, value: true },
    { type: ck.CKA_EXTRACTABLE, value: false },
  ];
}

function rawMechanism(mechanism: CipherMechanism): RawMechanism {
  switch (mechanism.kind) {
    case 'aes-key-wrap':
      return { mechanism: ck.CKM_AES_KEY_WRAP };
    case 'aes-key-wrap-pad':
      return { mechanism: ck.CKM_AES_KEY_WRAP_PAD };
    case 'rsa-oaep': {
      const sha1 = mechanism.hash === 'sha1';
      const parameter: RsaOAEP = {
        type: ck.CK_PARAMS_RSA_OAEP,
        hashAlg: sha1 ? ck.CKM_SHA_1 : ck.CKM_SHA256,
        mgf: sha1 ? ck.CKG_MGF1_SHA1 : ck.CKG_MGF1_SHA256,
        source: CKZ_DATA_SPECIFIED,
      };
      return { mechanism: ck.CKM_RSA_PKCS_OAEP, parameter };
    }
  }
}

function describe(mechanism: CipherMechanism): string {
  switch (mechanism.kind) {
    case 'aes-key-wrap':
      return 'AES key wrap';
    case 'aes-key-wrap-pad':
      return 'AES key wrap with padding';
    case 'rsa-oaep':
      return `RSA-OAEP with ${mechanism.hash.toUpperCase()}`;
  }
}

function classNumber(keyClass: KeyClass): number {
  return { secret: ck.CKO_SECRET_KEY, private: ck.CKO_PRIVATE_KEY, public: ck.CKO_PUBLIC_KEY }[keyClass];
}

function classOf(value: number): KeyClass | 'other' {
  if (value === ck.CKO_SECRET_KEY) return 'secret';
  if (value === ck.CKO_PRIVATE_KEY) return 'private';
  if (value === ck.CKO_PUBLIC_KEY) return 'public';
  return 'other';
}

function keyTypeOf(value: number): KeyType {
  if (value === ck.CKK_AES) return 'aes';
  if (value === ck.CKK_RSA) return 'rsa';
  if (value === ck.CKK_EC) return 'ec';
  if (value === ck.CKK_GENERIC_SECRET) return 'generic-secret';
  return 'other';
}

/** CK_BBOOL is one byte (§3.1). */
function readBool(value: Buffer): boolean {
  return value.length > 0 && value[0] !== 0;
}

/** CK_ULONG in the platform's size and byte order (§3.1): 8 bytes little-endian on x86_64 Linux. */
function readUlong(value: Buffer): number {
  if (value.length === 8) return Number(value.readBigUInt64LE(0));
  if (value.length === 4) return value.readUInt32LE(0);
  throw new Pkcs11Error(
    'CKR_ATTRIBUTE_VALUE_INVALID',
    'C_GetAttributeValue',
    `unexpected CK_ULONG of ${value.length} bytes`,
  );
}

function bareEcPoint(value: Buffer): Uint8Array {
  // DER OCTET STRING: 04, length 0x41, then the 65-byte point.
  if (value.length === P256_POINT_BYTES + 2 && value[0] === 0x04 && value[1] === P256_POINT_BYTES) {
    return new Uint8Array(value.subarray(2));
  }
  if (value.length === P256_POINT_BYTES && value[0] === 0x04) return new Uint8Array(value);
  throw new Pkcs11Error(
    'CKR_ATTRIBUTE_VALUE_INVALID',
    'C_GetAttributeValue',
    'the EC public key is not an uncompressed P-256 point',
  );
}
