/**
 * SoftHSM2 tokens for tests: each test process gets its own token directory, tokens are created through
 * the facade (C_InitToken, C_InitPIN) and deleted from another process with softhsm2-util, as an admin or
 * a pulled card would make them disappear.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import pkcs11js from 'pkcs11js';
import { findPkcs11Modules, Pkcs11Module, type SlotId } from '../../native/pkcs11.js';
import { tempDir } from './temp.js';

export interface TestToken {
  label: string;
  slotId: SlotId;
  userPin: Uint8Array;
  soPin: Uint8Array;
}

export interface SoftHsm {
  /** The facade's handle on libsofthsm2, loaded once the private token directory is configured. */
  module: Pkcs11Module;
  modulePath: string;
  tokenDir: string;
  createToken(label: string, userPin?: string, soPin?: string): TestToken;
  /** Deletes the token from another process; the running module then fails C_GetTokenInfo. */
  deleteToken(label: string): void;
}

export const TEST_USER_PIN = '246810';
export const TEST_SO_PIN = '13579111';

let current: SoftHsm | undefined;

/**
 * The SoftHSM2 of this test process. SOFTHSM2_CONF is read when the module initializes, so the config
 * is written and the variable set before the first load; later calls return the same instance.
 * Call it at the top level of a test file: the token directory and the module are released by `after`
 * hooks of the scope of the first call.
 */
export function softHsm(): SoftHsm {
  if (current) return current;
  const modulePath = findPkcs11Modules().find((m) => m.name === 'SoftHSM2')?.path;
  if (modulePath === undefined) {
    throw new Error('SoftHSM2 is not installed: apt-get install -y softhsm2 (see machine.md)');
  }
  const dir = tempDir('vault-softhsm-');
  const tokenDir = join(dir, 'tokens');
  mkdirSync(tokenDir);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
  );
  process.env.SOFTHSM2_CONF = conf;
  const module = Pkcs11Module.load(modulePath);
  after(() => module.close());

  const instance: SoftHsm = {
    module,
    modulePath,
    tokenDir,
    createToken(label, userPin = TEST_USER_PIN, soPin = TEST_SO_PIN) {
      const free = module.slots(true).find((slot) => slot.token && !slot.token.initialized);
      if (!free) throw new Error('SoftHSM has no free slot');
      const so = utf8(soPin);
      const user = utf8(userPin);
      module.initToken(free.slotId, label, so);
      // SoftHSM moves an initialised token to a new slot id (machine.md): find it again by label.
      const slotId = module.findSlotByTokenLabel(label);
      if (!slotId) throw new Error(`token ${label} not found after C_InitToken`);
      const session = module.openSession(slotId);
      try {
        session.login(so, 'so');
        session.initUserPin(user);
        session.logout();
      } finally {
        session.close();
      }
      return { label, slotId, userPin: user, soPin: so };
    },
    deleteToken(label) {
      execFileSync('softhsm2-util', ['--delete-token', '--token', label], {
        env: { ...process.env, SOFTHSM2_CONF: conf },
        stdio: 'pipe',
      });
    },
  };
  current = instance;
  return instance;
}

export interface ImportedAesKey {
  label: string;
  id: Uint8Array;
  value: Uint8Array;
  /** Whether C_WrapKey may export it (the wrapped key of a wrap test), or only use it (the wrapping key). */
  extractable: boolean;
}

/**
 * TEST-ONLY: puts an AES key of known value on the token, so on-token results can be compared with
 * software. The product never imports key values; the facade has no such method, so this goes to
 * pkcs11js directly, through a second handle on the same library (already initialised by the facade,
 * and never finalised here).
 */
export function importAesKeyForTest(softhsm: SoftHsm, token: TestToken, key: ImportedAesKey): void {
  const raw = new pkcs11js.PKCS11();
  raw.load(softhsm.modulePath);
  try {
    raw.C_Initialize();
  } catch (error) {
    if (!String(error).includes('CKR_CRYPTOKI_ALREADY_INITIALIZED')) throw error;
  }
  const session = raw.C_OpenSession(token.slotId, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  try {
    try {
      raw.C_Login(session, pkcs11js.CKU_USER, new TextDecoder().decode(token.userPin));
    } catch (error) {
      if (!String(error).includes('CKR_USER_ALREADY_LOGGED_IN')) throw error;
    }
    raw.C_CreateObject(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_LABEL, value: key.label },
      { type: pkcs11js.CKA_ID, value: Buffer.from(key.id) },
      { type: pkcs11js.CKA_VALUE, value: Buffer.from(key.value) },
      { type: pkcs11js.CKA_SENSITIVE, value: !key.extractable },
      { type: pkcs11js.CKA_EXTRACTABLE, value: key.extractable },
      { type: pkcs11js.CKA_ENCRYPT, value: true },
      { type: pkcs11js.CKA_DECRYPT, value: true },
      { type: pkcs11js.CKA_WRAP, value: true },
      { type: pkcs11js.CKA_UNWRAP, value: true },
    ]);
  } finally {
    raw.C_CloseSession(session);
  }
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
