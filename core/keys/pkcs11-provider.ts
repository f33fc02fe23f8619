import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ErrorCode, VaultError } from '../../common/errors.js';
import {
  Pkcs11Error,
  TokenNotPresentError,
  WrongPinError,
  type KeyAttributes,
  type ObjectHandle,
  type Pkcs11Module,
  type Pkcs11Session,
} from '../../native/pkcs11.js';
import { KeyUnwrapError } from '../crypto/key-wrap.js';
import { utf8, wipe } from '../crypto/bytes.js';
import type { DeviceKey } from './device-key.js';
import type {
  HeldDeviceKey,
  KeyProvider,
  ProtectedRootKey,
  SlotContext,
  StoredSlot,
} from './key-provider.js';
import { formatPkcs11Uri, parsePkcs11Uri, type Pkcs11Uri } from './pkcs11-uri.js';
import {
  protectAesKw,
  protectEcdh,
  protectRsaOaep,
  recoverAesKw,
  recoverEcdh,
  recoverRsaOaep,
  type OaepHash,
  type Pkcs11Scheme,
} from './pkcs11-schemes.js';

export type { Pkcs11Scheme } from './pkcs11-schemes.js';

export interface Pkcs11ProviderOptions {
  /** The loaded module (the composition root loads it once and closes it on exit). */
  module: Pkcs11Module;
  /** The master key: `pkcs11:token=…;object=…` (RFC 7512), optionally with `id=`. */
  keyUri: string;
  /** The user PIN. Held in memory only, wiped by `dispose()`; never written to the slot or a log. */
  pin: string;
  /** How the root key is protected; by default from the key found, or else what the token offers. */
  scheme?: Pkcs11Scheme;
  /** OAEP hash for 'rsa-oaep' (SoftHSM: SHA-1 only). */
  oaepHash?: OaepHash;
  /** Generate the key on the token when the URI names none (when a vault is created). */
  createKey?: boolean;
  label?: string;
}

const ParamsSchema = z.discriminatedUnion('scheme', [
  z.object({ version: z.literal(1), uri: z.string(), scheme: z.literal('aes-kw') }),
  z.object({
    version: z.literal(1),
    uri: z.string(),
    scheme: z.literal('rsa-oaep'),
    hash: z.enum(['sha1', 'sha256']),
  }),
  z.object({
    version: z.literal(1),
    uri: z.string(),
    scheme: z.literal('ecdh'),
    ephemeralPoint: z.string().regex(/^04[0-9a-f]{128}$/),
    tokenPoint: z.string().regex(/^04[0-9a-f]{128}$/),
  }),
]);

/** The CKA_LABEL of the device key pair on a token. */
export const DEVICE_KEY_LABEL = 'vault-manager-device';

/** How often the watchdog asks the token whether it is still there: 4 times inside the 1 s promise. */
export const WATCH_INTERVAL_MS = 250;

const KEY_TYPE: Record<Pkcs11Scheme, KeyAttributes['keyType']> = {
  'aes-kw': 'aes',
  'rsa-oaep': 'rsa',
  ecdh: 'ec',
};

/**
 * A key slot opened by a key on a PKCS#11 token (design.md §3). Unlocking costs one C_Login and exactly
 * one key operation on the token (an unwrap, a decrypt or a derive); the counts are visible on the module.
 */
export class Pkcs11KeyProvider implements KeyProvider {
  readonly kind = 'pkcs11';
  readonly label: string;
  private readonly module: Pkcs11Module;
  private readonly uri: Pkcs11Uri;
  private readonly pin: Uint8Array;

  constructor(private readonly options: Pkcs11ProviderOptions) {
    this.module = options.module;
    this.uri = parsePkcs11Uri(options.keyUri);
    if (this.uri.token === undefined || this.uri.object === undefined) {
      throw new VaultError(
        ErrorCode.BAD_INPUT,
        'the key URI must name a token and an object (token=…;object=…)',
      );
    }
    if (options.pin.length === 0) throw new VaultError(ErrorCode.BAD_INPUT, 'the PIN must not be empty');
    this.pin = utf8(options.pin);
    this.label = options.label ?? `pkcs11 ${this.uri.token}/${this.uri.object}`;
  }

  /** Wipes the PIN held by this provider; it cannot unlock afterwards. */
  dispose(): void {
    wipe(this.pin);
  }

