//! The hash tree of tree claims: its shape, node and leaf hashes, the seed tree the salts come
//! from, and the proof a presentation carries (docs/decisions/0017).
//!
//! * Shape, from the leaf count `n` alone: for `n >= 3` the root's left child is leaf 0 (the
//!   issuer puts the largest element there) and its right child the RFC 6962 tree of leaves
//!   `1..n` (left subtree the largest power of two smaller than the range); otherwise RFC 6962.
//! * Hashes are SHA-256 or SM3 (GM profile) cut to [`NODE`] bytes, domain separated:
//!   leaf `H(0x00 ‖ salt ‖ key ‖ value)`, node `H(0x01 ‖ left ‖ right)`; the seeds of a node's
//!   children are the two 16-byte halves of `H(0x02 ‖ seed)`. The salt of a leaf is its seed;
//!   the root seed is the license's.
//! * Proof: in depth-first order, left before right, one [`NODE`]-byte value for each maximal
//!   subtree whose leaves are all disclosed (its seed) or all undisclosed (its hash). A fully
//!   disclosed tree is proved by its root seed, an undisclosed one by its root hash.

use crate::crypto::{DigestAlgorithm, Hasher};

/// Bytes of every hash and seed of the tree (128-bit security, decision 0017).
pub(crate) const NODE: usize = 16;
/// A hash or a seed.
pub(crate) type Node = [u8; NODE];
/// Most leaves a tree may have (the disclosure bitmap takes at most 32 bytes).
pub(crate) const MAX_LEAVES: usize = 256;

const LEAF: u8 = 0;
const INNER: u8 = 1;
const SEED: u8 = 2;

fn cut(full: [u8; 32]) -> Node {
    let mut out = [0u8; NODE];
    out.copy_from_slice(full.get(..NODE).unwrap_or(&[0u8; NODE]));
    out
}

/// The hash of a leaf: its salt, then the CBOR of its compact key and of its value.
pub(crate) fn leaf_hash(alg: DigestAlgorithm, salt: &Node, key_and_value: &[u8]) -> Node {
    let mut h = Hasher::new(alg);
    h.update(&[LEAF]);
    h.update(salt);
    h.update(key_and_value);
    cut(h.finalize())
}

fn node_hash(alg: DigestAlgorithm, left: &Node, right: &Node) -> Node {
    let mut h = Hasher::new(alg);
    h.update(&[INNER]);
    h.update(left);
    h.update(right);
    cut(h.finalize())
}

/// The seeds of a node's two children: the two halves of `H(0x02 ‖ seed)` (a length-doubling
/// generator, as in the GGM construction): one hash for both.
fn child_seeds(alg: DigestAlgorithm, seed: &Node) -> (Node, Node) {
    let mut h = Hasher::new(alg);
    h.update(&[SEED]);
    h.update(seed);
    let full = h.finalize();
    let (left, right) = full.split_at(NODE);
    (left.try_into().unwrap_or([0u8; NODE]), right.try_into().unwrap_or([0u8; NODE]))
}

/// Where the range `lo..hi` (two leaves or more) of a tree of `n` leaves splits.
fn split(n: usize, lo: usize, hi: usize) -> usize {
    if lo == 0 && hi == n && n >= 3 {
        return 1;
    }
    let len = hi - lo;
    let mut k = 1;
    while k * 2 < len {
        k *= 2;
    }
    lo + k
}

/// The tree of `n` leaves under one hash algorithm.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tree {
    pub alg: DigestAlgorithm,
    pub n: usize,
}

/// Why a proof does not fit its tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ProofMismatch;

impl Tree {
    /// The root over every leaf (`leaves[i]` is the key and value CBOR of leaf i), salts from
    /// `seed`. The issuer and the holder use this.
    pub(crate) fn root(&self, seed: &Node, leaves: &[Vec<u8>]) -> Node {
        self.subtree(0, self.n, seed, &|i| leaves.get(i).map(Vec::as_slice).unwrap_or_default())
    }

