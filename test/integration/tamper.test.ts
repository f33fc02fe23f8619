import assert from 'node:assert/strict';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ErrorCode, VaultError } from '../../common/errors.js';
import { databasePath } from '../../core/vault/home.js';
import { Vault } from '../../core/vault/vault.js';
import { PassphraseKeyProvider } from '../../core/keys/passphrase-provider.js';
import { TraceFactory } from '../support/synthetic-traces.js';
import { TEST_PASSPHRASE, TEST_SCRYPT_COST, tempDir } from '../support/temp.js';

/**
 * Someone with the disk edits the database behind the vault's back. Every edit of a ciphertext, of the
 * columns bound into its AAD, or of a wrapped key must make `get` refuse with an error that carries no
 * plaintext, never return altered or foreign content.
 */
const CANARY = {
  alpha: 'CANARY-alpha-7d41c09e',
  beta: 'CANARY-beta-2f86a3b5',
  gamma: 'CANARY-gamma-94e0d7c1',
} as const;
type Name = keyof typeof CANARY;
const ID: Record<Name, string> = { alpha: 'trace-alpha', beta: 'trace-beta', gamma: 'trace-gamma' };

interface SealedColumns {
  id: string;
  key_ref: Uint8Array;
  key_version: number;
  format_version: number;
  nonce: Uint8Array;
  body: Uint8Array;
}

const provider = () => new PassphraseKeyProvider(TEST_PASSPHRASE, TEST_SCRYPT_COST);

/**
 * A closed vault holding three small traces: alpha and beta under one user's key, gamma under a data
 * subject's key. Small bodies keep flipping every bit fast.
 */
async function seededVault(): Promise<string> {
  const home = join(tempDir('vault-tamper-'), 'vault');
  const vault = await Vault.create(home, provider());
  const factory = new TraceFactory(7);
  vault.put([
    factory.trace({ id: ID.alpha, bytes: 300, users: 1, extra: CANARY.alpha }),
    factory.trace({ id: ID.beta, bytes: 300, users: 1, extra: CANARY.beta }),
    factory.trace({ id: ID.gamma, bytes: 300, users: 1, subjects: 1, extra: CANARY.gamma }),
  ]);
  vault.close();
  return home;
}

/** The attacker's connection: plain better-sqlite3, no engine, foreign keys off. */
function openRaw(home: string): Database.Database {
  const db = new Database(databasePath(home));
  db.pragma('foreign_keys = OFF');
  // Thousands of one-row edits follow; durability of the attacker's writes does not matter here.
  db.pragma('synchronous = OFF');
  return db;
}

function sealedRow(db: Database.Database, id: string): SealedColumns {
  const row = db
    .prepare('SELECT id, key_ref, key_version, format_version, nonce, body FROM traces WHERE id = ?')
    .get(id) as SealedColumns | undefined;
  assert.ok(row, `no stored row for ${id}`);
  return row;
}

/** Everything an error shows when logged: message, stack, own properties and causes. */
function errorText(error: unknown): string {
  return inspect(error, { depth: 10 });
}

/**
 * `get(id)` must throw a VaultError with `code` and return nothing. Failure messages name what was done,
 * never the trace (assert.equal would print a returned trace).
 */
function expectRefused(vault: Vault, id: string, code: ErrorCode, what: string): void {
  let returned: unknown;
  let caught: unknown;
  try {
    returned = vault.get(id);
  } catch (error) {
    caught = error;
  }
  assert.ok(returned === undefined, `${what}: get(${id}) returned a trace instead of refusing`);
  const text = errorText(caught);
  for (const canary of Object.values(CANARY)) {
    assert.ok(!text.includes(canary), `${what}: the error about ${id} carries trace content`);
  }
  assert.ok(
    caught instanceof VaultError,
    `${what}: get(${id}) threw ${caught instanceof Error ? caught.name : String(caught)}, not a VaultError`,
  );
  assert.equal(caught.code, code, `${what}: get(${id}) failed with ${caught.code}, not ${code}`);
}

function expectReadable(vault: Vault, name: Name, what: string): void {
  const trace = vault.get(ID[name]);
  assert.ok(JSON.stringify(trace).includes(CANARY[name]), `${what}: ${ID[name]} did not read back intact`);
}

