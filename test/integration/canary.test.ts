import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TraceInput } from '../../common/trace.js';
import { PassphraseKeyProvider } from '../../core/keys/passphrase-provider.js';
import { Vault } from '../../core/vault/vault.js';
import { TraceFactory } from '../support/synthetic-traces.js';
import { TEST_PASSPHRASE, TEST_SCRYPT_COST, tempDir } from '../support/temp.js';

const TRACE_COUNT = 10_000;
/** Where each trace carries a canary of its own: every place content can hide, except the plaintext id. */
const PLACES = ['message', 'tool-argument', 'attribute', 'metadata', 'user_id', 'subject_id'] as const;
type Place = (typeof PLACES)[number];
/** 64 bits of hex: no chance match in ciphertext or in the blind index's 128-bit tokens. */
const HEX_LENGTH = 16;

/**
 * `CANARY-<16 upper-case hex>`. The hex part is what makes a canary unique, and it is inside every form
 * the engine could write: the canary as given, lower-cased, and the normalised word `<hex>` the tokenizer
 * cuts from it (the hyphen splits words, and words are lower-cased before hashing).
 */
function canary(trace: number, place: Place): string {
  const hex = createHash('sha256').update(`canary/${trace}/${place}`).digest('hex').slice(0, HEX_LENGTH);
  return `CANARY-${hex.toUpperCase()}`;
}

const hexOf = (value: string): string => value.slice('CANARY-'.length).toLowerCase();

interface Hit {
  hex: string;
  offset: number;
  encoding: 'utf-8' | 'utf-16le';
}

/** ASCII 0-9, A-F, a-f. */
const IS_HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') IS_HEX[c.charCodeAt(0)] = 1;

/**
 * Every place in `bytes` where the hex part of a wanted canary appears, in any letter case, as UTF-8 or as
 * UTF-16LE (at either byte alignment). One pass checks all canaries at once: it finds runs of hex
 * characters at least HEX_LENGTH long and looks up each window of the run.
 */
function scan(bytes: Uint8Array, wanted: ReadonlySet<string>): Hit[] {
  const hits: Hit[] = [];
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const runs = (start: number, stride: 1 | 2) => {
    const encoding = stride === 1 ? 'utf-8' : 'utf-16le';
    let runStart = start;
    for (let p = start; p <= buffer.length; p += stride) {
      const inRun =
        p + stride <= buffer.length && IS_HEX[buffer[p]!] === 1 && (stride === 1 || buffer[p + 1] === 0);
      if (inRun) continue;
      if ((p - runStart) / stride >= HEX_LENGTH) {
        const text = buffer.toString(stride === 1 ? 'latin1' : 'utf16le', runStart, p).toLowerCase();
        for (let i = 0; i + HEX_LENGTH <= text.length; i++) {
          const window = text.slice(i, i + HEX_LENGTH);
          if (wanted.has(window)) hits.push({ hex: window, offset: runStart + i * stride, encoding });
        }
      }
      runStart = p + stride;
    }
  };
  runs(0, 1);
  runs(0, 2);
  runs(1, 2);
  return hits;
}

/** The naive check, for a sample: Buffer.indexOf of each form, in each encoding. */
function naiveFind(bytes: Buffer, value: string): string[] {
  const forms = [value, value.toLowerCase(), hexOf(value)];
  const found: string[] = [];
  for (const form of forms) {
    for (const encoding of ['utf8', 'utf16le'] as const) {
      if (bytes.indexOf(Buffer.from(form, encoding)) !== -1) found.push(`${form} (${encoding})`);
    }
  }
  return found;
}

function describeHits(file: string, hits: readonly Hit[]): string {
  const first = hits
    .slice(0, 5)
    .map((h) => `${h.hex} at byte ${h.offset} (${h.encoding})`)
    .join(', ');
  return `${hits.length} canary sequences found in ${file}: ${first}`;
}

