import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isVaultError } from '../../../common/errors.js';
import { EMPTY_ROOT, leafHash, merkleRoot, MerkleFrontier, nodeHash } from '../../../core/audit/merkle.js';

/**
 * Reference vectors of RFC 6962 hashing, from transparency-dev/merkle `testonly/constants.go` (the same
 * values as google/certificate-transparency's C++ and Go merkle tests): eight leaf inputs, the root at
 * every size 0..8, and the compact range (`CompactTrees`) at every size.
 */
const LEAF_INPUTS = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((hex) => Buffer.from(hex, 'hex'));

const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** NodeHashes() of constants.go, by level: the complete subtrees of the 8-leaf tree. */
const NODES = [
  [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  [
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
  ],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
];
const n = (level: number, index: number) => NODES[level]![index]!;

/** CompactTrees() of constants.go: the frontier at sizes 0..8. */
const COMPACT = [
  [],
  [n(0, 0)],
  [n(1, 0)],
  [n(1, 0), n(0, 2)],
  [n(2, 0)],
  [n(2, 0), n(0, 4)],
  [n(2, 0), n(1, 2)],
  [n(2, 0), n(1, 2), n(0, 6)],
  [n(3, 0)],
];

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('RFC 6962 Merkle tree hashing', () => {
  it('hashes the empty tree as SHA-256 of nothing, and leaves and nodes with their 0x00 / 0x01 prefixes', () => {
    assert.equal(hex(EMPTY_ROOT), ROOTS[0]);
    assert.equal(hex(leafHash(LEAF_INPUTS[0]!)), n(0, 0), 'leaf of the empty input');
    assert.equal(hex(leafHash(LEAF_INPUTS[1]!)), n(0, 1));
    assert.equal(hex(nodeHash(leafHash(LEAF_INPUTS[0]!), leafHash(LEAF_INPUTS[1]!))), n(1, 0));
    const direct = createHash('sha256')
      .update(Buffer.from([1]))
      .update(Buffer.from(n(0, 0), 'hex'))
      .update(Buffer.from(n(0, 1), 'hex'))
      .digest('hex');
    assert.equal(direct, n(1, 0), 'node = SHA-256(0x01 ‖ left ‖ right)');
  });

  it('gives the reference root at every size 0..8, recursively and incrementally', () => {
    const tree = MerkleFrontier.empty();
    for (let size = 0; size <= LEAF_INPUTS.length; size++) {
      assert.equal(hex(merkleRoot(LEAF_INPUTS.slice(0, size))), ROOTS[size], `recursive MTH, size ${size}`);
      assert.equal(hex(tree.root()), ROOTS[size], `incremental root, size ${size}`);
      assert.deepEqual(tree.toJSON(), { size, frontier: COMPACT[size] }, `compact range, size ${size}`);
      if (size < LEAF_INPUTS.length) tree.append(LEAF_INPUTS[size]!);
    }
  });

  it('resumes from a stored frontier and reaches the same roots', () => {
    for (let size = 0; size <= LEAF_INPUTS.length; size++) {
      const tree = MerkleFrontier.resume(JSON.parse(JSON.stringify({ size, frontier: COMPACT[size] })));
      for (const leaf of LEAF_INPUTS.slice(size)) tree.append(leaf);
      assert.equal(hex(tree.root()), ROOTS[8], `resumed at ${size}`);
    }
  });

  it('refuses a frontier that cannot belong to a tree of its size', () => {
    const refuse = (state: unknown, what: string) =>
      assert.throws(
        () => MerkleFrontier.resume(state as never),
        (e: unknown) => isVaultError(e, 'INTEGRITY'),
        what,
      );
    refuse({ size: 3, frontier: [n(1, 0)] }, 'size 3 needs two nodes');
    refuse({ size: 4, frontier: [n(1, 0), n(0, 2)] }, 'size 4 needs one node');
    refuse({ size: 1, frontier: ['zz'] }, 'a node that is not hex');
    refuse({ size: 1, frontier: [n(0, 0).slice(2)] }, 'a short node');
    refuse({ size: -1, frontier: [] }, 'a negative size');
    refuse({ size: 1.5, frontier: [n(0, 0)] }, 'a fractional size');
  });

  it('incremental root equals the recursive MTH for random leaves and sizes (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 40 }), { maxLength: 300 }),
        fc.integer({ min: 0, max: 300 }),
        (leaves, cut) => {
          const tree = MerkleFrontier.empty();
          const at = Math.min(cut, leaves.length);
          leaves.slice(0, at).forEach((leaf) => tree.append(leaf));
          assert.equal(hex(tree.root()), hex(merkleRoot(leaves.slice(0, at))));
          // Serialise at `at`, resume, and finish: the same root as building it in one go.
          const resumed = MerkleFrontier.resume(JSON.parse(JSON.stringify(tree.toJSON())));
          leaves.slice(at).forEach((leaf) => resumed.append(leaf));
          assert.equal(hex(resumed.root()), hex(merkleRoot(leaves)));
          assert.equal(resumed.size, leaves.length);
        },
      ),
      { seed: 6962, numRuns: 200 },
    );
  });

  it('keeps the frontier to one node per set bit of the size, and root() leaves the tree unchanged', () => {
    const tree = MerkleFrontier.empty();
    for (let i = 0; i < 1025; i++) tree.append(Buffer.from([i & 0xff, i >> 8]));
    assert.equal(tree.toJSON().frontier.length, 2, '1025 = 2^10 + 1');
    const root = hex(tree.root());
    assert.equal(hex(tree.root()), root);
    const copy = tree.clone();
    copy.append(Buffer.alloc(32));
    assert.equal(hex(tree.root()), root, 'a clone grows on its own');
  });
});
