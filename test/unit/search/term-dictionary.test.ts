import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TermDictionary } from '../../../core/search/term-dictionary.js';
import { distinctWords } from '../../../core/search/tokenize.js';

/** A visible stand-in for the HMAC: tests compare words, not tokens. */
const tokenOf = (word: string) => `<${word}>`;
const reference = (text: string) => [...distinctWords(text)].map(tokenOf).sort();
const fast = (dictionary: TermDictionary, text: string) =>
  dictionary.tokensOf(text).split(' ').filter(Boolean).sort();

describe('TermDictionary', () => {
  it('finds exactly the distinct words of the reference tokenizer, ASCII or not', () => {
    const dictionary = new TermDictionary(tokenOf);
    const alphabet = fc.constantFrom(...'aB3 z-Z,9.\n\tÉé ßﬁＡ①_'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 200 }), (chars) => {
        const text = chars.join('');
        assert.deepEqual(fast(dictionary, text), reference(text), `text ${JSON.stringify(text)}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('cuts words at 64 characters exactly as the reference does', () => {
    const dictionary = new TermDictionary(tokenOf);
    const long = `${'x'.repeat(63)}Y${'z'.repeat(10)} short`;
    assert.deepEqual(fast(dictionary, long), reference(long));
    assert.deepEqual(fast(dictionary, `É ${long}`), reference(`É ${long}`));
  });

  it('hashes each word once, however many traces repeat it', () => {
    let calls = 0;
    const dictionary = new TermDictionary((w) => {
      calls++;
      return tokenOf(w);
    });
    for (let i = 0; i < 50; i++) dictionary.tokensOf('aspirin dose aspirin Dose daily');
    assert.equal(calls, 3);
  });

  it('starts over when full and still answers correctly', () => {
    const dictionary = new TermDictionary(tokenOf, 8);
    const text = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    assert.deepEqual(new Set(fast(dictionary, text)), new Set(reference(text)));
    assert.ok(dictionary.size <= 8, `size ${dictionary.size} exceeds capacity`);
    assert.equal(dictionary.token('w3'), '<w3>');
  });

  it('forgets everything on clear', () => {
    const dictionary = new TermDictionary(tokenOf);
    dictionary.tokensOf('one two three');
    dictionary.clear();
    assert.equal(dictionary.size, 0);
    assert.deepEqual(fast(dictionary, 'two'), ['<two>']);
  });
});
