/**
 * Counts the calls that cost a trip to the token, at the facade, so tests can pin design.md §8's target
 * "unlock: exactly 1 token operation". A call is counted when it is made, whether or not it succeeds: a
 * refused PIN still spent one of the card's tries.
 */
export const KEY_OPERATIONS = ['encrypt', 'decrypt', 'wrap', 'unwrap', 'derive', 'sign'] as const;
export type KeyOperation = (typeof KEY_OPERATIONS)[number];

export interface Pkcs11CallCounts {
  /** C_Login calls. */
  logins: number;
  /** Every key operation together (the sum of `byOperation`). */
  keyOperations: number;
  byOperation: Record<KeyOperation, number>;
}

export class Pkcs11Counters {
  private logins = 0;
  private readonly operations = Object.fromEntries(KEY_OPERATIONS.map((op) => [op, 0])) as Record<
    KeyOperation,
    number
  >;

  countLogin(): void {
    this.logins += 1;
  }

  countOperation(operation: KeyOperation): void {
    this.operations[operation] += 1;
  }

  /** A copy of the counts so far; subtract two snapshots to count what happened in between. */
  snapshot(): Pkcs11CallCounts {
    const byOperation = { ...this.operations };
    const keyOperations = KEY_OPERATIONS.reduce((sum, op) => sum + byOperation[op], 0);
    return { logins: this.logins, keyOperations, byOperation };
  }
}
