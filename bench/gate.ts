import { join } from 'node:path';
import { VaultSession } from '../core/access/vault-session.js';
import { PassphraseKeyProvider } from '../core/keys/passphrase-provider.js';
import { Vault } from '../core/vault/vault.js';
import { TraceFactory } from '../test/support/synthetic-traces.js';
import type { Report } from './report.js';
import { summarize, timed } from './stats.js';

const TRACES = 2_000;
const CALLS = 300;
const PASSPHRASE = 'bench passphrase';
/** Low on purpose: the unlock is not what is measured. */
const SCRYPT_COST = 14;

/**
 * What the gate costs per operation (information, no target): a read through a session commits its audit
 * row (synchronous=FULL, so one fsync) before it returns, against the same read on the ungated engine.
 */
export async function benchGate(report: Report, dir: string): Promise<void> {
  const home = join(dir, 'gate-vault');
  const provider = () => new PassphraseKeyProvider(PASSPHRASE, SCRYPT_COST);
  const factory = new TraceFactory(11);
  const session = await VaultSession.create(home, provider());
  const ids: string[] = [];
  for (let i = 0; i < TRACES; i += 100) {
    const batch = Array.from({ length: 100 }, () => factory.trace());
    ids.push(...session.traces.put(batch).stored);
  }
  const gatedGet = samples(() => session.traces.get(ids[Math.floor(Math.random() * ids.length)]!));
  const gatedSearch = samples(() => session.traces.search({ query: factory.word(), limit: 50 }));
  await session.close();

  const vault = await Vault.open(home, provider());
  const get = samples(() => vault.get(ids[Math.floor(Math.random() * ids.length)]!));
  const search = samples(() => vault.search({ query: factory.word(), limit: 50 }));
  vault.close();

  report.section(`the access gate: ${CALLS} calls each on ${TRACES.toLocaleString('en-US')} traces`);
  const add = (key: string, label: string, value: number, unit: string) =>
    report.add({ key: `gate.${key}`, label, value, unit });
  add('get_p50_ms', 'traces.get through the gate (audit row committed), p50', gatedGet.p50, 'ms');
  add('get_engine_p50_ms', 'baseline: Vault.get, no gate, p50', get.p50, 'ms');
  add('get_ratio', 'ratio gated / engine, get p50', gatedGet.p50 / get.p50, '×');
  add('search_p50_ms', 'search, page of 50, through the gate, p50', gatedSearch.p50, 'ms');
  add('search_engine_p50_ms', 'baseline: Vault.search, no gate, p50', search.p50, 'ms');
  add('search_ratio', 'ratio gated / engine, search p50', gatedSearch.p50 / search.p50, '×');
}

function samples(call: () => unknown): ReturnType<typeof summarize> {
  for (let i = 0; i < 20; i++) call(); // warm-up
  return summarize(Array.from({ length: CALLS }, () => timed(call)[1]));
}