    fn subtree<'a>(&self, lo: usize, hi: usize, seed: &Node, leaf: &dyn Fn(usize) -> &'a [u8]) -> Node {
        if hi - lo <= 1 {
            return leaf_hash(self.alg, seed, leaf(lo));
        }
        let mid = split(self.n, lo, hi);
        let (l, r) = child_seeds(self.alg, seed);
        let left = self.subtree(lo, mid, &l, leaf);
        let right = self.subtree(mid, hi, &r, leaf);
        node_hash(self.alg, &left, &right)
    }

    /// The proof for disclosing the leaves marked in `disclosed`.
    pub(crate) fn prove(&self, seed: &Node, leaves: &[Vec<u8>], disclosed: &[bool]) -> Vec<u8> {
        let mut out = Vec::new();
        let leaf = |i: usize| leaves.get(i).map(Vec::as_slice).unwrap_or_default();
        self.prove_range(0, self.n, seed, &leaf, disclosed, &mut out);
        out
    }

    fn prove_range<'a>(
        &self,
        lo: usize,
        hi: usize,
        seed: &Node,
        leaf: &dyn Fn(usize) -> &'a [u8],
        disclosed: &[bool],
        out: &mut Vec<u8>,
    ) {
        let shown = (lo..hi).filter(|i| disclosed.get(*i).copied().unwrap_or(false)).count();
        if shown == hi - lo {
            out.extend_from_slice(seed);
        } else if shown == 0 {
            out.extend_from_slice(&self.subtree(lo, hi, seed, leaf));
        } else {
            let mid = split(self.n, lo, hi);
            let (l, r) = child_seeds(self.alg, seed);
            self.prove_range(lo, mid, &l, leaf, disclosed, out);
            self.prove_range(mid, hi, &r, leaf, disclosed, out);
        }
    }

    /// The root a verifier computes from the disclosed leaves (`shown[j]` is the key and value
    /// CBOR of the j-th disclosed leaf, in leaf order) and the proof, which must be used up.
    pub(crate) fn root_from_proof(
        &self,
        disclosed: &[bool],
        shown: &[Vec<u8>],
        proof: &[u8],
    ) -> Result<Node, ProofMismatch> {
        if disclosed.len() != self.n || disclosed.iter().filter(|d| **d).count() != shown.len() {
            return Err(ProofMismatch);
        }
        // Leaf i's bytes: the position of i among the disclosed leaves.
        let mut index = vec![usize::MAX; self.n];
        let mut j = 0;
        for (i, d) in disclosed.iter().enumerate() {
            if *d {
                if let Some(slot) = index.get_mut(i) {
                    *slot = j;
                }
                j += 1;
            }
        }
        let leaf = |i: usize| index.get(i).and_then(|j| shown.get(*j)).map(Vec::as_slice).unwrap_or_default();
        let mut rest = proof;
        let root = self.verify_range(0, self.n, &leaf, disclosed, &mut rest)?;
        if rest.is_empty() { Ok(root) } else { Err(ProofMismatch) }
    }

    fn verify_range<'a>(
        &self,
        lo: usize,
        hi: usize,
        leaf: &dyn Fn(usize) -> &'a [u8],
        disclosed: &[bool],
        proof: &mut &[u8],
    ) -> Result<Node, ProofMismatch> {
        let shown = (lo..hi).filter(|i| disclosed.get(*i).copied().unwrap_or(false)).count();
        if shown == 0 || shown == hi - lo {
            let (head, tail) = proof.split_first_chunk::<NODE>().ok_or(ProofMismatch)?;
            *proof = tail;
            return Ok(if shown == 0 { *head } else { self.subtree(lo, hi, head, leaf) });
        }
        let mid = split(self.n, lo, hi);
        let left = self.verify_range(lo, mid, leaf, disclosed, proof)?;
        let right = self.verify_range(mid, hi, leaf, disclosed, proof)?;
        Ok(node_hash(self.alg, &left, &right))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Vec<u8>> {
        (0..n).map(|i| format!("leaf {i}").into_bytes()).collect()
    }

    #[test]
    fn every_subset_of_small_trees_proves_the_root() {
        for alg in [DigestAlgorithm::Sha256, DigestAlgorithm::Sm3] {
            for n in 1..=9 {
                let tree = Tree { alg, n };
                let seed = [7u8; NODE];
                let all = leaves(n);
                let root = tree.root(&seed, &all);
                for mask in 0u32..(1 << n) {
                    let disclosed: Vec<bool> = (0..n).map(|i| mask & (1 << i) != 0).collect();
                    let proof = tree.prove(&seed, &all, &disclosed);
                    assert_eq!(proof.len() % NODE, 0);
                    let shown: Vec<Vec<u8>> =
                        all.iter().zip(&disclosed).filter(|(_, d)| **d).map(|(l, _)| l.clone()).collect();
                    assert_eq!(
                        tree.root_from_proof(&disclosed, &shown, &proof),
                        Ok(root),
                        "n {n} mask {mask:b}"
                    );
                    // A changed value, a short or long proof: another root or a refusal.
                    if let Some(first) = shown.first() {
                        let mut changed = shown.clone();
                        changed[0] = [first.as_slice(), b"x"].concat();
                        assert_ne!(tree.root_from_proof(&disclosed, &changed, &proof), Ok(root));
                    }
                    assert!(tree.root_from_proof(&disclosed, &shown, &proof[NODE..]).is_err());
                    let longer = [proof.as_slice(), &[0u8; NODE]].concat();
                    assert!(tree.root_from_proof(&disclosed, &shown, &longer).is_err());
                }
            }
        }
    }

    #[test]
    fn the_largest_leaf_sits_next_to_the_root() {
        let tree = Tree { alg: DigestAlgorithm::Sha256, n: 22 };
        let all = leaves(22);
        let mut disclosed = vec![false; 22];
        disclosed[0] = true;
        // Leaf 0's seed and the hash of the other 21: two values.
        assert_eq!(tree.prove(&[1u8; NODE], &all, &disclosed).len(), 2 * NODE);
        disclosed[0] = false;
        disclosed[21] = true;
        assert!(tree.prove(&[1u8; NODE], &all, &disclosed).len() > 2 * NODE);
    }

    #[test]
    fn undisclosed_salts_differ_from_disclosed_ones() {
        // The seed of a subtree is never the seed of its sibling or of its parent.
        let alg = DigestAlgorithm::Sm3;
        let seed = [3u8; NODE];
        let (l, r) = child_seeds(alg, &seed);
        assert_ne!(l, r);
        assert_ne!(l, seed);
    }
}
