//! Streaming message digests (SHA-256, SM3). SHA-256 is ring's (assembly, about twice the
//! speed of the portable code on CPUs without SHA extensions) when the `ring` feature is on,
//! RustCrypto's sha2 otherwise; both are tested against the FIPS 180-4 examples.

// The RustCrypto digest trait (sha2 and sm3 re-export the same one).
use sm3::Digest as _;

use super::DigestAlgorithm;

/// An incremental digest computation, for data that arrives in pieces (files, documents).
#[derive(Clone)]
pub struct Hasher(Inner);

#[derive(Clone)]
enum Inner {
    #[cfg(feature = "ring")]
    Sha256(ring::digest::Context),
    #[cfg(not(feature = "ring"))]
    Sha256(sha2::Sha256),
    Sm3(sm3::Sm3),
}

impl Hasher {
    /// Starts a digest with `algorithm`.
    pub fn new(algorithm: DigestAlgorithm) -> Self {
        Self(match algorithm {
            #[cfg(feature = "ring")]
            DigestAlgorithm::Sha256 => Inner::Sha256(ring::digest::Context::new(&ring::digest::SHA256)),
            #[cfg(not(feature = "ring"))]
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
            #[cfg(feature = "ring")]
            Inner::Sha256(h) => {
                let mut out = [0u8; 32];
                out.copy_from_slice(h.finish().as_ref());
                out
            }
            #[cfg(not(feature = "ring"))]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_and_sm3_give_the_standard_digests() {
        // FIPS 180-4 and GB/T 32905 examples: "abc", in pieces.
        for (alg, hex) in [
            (DigestAlgorithm::Sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (DigestAlgorithm::Sm3, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
        ] {
            let mut h = Hasher::new(alg);
            h.update(b"a");
            h.update(b"bc");
            assert_eq!(hex::encode(h.finalize()), hex, "{alg}");
        }
        let mut long = Hasher::new(DigestAlgorithm::Sha256);
        long.update(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
        assert_eq!(
            hex::encode(long.finalize()),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }
}
