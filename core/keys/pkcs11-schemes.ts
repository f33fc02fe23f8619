/**
 * The three ways a token key protects the root key (design.md §3). Each `recover` costs exactly one token
 * operation; everything else happens in software.
 *   aes-kw    HSMs with AES: the root key wrapped on the token with CKM_AES_KEY_WRAP (RFC 3394).
 *   rsa-oaep  smartcards (PIV): OAEP-encrypted in software to the token's public key; one C_Decrypt.
 *   ecdh      smartcards (PIV): ephemeral-static ECDH (NIST SP 800-56A §6.2.2.2, "One-Pass Diffie-Hellman"),
 *             HKDF-SHA256 (RFC 5869) to a 256-bit key, AES key wrap in software; one C_DeriveKey.
 */
import { constants, createECDH, createPublicKey, publicEncrypt } from 'node:crypto';
import type { ObjectHandle, Pkcs11Session } from '../../native/pkcs11.js';
import { concatBytes, fromHex, toHex, utf8, wipe } from '../crypto/bytes.js';
import { hkdfSha256 } from '../crypto/kdf.js';
import { unwrapKey, wrapKey } from '../crypto/key-wrap.js';

export type Pkcs11Scheme = 'aes-kw' | 'rsa-oaep' | 'ecdh';
export type OaepHash = 'sha1' | 'sha256';

/** AES-KW on the token: wrap the 32-byte root key under the token's AES key. */
export function protectAesKw(
  session: Pkcs11Session,
  key: ObjectHandle,
  root: Uint8Array,
): Promise<Uint8Array> {
  return session.wrapSecretValue({ kind: 'aes-key-wrap' }, key, root);
}

export function recoverAesKw(
  session: Pkcs11Session,
  key: ObjectHandle,
  wrapped: Uint8Array,
): Promise<Uint8Array> {
  return session.unwrapSecretValue({ kind: 'aes-key-wrap' }, key, wrapped);
}

/**
 * OAEP in software with the public key read from the token (RFC 8017 §7.1). SHA-1 is the default: it is
 * what SoftHSM and many PIV middlewares offer, and OAEP's security does not rest on SHA-1's collision
 * resistance. The hash is stored with the slot.
 */
export function protectRsaOaep(
  session: Pkcs11Session,
  publicKey: ObjectHandle,
  root: Uint8Array,
  hash: OaepHash,
): Uint8Array {
  const { modulus, publicExponent } = session.rsaPublicKey(publicKey);
  const key = createPublicKey({
    key: { kty: 'RSA', n: base64url(modulus), e: base64url(publicExponent) },
    format: 'jwk',
  });
  return new Uint8Array(
    publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, root),
  );
}

export function recoverRsaOaep(
  session: Pkcs11Session,
  privateKey: ObjectHandle,
  wrapped: Uint8Array,
  hash: OaepHash,
): Promise<Uint8Array> {
  return session.decrypt({ kind: 'rsa-oaep', hash }, privateKey, wrapped);
}

export interface EcdhSlot {
  wrapped: Uint8Array;
  /** The ephemeral public point (hex), stored with the slot: the token needs it to derive again. */
  ephemeralPoint: string;
  /** The token key's public point (hex), bound into the KDF so a slot names the key it was made for. */
  tokenPoint: string;
}

/** Ephemeral P-256 key in software, ECDH with the token's public point, HKDF, AES-KW of the root key. */
export function protectEcdh(tokenPoint: Uint8Array, root: Uint8Array, vaultId: string): EcdhSlot {
  const ephemeral = createECDH('prime256v1');
  const ephemeralPoint = new Uint8Array(ephemeral.generateKeys());
  const shared = new Uint8Array(ephemeral.computeSecret(tokenPoint));
  // The ephemeral private key lives in the ECDH object, which node cannot wipe; overwrite it with a fresh one.
  ephemeral.generateKeys();
  const kek = ecdhKek(shared, ephemeralPoint, tokenPoint, vaultId);
  try {
    return {
      wrapped: wrapKey(kek, root),
      ephemeralPoint: toHex(ephemeralPoint),
      tokenPoint: toHex(tokenPoint),
    };
  } finally {
    wipe(shared, kek);
  }
}

export async function recoverEcdh(
  session: Pkcs11Session,
  privateKey: ObjectHandle,
  slot: EcdhSlot,
  vaultId: string,
): Promise<Uint8Array> {
  const ephemeralPoint = fromHex(slot.ephemeralPoint);
  const shared = await session.deriveEcdhSecret(privateKey, ephemeralPoint);
  const kek = ecdhKek(shared, ephemeralPoint, fromHex(slot.tokenPoint), vaultId);
  try {
    return unwrapKey(kek, slot.wrapped);
  } finally {
    wipe(shared, kek);
  }
}

/**
 * HKDF-SHA256 of the shared secret Z. Both public points and the vault id go into `info`, as the OtherInfo
 * of NIST SP 800-56A §5.8.1 would: the key is bound to this exchange and this vault.
 */
function ecdhKek(
  shared: Uint8Array,
  ephemeralPoint: Uint8Array,
  tokenPoint: Uint8Array,
  vaultId: string,
): Uint8Array {
  const info = concatBytes(
    utf8(`vault-manager/key-slot/pkcs11-ecdh/v1\0${vaultId}\0`),
    ephemeralPoint,
    tokenPoint,
  );
  return hkdfSha256(shared, new Uint8Array(0), info, 32);
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
