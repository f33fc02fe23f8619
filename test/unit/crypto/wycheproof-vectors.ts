import { readFileSync } from 'node:fs';
import { wycheproofFile } from '../../support/shared-data.js';

/**
 * Loads one Wycheproof file (schema: testGroups[].tests[]) as a flat list of cases, each carrying its
 * group's parameters. Fails loudly when the file does not hold as many cases as it declares, so a
 * truncated copy cannot pass as a complete run.
 */
export interface WycheproofCase {
  tcId: number;
  comment: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
}

export interface WycheproofVectors<C extends WycheproofCase, G> {
  algorithm: string;
  numberOfTests: number;
  cases: (C & { group: G })[];
}

interface WycheproofJson<C, G> {
  algorithm: string;
  numberOfTests: number;
  testGroups: (G & { tests: C[] })[];
}

export function loadWycheproof<C extends WycheproofCase, G>(name: string): WycheproofVectors<C, G> {
  const json = JSON.parse(readFileSync(wycheproofFile(name), 'utf8')) as WycheproofJson<C, G>;
  const cases = json.testGroups.flatMap((group) => group.tests.map((test) => ({ ...test, group })));
  if (cases.length !== json.numberOfTests) {
    throw new Error(`${name} declares ${json.numberOfTests} cases but holds ${cases.length}`);
  }
  return { algorithm: json.algorithm, numberOfTests: json.numberOfTests, cases };
}

/** How a failure names a case: its id and Wycheproof's own description. Never the key or message bytes. */
export function caseName(c: WycheproofCase): string {
  return `tcId ${c.tcId} (${c.result}, ${c.flags.join('+')}: ${c.comment})`;
}

/** Runs `body` and returns what it returned or threw, so a test can assert on both at once. */
export function attempt<T>(body: () => T): { value: T | undefined; error: unknown } {
  try {
    return { value: body(), error: undefined };
  } catch (error) {
    return { value: undefined, error };
  }
}

/**
 * Runs every case, counting each outcome `runCase` returns in `tally`; a case that throws is a failure,
 * described with its id. Returns the failures, so a test can print its figures before asserting.
 */
export function tallyCases<C extends WycheproofCase, O extends string>(
  cases: readonly C[],
  tally: Record<O, number>,
  runCase: (c: C) => O,
): string[] {
  const failures: string[] = [];
  for (const c of cases) {
    try {
      tally[runCase(c)] += 1;
    } catch (error) {
      failures.push(`${caseName(c)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return failures;
}
