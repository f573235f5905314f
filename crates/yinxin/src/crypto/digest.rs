//! Streaming message digests (SHA-256, SM3).

use sha2::Digest as _;

use super::DigestAlgorithm;

/// An incremental digest computation, for data that arrives in pieces (files, documents).
#[derive(Clone)]
pub struct Hasher(Inner);

#[derive(Clone)]
enum Inner {
    Sha256(sha2::Sha256),
    Sm3(sm3::Sm3),
}

impl Hasher {
    /// Starts a digest with `algorithm`.
    pub fn new(algorithm: DigestAlgorithm) -> Self {
        Self(match algorithm {
            DigestAlgorithm::Sha256 => Inner::Sha256(sha2::Sha256::new()),
            DigestAlgorithm::Sm3 => Inner::Sm3(sm3::Sm3::new()),
        })
    }

    /// The algorithm.
    pub fn algorithm(&self) -> DigestAlgorithm {
        match self.0 {
            Inner::Sha256(_) => DigestAlgorithm::Sha256,
            Inner::Sm3(_) => DigestAlgorithm::Sm3,
        }
    }

    /// Adds data.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.0 {
            Inner::Sha256(h) => h.update(data),
            Inner::Sm3(h) => h.update(data),
        }
    }

    /// The digest of everything added.
    pub fn finalize(self) -> [u8; 32] {
        match self.0 {
            Inner::Sha256(h) => h.finalize().into(),
            Inner::Sm3(h) => h.finalize().into(),
        }
    }
}

impl std::io::Write for Hasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Hasher({})", self.algorithm())
    }
}
