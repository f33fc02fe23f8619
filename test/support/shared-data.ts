import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file whether it runs from test/ or dist/test/. */
export const REPO_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
})();

/**
 * Test vectors and data sets live beside the project in ../shared (CI has them there), or wherever an
 * environment variable points: WYCHEPROOF_DIR, PRESIDIO_SYNTH_DIR.
 */
export function wycheproofDir(): string {
  return process.env.WYCHEPROOF_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'vectors', 'wycheproof');
}

export function presidioSynthDir(): string {
  return process.env.PRESIDIO_SYNTH_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'datasets', 'presidio-synth');
}

/** Path of one Wycheproof file; fails loudly (never skips) when the vectors are missing. */
export function wycheproofFile(name: string): string {
  const file = join(wycheproofDir(), name);
  if (!existsSync(file)) {
    throw new Error(`Wycheproof vectors not found at ${file}: set WYCHEPROOF_DIR (see README, "Test data")`);
  }
  return file;
}
