//! P-256 signature verification backends.
//!
//! With the `ring` feature (the default), verification runs in ring, whose P-256 arithmetic is
//! about four times faster than the pure-Rust `p256` crate on x86-64 and AArch64 (figures in
//! BENCHMARKS.md) and which builds for Android and iOS. Without it, the `p256` crate verifies.
//! Key generation, import and signing always use the `p256` crate.

use super::VerifyError;

/// A P-256 public key prepared for verification.
#[derive(Clone)]
pub(crate) struct P256Verifier {
    /// The uncompressed SEC1 point, as ring takes it.
    #[cfg(feature = "ring")]
    sec1: [u8; 65],
    #[cfg(not(feature = "ring"))]
    key: p256::ecdsa::VerifyingKey,
}

impl P256Verifier {
    pub(crate) fn new(key: &p256::PublicKey) -> Self {
        #[cfg(feature = "ring")]
        {
            use p256::elliptic_curve::sec1::ToSec1Point;
            let point = key.to_sec1_point(false);
            let mut sec1 = [0u8; 65];
            if point.as_bytes().len() == 65 {
                sec1.copy_from_slice(point.as_bytes());
            }
            Self { sec1 }
        }
        #[cfg(not(feature = "ring"))]
        {
            Self { key: p256::ecdsa::VerifyingKey::from(key) }
        }
    }

    /// Verifies a raw `r ‖ s` ECDSA P-256/SHA-256 signature.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), VerifyError> {
        // Range-check r and s first so that malformed and invalid signatures are told apart.
        let parsed = p256::ecdsa::Signature::from_slice(signature).map_err(|_| VerifyError::Malformed)?;
        #[cfg(feature = "ring")]
        {
            let _ = parsed;
            use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &self.sec1[..])
                .verify(message, signature)
                .map_err(|_| VerifyError::Invalid)
        }
        #[cfg(not(feature = "ring"))]
        {
            use p256::ecdsa::signature::Verifier as _;
            self.key.verify(message, &parsed).map_err(|_| VerifyError::Invalid)
        }
    }

    /// The name of the backend in use, for benchmark reports.
    pub(crate) const BACKEND: &'static str = if cfg!(feature = "ring") { "ring" } else { "p256" };
}
