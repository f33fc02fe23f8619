import { setImmediate as nextTurn } from 'node:timers/promises';
import type { SqliteDatabase } from '../../native/sqlite.js';
import type { KeyTables } from './key-tables.js';
import type { Keyring } from './keyring.js';

/** design.md §7: key rotation is a policy parameter; 90 days unless policy says otherwise. */
export const DEFAULT_KEY_ROTATION_DAYS = 90;
/** Subject keys re-wrapped per transaction: small enough that reads and writes go on between steps. */
export const REWRAP_BATCH = 500;
const DAY_MS = 24 * 3600 * 1000;

export interface KekVersionStatus {
  version: number;
  current: boolean;
  createdAt: string;
  retiredAt: string | null;
  ageDays: number;
  /** Subject keys and vault keys still wrapped under this version. */
  subjectKeys: number;
  vaultKeys: number;
}

export interface KeyStatus {
  currentVersion: number;
  versions: KekVersionStatus[];
  rotationDays: number;
  nextRotationDue: string;
  rotationDue: boolean;
  /** Keys still under an older version: a rotation whose re-wrap has not finished. */
  pendingRewrap: number;
}

export interface RewrapProgress {
  moved: number;
  remaining: number;
}

/**
 * KEK rotation (design.md §3): a new KEK version encrypts new data at once; a resumable job re-wraps
 * subject and vault keys under it in small transactions, so reads and writes go on in between; a version
 * that protects nothing any more retires. Nothing about it needs the master key: the root key, held while
 * unlocked, wraps the new KEK.
 */
export class KeyRotation {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly keyring: Keyring,
    private readonly tables: KeyTables,
    private readonly rotationDays: number,
    private readonly now: () => number,
  ) {}

  /** Makes and adopts a new KEK version; returns it. Existing keys are re-wrapped by `rewrapAll`. */
  rotate(): number {
    const prepared = this.db.transaction(() => this.keyring.prepareKekVersion(this.now())).immediate();
    this.keyring.adoptKek(prepared);
    return prepared.version;
  }

  /** One transaction of re-wrapping; retires what no key references once nothing is left. */
  rewrapStep(limit = REWRAP_BATCH): number {
    return this.db
      .transaction(() => {
        const moved = this.keyring.rewrapStale(limit);
        if (moved === 0) this.keyring.retireUnused(this.now());
        return moved;
      })
      .immediate();
  }

  /**
   * Re-wraps every stale key, yielding to the event loop between transactions so that other work
   * interleaves. Stops early when `shouldStop` says so; calling it again resumes where it stopped.
   */
  async rewrapAll(
    onProgress?: (progress: RewrapProgress) => void,
    shouldStop: () => boolean = () => false,
  ): Promise<number> {
    let total = 0;
    for (;;) {
      if (shouldStop()) return total;
      const moved = this.rewrapStep();
      total += moved;
      onProgress?.({ moved: total, remaining: this.pendingRewrap() });
      if (moved === 0) return total;
      await nextTurn();
    }
  }

  /** Keys still wrapped under a KEK older than the current one. */
  pendingRewrap(): number {
    return stillUnderOlder(this.tables.kekUsage(), this.keyring.kekVersion);
  }

  status(): KeyStatus {
    const current = this.keyring.kekVersion;
    const now = this.now();
    const versions = this.tables.kekUsage().map((k) => ({
      version: k.version,
      current: k.version === current,
      createdAt: new Date(k.createdAt).toISOString(),
      retiredAt: k.retiredAt === null ? null : new Date(k.retiredAt).toISOString(),
      ageDays: Math.floor((now - k.createdAt) / DAY_MS),
      subjectKeys: k.subjectKeys,
      vaultKeys: k.vaultKeys,
    }));
    const due = (this.tables.kekCreatedAt(current) ?? now) + this.rotationDays * DAY_MS;
    return {
      currentVersion: current,
      versions,
      rotationDays: this.rotationDays,
      nextRotationDue: new Date(due).toISOString(),
      rotationDue: now >= due,
      pendingRewrap: stillUnderOlder(versions, current),
    };
  }
}

function stillUnderOlder(
  versions: readonly { version: number; subjectKeys: number; vaultKeys: number }[],
  current: number,
): number {
  return versions.filter((k) => k.version < current).reduce((n, k) => n + k.subjectKeys + k.vaultKeys, 0);
}
