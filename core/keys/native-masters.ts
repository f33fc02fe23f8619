/**
 * The native masters the command line opens itself (it may not import native/ directly): the PKCS#11
 * module loader and its typed errors, and the OS keychain. The engine's providers take these as inputs.
 */
export {
  findPkcs11Modules,
  Pkcs11Error,
  Pkcs11Module,
  PinLockedError,
  TokenNotPresentError,
} from '../../native/pkcs11.js';
export { KeychainUnavailableError, OsKeychain } from '../../native/keytar.js';