  async protectRootKey(rootKey: Uint8Array, context: SlotContext): Promise<ProtectedRootKey> {
    return this.withSession(this.uri, async (session) => {
      const found = await this.findOrCreateKey(session);
      const uri = formatPkcs11Uri({ token: this.uri.token, object: this.uri.object, id: found.id });
      switch (found.scheme) {
        case 'aes-kw':
          return {
            params: { version: 1, uri, scheme: 'aes-kw' },
            wrappedRoot: await protectAesKw(session, found.key, rootKey),
          };
        case 'rsa-oaep': {
          const hash = this.options.oaepHash ?? 'sha1';
          const publicKey = this.publicKeyOf(session, found.id);
          return {
            params: { version: 1, uri, scheme: 'rsa-oaep', hash },
            wrappedRoot: protectRsaOaep(session, publicKey, rootKey, hash),
          };
        }
        case 'ecdh': {
          const tokenPoint = session.ecPublicPoint(this.publicKeyOf(session, found.id));
          const slot = protectEcdh(tokenPoint, rootKey, context.vaultId);
          return {
            params: {
              version: 1,
              uri,
              scheme: 'ecdh',
              ephemeralPoint: slot.ephemeralPoint,
              tokenPoint: slot.tokenPoint,
            },
            wrappedRoot: slot.wrapped,
          };
        }
      }
    });
  }