describe('canaries written into traces', () => {
  it(
    'never appear in the database, its WAL or its shared memory, open or closed',
    { timeout: 5 * 60_000 },
    async (t) => {
      const dir = tempDir('vault-canary-');
      const home = join(dir, 'home');
      const plaintext = join(dir, 'plaintext.jsonl');

      const factory = new TraceFactory(7);
      const canaries: string[] = [];
      const traces: TraceInput[] = [];
      for (let i = 0; i < TRACE_COUNT; i++) {
        const c = Object.fromEntries(PLACES.map((place) => [place, canary(i, place)])) as Record<
          Place,
          string
        >;
        canaries.push(...Object.values(c));
        // The id stays canary-free: trace ids are plaintext by design (design.md §4).
        const base = factory.trace({ id: `ct-${i}`, bytes: 2048, extra: `see ${c.message} for details` });
        traces.push({
          ...base,
          user_id: c.user_id,
          subject_id: c.subject_id,
          tool_calls: [{ id: `call-${i}`, name: 'lookup_record', arguments: { query: c['tool-argument'] } }],
          attributes: { ...base.attributes, 'case.note': c.attribute },
          metadata: { reference: c.metadata },
        });
      }
      const wanted = new Set(canaries.map(hexOf));
      assert.equal(
        wanted.size,
        canaries.length,
        'two canaries share their hex part; pick another derivation',
      );

      // The import reads this file; it is also the negative control the scan must fail on.
      const jsonl = traces.map((trace) => JSON.stringify(trace)).join('\n') + '\n';
      writeFileSync(plaintext, jsonl);

      const vault = await Vault.create(home, new PassphraseKeyProvider(TEST_PASSPHRASE, TEST_SCRYPT_COST));
      let bytesScanned = 0;
      const scanHome = (when: string): Map<string, number> => {
        const sizes = new Map<string, number>();
        for (const name of readdirSync(home)) {
          const bytes = readFileSync(join(home, name));
          sizes.set(name, bytes.length);
          bytesScanned += bytes.length;
          const hits = scan(bytes, wanted);
          assert.deepEqual(hits, [], `${when}: ${describeHits(name, hits)}`);
          // An independent check of the fast scanner, on the canaries of the first and last trace.
          for (const value of [...canaries.slice(0, PLACES.length), ...canaries.slice(-PLACES.length)]) {
            assert.deepEqual(naiveFind(bytes, value), [], `${when}: ${value} found in ${name}`);
          }
        }
        return sizes;
      };

      try {
        const importStarted = performance.now();
        const report = await vault.importFile(plaintext);
        t.diagnostic(`import of ${TRACE_COUNT} traces: ${(performance.now() - importStarted).toFixed(0)} ms`);
        assert.equal(report.stored, TRACE_COUNT, `stored ${report.stored} of ${TRACE_COUNT} traces`);
        assert.deepEqual(report.rejected, [], 'the import rejected traces');
        // The canaries are really in the vault: it gives them back when decrypting.
        const last = vault.get(`ct-${TRACE_COUNT - 1}`);
        assert.equal(last.user_id, canaries.at(-2), 'the last trace does not decrypt to its user_id canary');

        const scanStarted = performance.now();
        const open = scanHome('vault open');
        t.diagnostic(`scan while open: ${(performance.now() - scanStarted).toFixed(0)} ms`);
        for (const name of ['vault.db', 'vault.db-wal', 'vault.db-shm']) {
          assert.ok((open.get(name) ?? 0) > 0, `${name} is missing or empty while the vault is open`);
        }
        t.diagnostic(`open: ${[...open].map(([name, size]) => `${name} ${size} B`).join(', ')}`);
      } finally {
        vault.close();
      }
      const closed = scanHome('vault closed');
      t.diagnostic(`closed: ${[...closed].map(([name, size]) => `${name} ${size} B`).join(', ')}`);

      // Negative controls: the same scan finds every canary in a plaintext copy, as written and in the
      // other form it looks for (lower case, UTF-16LE), so a clean result above is not a blind scanner.
      for (const [name, bytes, encoding] of [
        ['plaintext.jsonl', Buffer.from(jsonl, 'utf8'), 'utf-8'],
        ['plaintext, lower-cased, in UTF-16LE', Buffer.from(jsonl.toLowerCase(), 'utf16le'), 'utf-16le'],
      ] as const) {
        const found = new Set(
          scan(bytes, wanted)
            .filter((h) => h.encoding === encoding)
            .map((h) => h.hex),
        );
        assert.equal(
          found.size,
          wanted.size,
          `the scan found ${found.size} of ${wanted.size} canaries in ${name}`,
        );
        assert.notDeepEqual(naiveFind(bytes, canaries[0]!), [], `the naive check missed a canary in ${name}`);
      }
      t.diagnostic(
        `${canaries.length} canaries (${PLACES.length} in each of ${TRACE_COUNT} traces), ` +
          `${bytesScanned} bytes of vault files scanned, none found`,
      );
    },
  );
});
