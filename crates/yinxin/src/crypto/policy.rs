//! The deployment policy: which algorithms a verifier accepts.

use super::{Algorithm, DigestAlgorithm, PolicyError};

/// The set of signature and digest algorithms a deployment accepts.
///
/// Verifiers check the policy before verifying anything, so an algorithm named by the input is
/// never trusted on its own. Government systems that must use national algorithms take
/// [`AlgorithmPolicy::gm_only`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AlgorithmPolicy {
    signatures: u8,
    digests: u8,
}

fn sig_bit(a: Algorithm) -> u8 {
    match a {
        Algorithm::Ed25519 => 1,
        Algorithm::Es256 => 2,
        Algorithm::Sm2Sm3 => 4,
        Algorithm::Es384 => 8,
    }
}

fn digest_bit(d: DigestAlgorithm) -> u8 {
    match d {
        DigestAlgorithm::Sha256 => 1,
        DigestAlgorithm::Sm3 => 2,
    }
}

impl AlgorithmPolicy {
    /// Every algorithm yinxin supports.
    pub fn all() -> Self {
        Self::only(&Algorithm::ALL, &DigestAlgorithm::ALL)
    }

    /// The national (GM) algorithms only: SM2 with SM3, and SM3.
    pub fn gm_only() -> Self {
        Self::only(&[Algorithm::Sm2Sm3], &[DigestAlgorithm::Sm3])
    }

    /// Exactly these algorithms.
    pub fn only(signatures: &[Algorithm], digests: &[DigestAlgorithm]) -> Self {
        Self {
            signatures: signatures.iter().fold(0, |acc, &a| acc | sig_bit(a)),
            digests: digests.iter().fold(0, |acc, &d| acc | digest_bit(d)),
        }
    }

    /// Whether the signature algorithm is accepted.
    pub fn allows(&self, algorithm: Algorithm) -> bool {
        self.signatures & sig_bit(algorithm) != 0
    }

    /// Whether the digest algorithm is accepted.
    pub fn allows_digest(&self, digest: DigestAlgorithm) -> bool {
        self.digests & digest_bit(digest) != 0
    }

    /// `Ok` when the signature algorithm is accepted.
    pub fn check(&self, algorithm: Algorithm) -> Result<(), PolicyError> {
        if self.allows(algorithm) { Ok(()) } else { Err(PolicyError::Algorithm(algorithm)) }
    }

    /// `Ok` when the digest algorithm is accepted.
    pub fn check_digest(&self, digest: DigestAlgorithm) -> Result<(), PolicyError> {
        if self.allows_digest(digest) { Ok(()) } else { Err(PolicyError::Digest(digest)) }
    }
}

impl Default for AlgorithmPolicy {
    /// All algorithms.
    fn default() -> Self {
        Self::all()
    }
}
