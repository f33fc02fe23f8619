import { randomUUID } from 'node:crypto';
import type { Origin } from '../../common/access.js';

export interface SessionUser {
  id: number;
  name: string;
}

/**
 * Who is at the keyboard (or behind the local API), from where, and since when idle. A session is opened
 * by proving a key slot; it locks on idle (HIPAA §164.312(a)(2)(iii)), on request, or when its token goes.
 */
export class Session {
  readonly id = randomUUID();
  private lastActivity: number;
  private lockReason: string | undefined;

  constructor(
    readonly user: SessionUser,
    readonly origin: Origin,
    private readonly clock: () => number,
  ) {
    this.lastActivity = clock();
  }

  /** Milliseconds since the last operation this session performed. */
  idleMs(now = this.clock()): number {
    return now - this.lastActivity;
  }

  touch(now = this.clock()): void {
    this.lastActivity = now;
  }

  lock(reason: string): void {
    this.lockReason ??= reason;
  }

  get locked(): boolean {
    return this.lockReason !== undefined;
  }

  get lockedBecause(): string | undefined {
    return this.lockReason;
  }
}
