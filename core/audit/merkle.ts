import { hash } from 'node:crypto';
import { ErrorCode, VaultError } from '../../common/errors.js';

/**
 * Merkle Tree Hash of RFC 6962 §2.1, over the audit rows' 32-byte hashes (each row's hash is one leaf's
 * data), so a signed tree head commits to every row before it and a checkpoint can be checked by anyone who
 * speaks Certificate Transparency:
 *
 *   MTH({})      = SHA-256()
 *   MTH({d(0)})  = SHA-256(0x00 ‖ d(0))
 *   MTH(D[n])    = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])), k the largest power of two < n
 *
 * The two prefixes keep a leaf from ever passing for an interior node (RFC 6962 §2.1, second preimages).
 */
const HASH_BYTES = 32;

export const EMPTY_ROOT: Readonly<Buffer> = hash('sha256', Buffer.alloc(0), 'buffer');

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

// Scratch inputs, reused: a leaf and a node hash allocate only their digests (sync code, no reentrancy).
const leafInput = Buffer.alloc(1 + HASH_BYTES);
leafInput[0] = LEAF_PREFIX;
const nodeInput = Buffer.alloc(1 + 2 * HASH_BYTES);
nodeInput[0] = NODE_PREFIX;

/** SHA-256(0x00 ‖ data). */
export function leafHash(data: Uint8Array): Buffer {
  if (data.length === HASH_BYTES) {
    leafInput.set(data, 1);
    return hash('sha256', leafInput, 'buffer');
  }
  return hash('sha256', Buffer.concat([leafInput.subarray(0, 1), data]), 'buffer');
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_BYTES);
  return hash('sha256', nodeInput, 'buffer');
}

/** MTH by the recursive definition: the reference the incremental tree is tested against. O(n). */
export function merkleRoot(leaves: readonly Uint8Array[]): Buffer {
  if (leaves.length === 0) return Buffer.from(EMPTY_ROOT);
  if (leaves.length === 1) return leafHash(leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(merkleRoot(leaves.slice(0, k)), merkleRoot(leaves.slice(k)));
}

/** What a checkpoint stores to resume the tree: its size and its compact range, as hex. */
export interface MerkleFrontierState {
  size: number;
  frontier: string[];
}

/**
 * The tree built one leaf at a time, holding only its frontier (the compact range [0, size)): the roots of
 * the perfect subtrees the size decomposes into, largest (leftmost) first, one per set bit of the size.
 * Appending merges equal-sized subtrees like a binary counter carries, O(1) amortised; the root folds the
 * frontier from the right, O(log n). This is the `compact.Range` of transparency-dev/merkle.
 */
export class MerkleFrontier {
  private constructor(
    private leaves: number,
    private readonly nodes: Buffer[],
  ) {}

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0, []);
  }

  /** Resumes from a stored frontier; throws INTEGRITY if it cannot be the frontier of a tree that size. */
  static resume(state: MerkleFrontierState): MerkleFrontier {
    const { size, frontier } = state;
    if (!Number.isSafeInteger(size) || size < 0 || !Array.isArray(frontier)) {
      throw new VaultError(ErrorCode.INTEGRITY, 'a stored Merkle frontier is malformed');
    }
    if (frontier.length !== bitCount(size)) {
      throw new VaultError(
        ErrorCode.INTEGRITY,
        `a stored Merkle frontier for ${size} leaves holds ${frontier.length} nodes, not ${bitCount(size)}`,
      );
    }
    const nodes = frontier.map((hex) => {
      if (typeof hex !== 'string' || !/^[0-9a-f]{64}$/.test(hex)) {
        throw new VaultError(ErrorCode.INTEGRITY, 'a stored Merkle frontier holds a node that is not a hash');
      }
      return Buffer.from(hex, 'hex');
    });
    return new MerkleFrontier(size, nodes);
  }

  get size(): number {
    return this.leaves;
  }

  /** Appends one leaf: `data` is hashed as SHA-256(0x00 ‖ data). */
  append(data: Uint8Array): void {
    let node = leafHash(data);
    // Each trailing 1 bit of the old size is a subtree the same size as the one being carried: merge.
    // Arithmetic, not bit operators, so sizes past 2^31 work.
    for (let n = this.leaves; n % 2 === 1; n = (n - 1) / 2) node = nodeHash(this.nodes.pop()!, node);
    this.nodes.push(node);
    this.leaves += 1;
  }

  /** MTH of the leaves so far. */
  root(): Buffer {
    if (this.nodes.length === 0) return Buffer.from(EMPTY_ROOT);
    let root = this.nodes[this.nodes.length - 1]!;
    for (let i = this.nodes.length - 2; i >= 0; i--) root = nodeHash(this.nodes[i]!, root);
    return root;
  }

  toJSON(): MerkleFrontierState {
    return { size: this.leaves, frontier: this.nodes.map((node) => node.toString('hex')) };
  }

  clone(): MerkleFrontier {
    return new MerkleFrontier(this.leaves, [...this.nodes]);
  }
}

function bitCount(n: number): number {
  let bits = 0;
  for (; n > 0; n = Math.floor(n / 2)) bits += n % 2;
  return bits;
}
