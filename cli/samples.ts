import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The bundled sample traces (synthetic: no real person, patient or conversation). They live in the
 * source tree at cli/samples/, which the compiler does not copy, so they are found from the package root,
 * the same from cli/ and dist/cli/.
 */
export function sampleTracesFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'cli', 'samples', 'sample-traces.jsonl');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('the bundled sample traces (cli/samples/sample-traces.jsonl) are missing');
    dir = parent;
  }
}
