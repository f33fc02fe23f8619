import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const KDAMONDS = '/sys/kernel/mm/damon/admin/kdamonds';

/**
 * Whether the kernel's DAMON is running a `pageout` scheme. Some virtual machines run one so that the host
 * can take memory back: it evicts file pages from the OS cache a few seconds after they were last read. A
 * benchmark that reads a database long after writing it then measures the disk, not the store, and its
 * header should say so. Returns the kdamond's directory, or null (also where /sys has no DAMON).
 */
export function damonPageout(): string | null {
  for (const kdamond of numberedEntries(KDAMONDS)) {
    if (readText(join(kdamond, 'state')) !== 'on') continue;
    for (const context of numberedEntries(join(kdamond, 'contexts'))) {
      for (const scheme of numberedEntries(join(context, 'schemes'))) {
        if (readText(join(scheme, 'action')) === 'pageout') return kdamond;
      }
    }
  }
  return null;
}

function numberedEntries(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => /^\d+$/.test(name))
      .map((name) => join(dir, name));
  } catch {
    return [];
  }
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}
