import type { AccessPolicy } from '../../common/access.js';
import { ErrorCode, isVaultError } from '../../common/errors.js';
import type { AuditCheckpointer } from './checkpoints.js';

/**
 * When to checkpoint (design.md §5): after a row, once N rows or T seconds are waiting (policy), in the
 * background, one at a time. A log that no longer chains is reported once per break, not after every row.
 */
export class CheckpointSchedule {
  private running: Promise<unknown> = Promise.resolve();
  private readonly reported = new Set<string>();

  constructor(
    /** Absent when the device key cannot sign here (it is on another token): nothing is scheduled. */
    private readonly checkpointer: AuditCheckpointer | undefined,
    private readonly policy: () => AccessPolicy,
    /** Called with what is wrong when the rows since the last checkpoint do not chain. */
    private readonly onBroken: (message: string) => void,
  ) {}

  /** Called after every committed row: starts a checkpoint when one is due. */
  afterRow(): void {
    const checkpointer = this.checkpointer;
    const policy = this.policy();
    if (!checkpointer?.isDue(policy.audit_checkpoint_rows, policy.audit_checkpoint_seconds)) return;
    this.running = this.running
      .then(() => checkpointer.checkpoint())
      .catch((error: unknown) => this.failed(error));
  }

  /** Waits for the checkpoint under way, then covers every row written so far (a session ending). */
  async flush(): Promise<void> {
    await this.running;
    if (!this.checkpointer) return;
    await this.checkpointer.checkpoint().catch((error: unknown) => this.failed(error));
  }

  /** Resolves when no checkpoint is under way. */
  whenIdle(): Promise<unknown> {
    return this.running;
  }

  private failed(error: unknown): void {
    // The rows since the last checkpoint do not chain: someone edited the log. Say so, once per break.
    if (isVaultError(error, ErrorCode.INTEGRITY) && !this.reported.has(error.message)) {
      this.reported.add(error.message);
      this.onBroken(error.message);
    }
    // Anything else (a token gone, the vault closing) is retried after the next row; `audit verify`
    // reports rows that are not under a checkpoint yet.
  }
}
