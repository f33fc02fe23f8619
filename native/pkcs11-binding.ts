/**
 * The one import of pkcs11js. It is CommonJS and fills `module.exports` by spreading its native addon, so
 * Node's ESM loader cannot see named exports: take the default export and re-export what the facade uses.
 * Only files of the PKCS#11 facade import this; everything else sees typed methods and errors.
 */
import pkcs11js, { type ECDH1, type RsaOAEP } from 'pkcs11js';

/** The PKCS#11 constants (CKA_*, CKM_*, CKR_*, CKF_*) and the module class. */
export const ck = pkcs11js;
export type RawModule = InstanceType<typeof pkcs11js.PKCS11>;
export type RawTemplate = Parameters<RawModule['C_FindObjectsInit']>[1];
export type RawMechanism = Parameters<RawModule['C_EncryptInit']>[1];
export type { ECDH1, RsaOAEP };
export type RawTokenInfo = ReturnType<RawModule['C_GetTokenInfo']>;

/** CKZ_DATA_SPECIFIED (PKCS#11 v2.40 §2.1.8, OAEP source); pkcs11js does not export it. */
export const CKZ_DATA_SPECIFIED = 1;

/** CKF_TOKEN_PRESENT of CK_SLOT_INFO.flags (PKCS#11 v2.40 §3.2); missing from pkcs11js's typings. */
export const CKF_TOKEN_PRESENT = 1;
