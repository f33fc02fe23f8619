import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { firstWordOf, words } from '../../../core/search/tokenize.js';

/** The definition: the first word, in tokenizer order, that is wanted. */
const reference = (text: string, wanted: Set<string>) => words(text).find((w) => wanted.has(w.text));

describe('firstWordOf', () => {
  it('finds the same first wanted word as the tokenizer, ASCII or not', () => {
    const alphabet = fc.constantFrom(...'abAB1 -,.\nÉé'.split(''));
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 60 }),
        fc.array(fc.constantFrom('a', 'ab', 'b1', 'ba', 'é', '1'), { maxLength: 3 }),
        (chars, wantedWords) => {
          const text = chars.join('');
          const wanted = new Set(wantedWords);
          assert.deepEqual(
            firstWordOf(text, wanted),
            reference(text, wanted),
            `text ${JSON.stringify(text)}`,
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('matches a word cut at 64 characters as the tokenizer does', () => {
    const long = `${'k'.repeat(70)} tail`;
    const wanted = new Set(['k'.repeat(64)]);
    assert.deepEqual(firstWordOf(long, wanted), reference(long, wanted));
    assert.equal(firstWordOf(long, wanted)?.end, 70);
  });

  it('does not take part of a longer word', () => {
    assert.equal(firstWordOf('aspirins and Aspirin', new Set(['aspirin']))?.start, 13);
  });
});
