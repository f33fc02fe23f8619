/** Recovery keys as 24 BIP-39 words: round trip, the spec's vectors, tolerant reading, and errors that help. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import fc from 'fast-check';
import { isVaultError } from '../../../common/errors.js';
import { toHex } from '../../../core/crypto/bytes.js';
import {
  generateRecoveryKey,
  RECOVERY_KEY_WORDS,
  recoveryKeyFromWords,
  recoveryKeyToWords,
} from '../../../core/keys/recovery-key.js';

/** A fixed key, so the words below are the same on every run. */
const SECRET = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 3);
const WORDS = recoveryKeyToWords(SECRET);

const badInput = (message: string) => (e: unknown) => isVaultError(e, 'BAD_INPUT') && e.message === message;

describe('recovery key words', () => {
  it('turns a random 256-bit key into 24 list words and back', () => {
    for (let i = 0; i < 20; i += 1) {
      const secret = generateRecoveryKey();
      const words = recoveryKeyToWords(secret);
      assert.equal(words.length, RECOVERY_KEY_WORDS);
      assert.ok(words.every((w) => wordlist.includes(w)));
      assert.equal(toHex(recoveryKeyFromWords(words.join(' '))), toHex(secret));
    }
  });

  it('matches the BIP-39 reference vectors for 256-bit entropy', () => {
    const vectors = [
      ['00'.repeat(32), `${'abandon '.repeat(23)}art`],
      ['ff'.repeat(32), `${'zoo '.repeat(23)}vote`],
      [
        '7f'.repeat(32),
        `${'legal winner thank year wave sausage worth useful '.repeat(3)}`
          .trim()
          .replace(/useful$/, 'title'),
      ],
    ] as const;
    for (const [entropy, phrase] of vectors) {
      const secret = Buffer.from(entropy, 'hex');
      assert.equal(recoveryKeyToWords(secret).join(' '), phrase);
      assert.equal(toHex(recoveryKeyFromWords(phrase)), entropy);
    }
  });

  it('reads words in any case, with any spaces, tabs, line breaks or commas between them', () => {
    const messy = `  ${WORDS.slice(0, 8).join('  ').toUpperCase()}\n${WORDS.slice(8, 16).join(',\t')},\r\n ${WORDS.slice(
      16,
    )
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join('\u00a0')}  `;
    assert.equal(toHex(recoveryKeyFromWords(messy)), toHex(SECRET));
  });

  it('says how many words it got when there are not 24', () => {
    assert.throws(
      () => recoveryKeyFromWords(WORDS.slice(0, 23).join(' ')),
      badInput('a recovery key is 24 words; this has 23'),
    );
    assert.throws(
      () => recoveryKeyFromWords([...WORDS, 'abandon'].join(' ')),
      badInput('a recovery key is 24 words; this has 25'),
    );
    assert.throws(
      () => recoveryKeyFromWords(WORDS.slice(0, 12).join(' ')),
      badInput('a recovery key is 24 words; this has 12'),
    );
    assert.throws(() => recoveryKeyFromWords('   '), badInput('a recovery key is 24 words; this has 0'));
  });

  it('names the first word not in the list and its position, and only that word', () => {
    const typo = WORDS.slice();
    typo[6] = 'abandn';
    assert.throws(
      () => recoveryKeyFromWords(typo.join(' ')),
      badInput("word 7 'abandn' is not in the word list"),
    );
    typo[20] = 'zooo';
    typo[22] = 'qwerty';
    assert.throws(
      () => recoveryKeyFromWords(typo.join(' ')),
      badInput("word 7 'abandn' is not in the word list; 2 other words are not either"),
    );
  });

  it('does not echo a long or unusual token, only its length', () => {
    const pasted = WORDS.slice();
    pasted[0] = 'supercalifragilistic';
    assert.throws(
      () => recoveryKeyFromWords(pasted.join(' ')),
      badInput('word 1 (20 characters) is not in the word list'),
    );
    pasted[0] = 'caf\u00e9';
    assert.throws(
      () => recoveryKeyFromWords(pasted.join(' ')),
      badInput('word 1 (5 characters) is not in the word list'),
    );
    pasted[0] = '1.';
    assert.throws(
      () => recoveryKeyFromWords(pasted.join(' ')),
      badInput('word 1 (2 characters) is not in the word list'),
    );
  });

  it('reports a checksum mismatch when two words are swapped or one is replaced by another list word', () => {
    const checksum = badInput("the words' checksum does not match: a word is wrong or out of order");
    const swapped = WORDS.slice();
    [swapped[3], swapped[4]] = [swapped[4]!, swapped[3]!];
    assert.notEqual(swapped[3], swapped[4], 'the fixed key has two different words there');
    assert.throws(() => recoveryKeyFromWords(swapped.join(' ')), checksum);
    const replaced = WORDS.slice();
    replaced[23] = replaced[23] === 'zoo' ? 'abandon' : 'zoo';
    assert.throws(() => recoveryKeyFromWords(replaced.join(' ')), checksum);
  });

  it('refuses keys that are not 32 bytes', () => {
    assert.throws(() => recoveryKeyToWords(new Uint8Array(16)), RangeError);
  });

  it('either reads 32 bytes or throws BAD_INPUT, for any text and for any one-word change of a real phrase', () => {
    const readsOrBadInput = (text: string) => {
      try {
        assert.equal(recoveryKeyFromWords(text).length, 32);
      } catch (error) {
        assert.ok(isVaultError(error, 'BAD_INPUT'), `threw ${String(error)}`);
        assert.ok(!error.message.includes(WORDS.join(' ')), 'never echoes the phrase');
      }
    };
    fc.assert(fc.property(fc.string({ maxLength: 300 }), readsOrBadInput), { numRuns: 300 });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 23 }),
        fc.oneof(fc.constantFrom(...wordlist), fc.string({ maxLength: 12 })),
        (position, word) => readsOrBadInput(WORDS.map((w, i) => (i === position ? word : w)).join(' ')),
      ),
      { numRuns: 300 },
    );
  });
});