function flipBit(data: Uint8Array, bit: number): Uint8Array {
  // A copy: better-sqlite3 returns Buffers, whose slice() would share (and flip) the original bytes.
  const out = Uint8Array.from(data);
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

describe('tampering with the database behind the vault', () => {
  it('refuses a ciphertext copied into another row, and keeps the source readable', async () => {
    const home = await seededVault();
    const db = openRaw(home);
    const alpha = sealedRow(db, ID.alpha);
    const gamma = sealedRow(db, ID.gamma);
    const move = db.prepare('UPDATE traces SET nonce = ?, body = ? WHERE id = ?');
    // Same data key owner (alpha → beta) and a different one (gamma → alpha).
    move.run(alpha.nonce, alpha.body, ID.beta);
    move.run(gamma.nonce, gamma.body, ID.alpha);
    db.close();

    const vault = await Vault.open(home, provider());
    try {
      expectRefused(vault, ID.beta, ErrorCode.INTEGRITY, "alpha's nonce and body in beta's row");
      expectRefused(vault, ID.alpha, ErrorCode.INTEGRITY, "gamma's nonce and body in alpha's row");
      expectReadable(vault, 'gamma', 'the untouched source row');
    } finally {
      vault.close();
    }
  });

  it('refuses a whole row of sealed columns copied under another id', async () => {
    const home = await seededVault();
    const db = openRaw(home);
    const alpha = sealedRow(db, ID.alpha);
    db.prepare(
      `UPDATE traces SET key_ref = ?, key_version = ?, format_version = ?, nonce = ?, body = ? WHERE id = ?`,
    ).run(alpha.key_ref, alpha.key_version, alpha.format_version, alpha.nonce, alpha.body, ID.gamma);
    db.close();

    const vault = await Vault.open(home, provider());
    try {
      expectRefused(vault, ID.gamma, ErrorCode.INTEGRITY, "alpha's sealed columns under gamma's id");
      expectReadable(vault, 'alpha', 'the untouched source row');
    } finally {
      vault.close();
    }
  });

  it('refuses every single flipped bit of a stored body and of its nonce', async () => {
    const home = await seededVault();
    const db = openRaw(home);
    const original = sealedRow(db, ID.alpha);
    const setBody = db.prepare('UPDATE traces SET body = ? WHERE id = ?');
    const setNonce = db.prepare('UPDATE traces SET nonce = ? WHERE id = ?');
    const vault = await Vault.open(home, provider());
    const started = performance.now();
    let flips = 0;
    try {
      expectReadable(vault, 'alpha', 'before any flip');
      // The vault stays open: each edit commits on the attacker's connection and the next read sees it.
      for (let bit = 0; bit < original.body.length * 8; bit++) {
        setBody.run(flipBit(original.body, bit), ID.alpha);
        expectRefused(vault, ID.alpha, ErrorCode.INTEGRITY, `body bit ${bit} flipped`);
        flips++;
      }
      setBody.run(original.body, ID.alpha);
      for (let bit = 0; bit < original.nonce.length * 8; bit++) {
        setNonce.run(flipBit(original.nonce, bit), ID.alpha);
        expectRefused(vault, ID.alpha, ErrorCode.INTEGRITY, `nonce bit ${bit} flipped`);
        flips++;
      }
      setNonce.run(original.nonce, ID.alpha);
      // Restored bytes read again: the refusals came from the flips, not from a broken row or connection.
      expectReadable(vault, 'alpha', 'after restoring the original bytes');
    } finally {
      vault.close();
      db.close();
    }
    const expected = (original.body.length + original.nonce.length) * 8;
    assert.equal(flips, expected, `tested ${flips} flips, expected every one of ${expected} bits`);
    console.log(
      `tamper: ${flips} single-bit flips (${original.body.length * 8} body bits, ${original.nonce.length * 8} ` +
        `nonce bits), every one refused with INTEGRITY, in ${Math.round(performance.now() - started)} ms`,
    );
  });

  it('refuses a body or nonce of another length as an integrity failure', async () => {
    const home = await seededVault();
    const db = openRaw(home);
    const original = sealedRow(db, ID.alpha);
    const setBody = db.prepare('UPDATE traces SET body = ? WHERE id = ?');
    const setNonce = db.prepare('UPDATE traces SET nonce = ? WHERE id = ?');
    const vault = await Vault.open(home, provider());
    const failures: string[] = [];
    // Every length is tried, so one run names every one that slips through.
    const attemptRefusal = (what: string) => {
      try {
        expectRefused(vault, ID.alpha, ErrorCode.INTEGRITY, what);
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    };
    try {
      const bodies: [string, Uint8Array][] = [
        ['an empty body', new Uint8Array(0)],
        ['a body shorter than a tag', original.body.subarray(0, 15)],
        ['a body missing its last byte', original.body.subarray(0, original.body.length - 1)],
        ['a body with a byte appended', Uint8Array.from([...original.body, 0])],
      ];
      for (const [what, body] of bodies) {
        setBody.run(body, ID.alpha);
        attemptRefusal(what);
      }
      setBody.run(original.body, ID.alpha);
      const nonces: [string, Uint8Array][] = [
        ['an empty nonce', new Uint8Array(0)],
        ['a 4-byte nonce', original.nonce.subarray(0, 4)],
        ['an 11-byte nonce', original.nonce.subarray(0, 11)],
        ['a 16-byte nonce', Uint8Array.from([...original.nonce, 0, 0, 0, 0])],
        ['a 200-byte nonce', new Uint8Array(200)],
      ];
      for (const [what, nonce] of nonces) {
        setNonce.run(nonce, ID.alpha);
        attemptRefusal(what);
      }
      setNonce.run(original.nonce, ID.alpha);
      expectReadable(vault, 'alpha', 'after restoring the original bytes');
    } finally {
      vault.close();
      db.close();
    }
    assert.deepEqual(failures, [], `${failures.length} altered lengths were not refused as INTEGRITY`);
  });

  it('refuses a row whose key version, format version, key reference or id was changed', async () => {
    const home = await seededVault();
    const db = openRaw(home);
    const alpha = sealedRow(db, ID.alpha);
    const gamma = sealedRow(db, ID.gamma);
    const vault = await Vault.open(home, provider());
    const edits: { column: 'key_version' | 'format_version' | 'key_ref'; value: unknown; code: ErrorCode }[] =
      [
        // 2^32 + 1 is what a 32-bit field would wrap onto version 1.
        ...[2, 0, -1, 2 ** 32 + 1].map((value) => ({
          column: 'key_version' as const,
          value,
          code: ErrorCode.INTEGRITY,
        })),
        // A row of another format is one this program cannot read: refused before any decryption.
        ...[2, 0].map((value) => ({
          column: 'format_version' as const,
          value,
          code: ErrorCode.UNSUPPORTED_VERSION,
        })),
        { column: 'key_ref', value: gamma.key_ref, code: ErrorCode.INTEGRITY },
      ];
    try {
      for (const { column, value, code } of edits) {
        db.prepare(`UPDATE traces SET ${column} = ? WHERE id = ?`).run(value, ID.alpha);
        expectRefused(vault, ID.alpha, code, `${column} set to ${String(value)}`);
        db.prepare(`UPDATE traces SET ${column} = ? WHERE id = ?`).run(alpha[column], ID.alpha);
      }
      db.prepare('UPDATE traces SET id = ? WHERE id = ?').run('trace-renamed', ID.alpha);
      expectRefused(vault, 'trace-renamed', ErrorCode.INTEGRITY, 'id changed');
      expectRefused(vault, ID.alpha, ErrorCode.NOT_FOUND, 'id changed, old id');
      db.prepare('UPDATE traces SET id = ? WHERE id = ?').run(ID.alpha, 'trace-renamed');
      expectReadable(vault, 'alpha', 'after restoring every column');
    } finally {
      vault.close();
      db.close();
    }
  });

  it('refuses to read traces under a wrapped subject key that was altered, swapped or re-pointed', async () => {
    const home = await seededVault();
    const db = openRaw(home);
    const keyRef = sealedRow(db, ID.alpha).key_ref;
    const otherRef = sealedRow(db, ID.gamma).key_ref;
    const wrappedOf = (ref: Uint8Array) =>
      (
        db.prepare('SELECT wrapped_key FROM subject_keys WHERE key_ref = ?').get(ref) as {
          wrapped_key: Uint8Array;
        }
      ).wrapped_key;
    const original = wrappedOf(keyRef);
    const setWrapped = db.prepare('UPDATE subject_keys SET wrapped_key = ? WHERE key_ref = ?');

    // Subject keys are cached once unwrapped, so each alteration is read by a freshly opened vault.
    const readAfter = async (what: string, edit: () => void, restore: () => void) => {
      edit();
      const vault = await Vault.open(home, provider());
      try {
        expectRefused(vault, ID.alpha, ErrorCode.INTEGRITY, what);
        expectRefused(vault, ID.beta, ErrorCode.INTEGRITY, `${what} (beta shares the key)`);
        expectReadable(vault, 'gamma', `${what}: a trace under another subject key`);
      } finally {
        vault.close();
        restore();
      }
    };
    const restoreWrapped = () => setWrapped.run(original, keyRef);

    // RFC 3394 output is 8-byte blocks (the integrity block, then the key): first and last bit of each.
    let flips = 0;
    for (let block = 0; block < original.length / 8; block++) {
      for (const bit of [block * 64, block * 64 + 63]) {
        await readAfter(
          `wrapped key bit ${bit} flipped`,
          () => setWrapped.run(flipBit(original, bit), keyRef),
          restoreWrapped,
        );
        flips++;
      }
    }
    await readAfter(
      'wrapped key truncated',
      () => setWrapped.run(original.subarray(0, 32), keyRef),
      restoreWrapped,
    );
    // A well-formed wrapped key of another subject unwraps fine; the trace must still refuse to open.
    await readAfter(
      'wrapped key swapped from another subject',
      () => setWrapped.run(wrappedOf(otherRef), keyRef),
      restoreWrapped,
    );
    await readAfter(
      'subject key re-pointed to an unknown KEK version',
      () => db.prepare('UPDATE subject_keys SET kek_version = 2 WHERE key_ref = ?').run(keyRef),
      () => db.prepare('UPDATE subject_keys SET kek_version = 1 WHERE key_ref = ?').run(keyRef),
    );

    const vault = await Vault.open(home, provider());
    try {
      expectReadable(vault, 'alpha', 'after restoring the wrapped key');
    } finally {
      vault.close();
      db.close();
    }
    console.log(`tamper: ${flips} wrapped-key bit flips and 3 key-table edits, each refused with INTEGRITY`);
  });
});