  /**
   * The watchdog: C_GetTokenInfo on the slot's token every WATCH_INTERVAL_MS. A token pulled out (or
   * deleted, or a reader gone) fails it, and `onLost` is called once, well within the one second promised.
   */
  watch(slot: StoredSlot, onLost: () => void): () => void {
    const parsed = ParamsSchema.safeParse(slot.params);
    const label = parsed.success ? parsePkcs11Uri(parsed.data.uri).token : undefined;
    const slotId = label === undefined ? undefined : this.module.findSlotByTokenLabel(label);
    const timer = setInterval(() => {
      try {
        if (slotId === undefined) throw new TokenNotPresentError('CKR_TOKEN_NOT_PRESENT', 'C_GetTokenInfo');
        this.module.tokenInfo(slotId);
      } catch {
        clearInterval(timer);
        onLost();
      }
    }, WATCH_INTERVAL_MS);
    // The watchdog alone never keeps a process alive.
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * The device key on this provider's token (design.md §3): an EC P-256 key pair labelled
   * DEVICE_KEY_LABEL, made on first use when the token can generate and sign with one. Each signature opens
   * a session and logs in once with the PIN this provider holds; the private key never leaves the token.
   */
  async deviceKey(create: boolean): Promise<HeldDeviceKey | undefined> {
    const uri: Pkcs11Uri = { token: this.uri.token, object: DEVICE_KEY_LABEL };
    return this.withSession(uri, async (session) => {
      const capabilities = this.module.capabilities(session.slotId);
      const found = session.findKeys({ class: 'private', label: DEVICE_KEY_LABEL });
      let privateKey = found[0];
      if (found.length > 1) {
        throw new VaultError(
          ErrorCode.BAD_INPUT,
          `the token holds ${found.length} keys labelled ${DEVICE_KEY_LABEL}`,
        );
      }
      let id: Uint8Array;
      if (privateKey === undefined) {
        if (!create || !capabilities.ecdsa || !capabilities.ecdh) return undefined;
        id = new Uint8Array(randomBytes(16));
        privateKey = (await session.generateEcKeyPair({ label: DEVICE_KEY_LABEL, id })).privateKey;
      } else {
        id = session.keyAttributes(privateKey).id;
      }
      checkSealed(session.keyAttributes(privateKey), 'ecdh');
      const [publicKey] = session.findKeys({ class: 'public', label: DEVICE_KEY_LABEL, id });
      if (publicKey === undefined)
        throw new VaultError(ErrorCode.BAD_INPUT, 'the device key has no public key on the token');
      const publicPoint = session.ecPublicPoint(publicKey);
      const key: DeviceKey = {
        kind: 'token',
        publicPoint,
        sign: (message) => this.signWithDeviceKey(uri, id, message),
      };
      return { key, uri: formatPkcs11Uri({ ...uri, id }) };
    });
  }

  private signWithDeviceKey(uri: Pkcs11Uri, id: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
    return this.withSession(uri, async (session) => {
      const [privateKey] = session.findKeys({ class: 'private', label: DEVICE_KEY_LABEL, id });
      if (privateKey === undefined) {
        throw new VaultError(ErrorCode.UNAVAILABLE, 'the device key is not on this token any more');
      }
      const digest = new Uint8Array(createHash('sha256').update(message).digest());
      return session.signEcdsaDigest(privateKey, digest);
    });
  }

  async recoverRootKey(slot: StoredSlot, context: SlotContext): Promise<Uint8Array> {
    const parsed = ParamsSchema.safeParse(slot.params);
    if (!parsed.success) {
      throw new VaultError(ErrorCode.INTEGRITY, `key slot ${slot.id} has unreadable PKCS#11 parameters`);
    }
    const params = parsed.data;
    const uri = parsePkcs11Uri(params.uri);
    if (uri.token !== this.uri.token || uri.object !== this.uri.object) {
      throw new VaultError(ErrorCode.WRONG_SECRET, `key slot ${slot.id} belongs to another token key`);
    }
    return this.withSession(uri, async (session) => {
      const key = this.sealedKey(session, uri, params.scheme);
      try {
        let root: Uint8Array;
        switch (params.scheme) {
          case 'aes-kw':
            root = await recoverAesKw(session, key, slot.wrappedRoot);
            break;
          case 'rsa-oaep':
            root = await recoverRsaOaep(session, key, slot.wrappedRoot, params.hash);
            break;
          case 'ecdh':
            root = await recoverEcdh(
              session,
              key,
              {
                wrapped: slot.wrappedRoot,
                ephemeralPoint: params.ephemeralPoint,
                tokenPoint: params.tokenPoint,
              },
              context.vaultId,
            );
            break;
        }
        if (root.length !== 32) {
          wipe(root);
          throw new VaultError(ErrorCode.WRONG_SECRET, 'the token key does not open this vault');
        }
        return root;
      } catch (error) {
        // A wrong key (or an altered slot) fails the unwrap: on the token (SoftHSM says only
        // CKR_GENERAL_ERROR, a card CKR_ENCRYPTED_DATA_INVALID…) or in software (RFC 3394 §2.2.3).
        if (error instanceof KeyUnwrapError || (error instanceof Pkcs11Error && isDecryptFailure(error))) {
          throw new VaultError(ErrorCode.WRONG_SECRET, 'the token key does not open this vault', {
            cause: error,
          });
        }
        throw error;
      }
    });
  }

  /** Opens a session on the URI's token, logs in once, runs `work`, then logs out and closes. */
  private async withSession<T>(uri: Pkcs11Uri, work: (session: Pkcs11Session) => Promise<T>): Promise<T> {
    try {
      return await this.inSession(uri, work);
    } catch (error) {
      // A missing or pulled token is not a wrong secret: callers tell the user to insert it.
      if (error instanceof TokenNotPresentError) {
        throw new VaultError(ErrorCode.UNAVAILABLE, error.message, { cause: error });
      }
      throw error;
    }
  }

  private async inSession<T>(uri: Pkcs11Uri, work: (session: Pkcs11Session) => Promise<T>): Promise<T> {
    const slotId = this.module.findSlotByTokenLabel(uri.token ?? '');
    if (slotId === undefined) throw new TokenNotPresentError('CKR_TOKEN_NOT_PRESENT', 'C_GetSlotList');
    const session = this.module.openSession(slotId);
    let loggedIn = false;
    try {
      try {
        session.login(this.pin);
        loggedIn = true;
      } catch (error) {
        if (error instanceof WrongPinError) {
          throw new VaultError(ErrorCode.WRONG_SECRET, error.message, { cause: error });
        }
        throw error;
      }
      return await work(session);
    } finally {
      try {
        if (loggedIn) session.logout();
      } finally {
        session.close();
      }
    }
  }

  /** The key named by the URI, or a new one when allowed; refused unless sealed (see `checkSealed`). */
  private async findOrCreateKey(
    session: Pkcs11Session,
  ): Promise<{ key: ObjectHandle; id: Uint8Array; scheme: Pkcs11Scheme }> {
    const existing = [
      ...session.findKeys({
        class: 'secret',
        label: this.uri.object,
        ...(this.uri.id ? { id: this.uri.id } : {}),
      }),
      ...session.findKeys({
        class: 'private',
        label: this.uri.object,
        ...(this.uri.id ? { id: this.uri.id } : {}),
      }),
    ];
    if (existing.length > 1) {
      throw new VaultError(
        ErrorCode.BAD_INPUT,
        `the key URI matches ${existing.length} keys; add id= to choose one`,
      );
    }
    if (existing.length === 1) {
      const attributes = session.keyAttributes(existing[0]!);
      const scheme = schemeOf(attributes);
      if (this.options.scheme !== undefined && this.options.scheme !== scheme) {
        throw new VaultError(
          ErrorCode.BAD_INPUT,
          `the key on the token is ${attributes.keyType}, not for ${this.options.scheme}`,
        );
      }
      checkSealed(attributes, scheme);
      return { key: existing[0]!, id: attributes.id, scheme };
    }
    if (!this.options.createKey) {
      throw new VaultError(ErrorCode.NOT_FOUND, `no key ${formatPkcs11Uri(this.uri)} on the token`);
    }
    const scheme = this.options.scheme ?? this.offeredScheme(session);
    const name = { label: this.uri.object!, id: this.uri.id ?? new Uint8Array(randomBytes(16)) };
    const key =
      scheme === 'aes-kw'
        ? await session.generateAesKey(name)
        : scheme === 'rsa-oaep'
          ? (await session.generateRsaKeyPair(name)).privateKey
          : (await session.generateEcKeyPair(name)).privateKey;
    checkSealed(session.keyAttributes(key), scheme);
    return { key, id: name.id, scheme };
  }

  /** AES key wrap where the token has it (HSMs), else ECDH, else RSA-OAEP (PIV cards have no AES). */
  private offeredScheme(session: Pkcs11Session): Pkcs11Scheme {
    const offered = this.module.capabilities(session.slotId);
    if (offered.aesKeyWrap) return 'aes-kw';
    if (offered.ecdh) return 'ecdh';
    if (offered.rsaOaep) return 'rsa-oaep';
    throw new VaultError(ErrorCode.BAD_INPUT, 'the token offers none of AES key wrap, ECDH or RSA-OAEP');
  }

  private sealedKey(session: Pkcs11Session, uri: Pkcs11Uri, scheme: Pkcs11Scheme): ObjectHandle {
    const found = session.findKeys({
      class: scheme === 'aes-kw' ? 'secret' : 'private',
      label: uri.object!,
      ...(uri.id ? { id: uri.id } : {}),
    });
    if (found.length !== 1) {
      throw new VaultError(ErrorCode.WRONG_SECRET, `the token holds no single key ${formatPkcs11Uri(uri)}`);
    }
    checkSealed(session.keyAttributes(found[0]!), scheme);
    return found[0]!;
  }

  private publicKeyOf(session: Pkcs11Session, id: Uint8Array): ObjectHandle {
    const [publicKey, ...more] = session.findKeys({ class: 'public', label: this.uri.object!, id });
    if (publicKey === undefined || more.length > 0) {
      throw new VaultError(
        ErrorCode.BAD_INPUT,
        `the token has no single public key for ${formatPkcs11Uri(this.uri)}`,
      );
    }
    return publicKey;
  }
}

function schemeOf(attributes: KeyAttributes): Pkcs11Scheme {
  if (attributes.keyType === 'aes') return 'aes-kw';
  if (attributes.keyType === 'rsa') return 'rsa-oaep';
  if (attributes.keyType === 'ec') return 'ecdh';
  throw new VaultError(ErrorCode.BAD_INPUT, `a ${attributes.keyType} key cannot protect a vault`);
}

/**
 * A master key must be a token object that is sensitive and never extractable, and has always been so
 * (PKCS#11 v2.40 §4.9: CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE): otherwise a copy may exist off the token.
 */
export function checkSealed(attributes: KeyAttributes, scheme: Pkcs11Scheme): void {
  const problems: string[] = [];
  if (attributes.keyType !== KEY_TYPE[scheme])
    problems.push(`it is ${attributes.keyType}, not ${KEY_TYPE[scheme]}`);
  if (!attributes.token) problems.push('it is not stored on the token');
  if (attributes.sensitive !== true) problems.push('it is not sensitive');
  if (attributes.extractable !== false) problems.push('it can be extracted');
  if (attributes.alwaysSensitive !== true) problems.push('it was not always sensitive');
  if (attributes.neverExtractable !== true) problems.push('it was once extractable');
  if (problems.length > 0) {
    throw new VaultError(
      ErrorCode.BAD_INPUT,
      `refusing the token key "${attributes.label}": ${problems.join('; ')}`,
    );
  }
}

function isDecryptFailure(error: Pkcs11Error): boolean {
  return [
    'CKR_GENERAL_ERROR',
    'CKR_ENCRYPTED_DATA_INVALID',
    'CKR_ENCRYPTED_DATA_LEN_RANGE',
    'CKR_WRAPPED_KEY_INVALID',
    'CKR_WRAPPED_KEY_LEN_RANGE',
    'CKR_DATA_INVALID',
  ].includes(error.code);
}
