import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomBytes } from '../../../core/crypto/bytes.js';
import { blindToken } from '../../../core/search/blind-token.js';
import { TermDictionary } from '../../../core/search/term-dictionary.js';
import { TermWorker } from '../../../core/search/term-worker-client.js';
import { TraceFactory } from '../../support/synthetic-traces.js';

describe('TermWorker', () => {
  it('gives exactly the terms the in-thread dictionary gives, batch after batch', async () => {
    const termKey = randomBytes(32);
    const local = new TermDictionary((word) => blindToken(termKey, word));
    const worker = new TermWorker(termKey);
    try {
      const factory = new TraceFactory(5, 2000);
      for (let batch = 0; batch < 5; batch++) {
        const texts = Array.from({ length: 20 }, () => factory.text(2000));
        texts.push('Ünïcödé Ｆｕｌｌ naïve 42');
        assert.deepEqual(
          await worker.tokenize(texts),
          texts.map((t) => local.tokensOf(t)),
        );
      }
    } finally {
      worker.close();
    }
  });

  it('answers concurrent requests each with its own terms', async () => {
    const termKey = randomBytes(32);
    const worker = new TermWorker(termKey);
    try {
      const [a, b] = await Promise.all([worker.tokenize(['alpha beta']), worker.tokenize(['gamma'])]);
      assert.deepEqual(a, [`${blindToken(termKey, 'alpha')} ${blindToken(termKey, 'beta')}`]);
      assert.deepEqual(b, [blindToken(termKey, 'gamma')]);
    } finally {
      worker.close();
    }
  });

  it('refuses work once closed', async () => {
    const worker = new TermWorker(randomBytes(32));
    worker.close();
    await assert.rejects(worker.tokenize(['anything']), /closed/);
  });
});
