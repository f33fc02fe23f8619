/** Where PKCS#11 modules are usually installed, so a user can pick one instead of typing a path. */
import { existsSync } from 'node:fs';

export interface KnownModule {
  name: string;
  path: string;
}

/** Debian/Ubuntu paths (x86_64 multiarch, and the non-multiarch SoftHSM2 link). */
export const KNOWN_PKCS11_MODULES: readonly KnownModule[] = [
  { name: 'SoftHSM2', path: '/usr/lib/softhsm/libsofthsm2.so' },
  { name: 'SoftHSM2', path: '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so' },
  { name: 'OpenSC', path: '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so' },
  { name: 'YubiKey PIV (ykcs11)', path: '/usr/lib/x86_64-linux-gnu/libykcs11.so' },
];

/** The known modules that exist on this machine, in the order above. */
export function findPkcs11Modules(candidates: readonly KnownModule[] = KNOWN_PKCS11_MODULES): KnownModule[] {
  return candidates.filter((candidate) => existsSync(candidate.path));
}
