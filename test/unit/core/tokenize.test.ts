import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { distinctWords, normaliseWord, words } from '../../../core/search/tokenize.js';

describe('tokenize', () => {
  it('splits on anything that is not a letter or digit and lower-cases', () => {
    assert.deepEqual(
      words('Hello, WORLD-42!').map((w) => w.text),
      ['hello', 'world', '42'],
    );
  });
  it('folds compatibility forms with NFKC', () => {
    assert.equal(normaliseWord('Ｆｕｌｌ'), 'full');
  });
  it('keeps letters of any script', () => {
    assert.deepEqual(
      [...distinctWords('Müller größe Ölçü Szöllösy')],
      ['müller', 'größe', 'ölçü', 'szöllösy'],
    );
  });
  it('gives offsets into the original text', () => {
    const [first] = words('  Aspirin 81mg');
    assert.deepEqual(first, { text: 'aspirin', start: 2, end: 9 });
  });
});
