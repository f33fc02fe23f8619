/**
 * Worker thread that turns trace texts into blind-index terms, so ingest can tokenise and HMAC the next
 * batch on the second core while the main thread writes the current one to SQLite.
 *
 * It holds a copy of the term key (never the other keys) and wipes it when told to close.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { blindToken } from './blind-token.js';
import { TermDictionary } from './term-dictionary.js';
import type { TermRequest, TermResponse } from './term-worker-protocol.js';

const { termKey } = workerData as { termKey: Uint8Array };
const dictionary = new TermDictionary((word) => blindToken(termKey, word));
const port = parentPort;
if (port === null) throw new Error('term-worker.js runs only as a worker thread');

port.on('message', (request: TermRequest) => {
  if (request.type === 'close') {
    termKey.fill(0);
    dictionary.clear();
    port.close();
    return;
  }
  let response: TermResponse;
  try {
    response = { id: request.id, terms: request.texts.map((text) => dictionary.tokensOf(text)) };
  } catch (error) {
    response = { id: request.id, error: error instanceof Error ? error.message : 'tokenizer failed' };
  }
  port.postMessage(response);
});
