import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVaultError } from '../../../common/errors.js';
import { containsPhrase, parseQuery } from '../../../core/search/query.js';

const badInput = (pattern: RegExp) => (e: unknown) => isVaultError(e, 'BAD_INPUT') && pattern.test(e.message);

describe('parseQuery', () => {
  it('ANDs bare words, normalised, each once', () => {
    assert.deepEqual(parseQuery('Aspirin  dose ASPIRIN'), { required: ['aspirin', 'dose'], phrases: [] });
  });

  it('keeps quoted phrases in order and requires their words too', () => {
    assert.deepEqual(parseQuery('renal "Blood  pressure, high" dose'), {
      required: ['renal', 'blood', 'pressure', 'high', 'dose'],
      phrases: [['blood', 'pressure', 'high']],
    });
  });

  it('treats a quoted single word as a plain word', () => {
    assert.deepEqual(parseQuery('"aspirin"'), { required: ['aspirin'], phrases: [] });
  });

  it('refuses an unclosed quote', () => {
    assert.throws(() => parseQuery('"blood pressure'), badInput(/unclosed quote/));
  });

  it('refuses a query with no words', () => {
    for (const query of ['', '   ', '!?-', '""']) {
      assert.throws(() => parseQuery(query), badInput(/no words/), `query ${JSON.stringify(query)}`);
    }
  });

  it('allows 32 distinct words and refuses 33', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');
    assert.equal(parseQuery(many(32)).required.length, 32);
    assert.equal(parseQuery(`${many(32)} w0 W1`).required.length, 32, 'repeats do not count');
    assert.throws(() => parseQuery(many(33)), badInput(/more than 32 distinct words/));
  });
});

describe('containsPhrase', () => {
  const text = ['take', 'take', 'two', 'tablets', 'daily'];
  it('finds consecutive words, including after a false start', () => {
    assert.equal(containsPhrase(text, ['take', 'two']), true);
    assert.equal(containsPhrase(text, ['tablets', 'daily']), true, 'at the very end');
    assert.equal(containsPhrase(text, text), true, 'the whole text');
  });
  it('does not match words out of order, apart, or past the end', () => {
    assert.equal(containsPhrase(text, ['two', 'take']), false);
    assert.equal(containsPhrase(text, ['take', 'tablets']), false);
    assert.equal(containsPhrase(text, ['daily', 'dose']), false);
    assert.equal(containsPhrase(text, [...text, 'more']), false);
    assert.equal(containsPhrase([], ['take']), false);
  });
});
