//! The two encodings of a signature: raw `r ‖ s` (COSE) and DER (X.509, GB/T 38540).

use super::{Algorithm, VerifyError};

/// How a signature is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureFormat {
    /// Fixed-length `r ‖ s` (32 + 32 bytes), as COSE uses; for Ed25519 the 64-byte signature.
    Raw,
    /// DER `SEQUENCE { r INTEGER, s INTEGER }`, as X.509 and GB/T 38540 use; for Ed25519 the
    /// same 64 bytes as [`SignatureFormat::Raw`] (RFC 8410 puts them in the BIT STRING as is).
    Der,
}

/// Re-encodes a raw signature as DER. Refuses values that are not a valid signature encoding
/// (wrong length, zero or out-of-range scalars).
pub fn raw_to_der(algorithm: Algorithm, raw: &[u8]) -> Result<Vec<u8>, VerifyError> {
    match algorithm {
        Algorithm::Ed25519 => ed25519(raw),
        Algorithm::Es256 => p256::ecdsa::Signature::from_slice(raw)
            .map(|s| s.to_der().as_bytes().to_vec())
            .map_err(|_| VerifyError::Malformed),
        Algorithm::Sm2Sm3 => sm2::dsa::Signature::from_slice(raw)
            .map(|s| s.to_der().as_bytes().to_vec())
            .map_err(|_| VerifyError::Malformed),
        Algorithm::Es384 => p384::ecdsa::Signature::from_slice(raw)
            .map(|s| s.to_der().as_bytes().to_vec())
            .map_err(|_| VerifyError::Malformed),
    }
}

/// Decodes a DER signature into its raw form. The DER must be strict (minimal integers, no
/// trailing data).
pub fn der_to_raw(algorithm: Algorithm, der: &[u8]) -> Result<Vec<u8>, VerifyError> {
    match algorithm {
        Algorithm::Ed25519 => ed25519(der),
        Algorithm::Es256 => p256::ecdsa::Signature::from_der(der)
            .map(|s| s.to_bytes().to_vec())
            .map_err(|_| VerifyError::Malformed),
        Algorithm::Sm2Sm3 => {
            sm2::dsa::Signature::from_der(der).map(|s| s.to_vec()).map_err(|_| VerifyError::Malformed)
        }
        Algorithm::Es384 => p384::ecdsa::Signature::from_der(der)
            .map(|s| s.to_bytes().to_vec())
            .map_err(|_| VerifyError::Malformed),
    }
}

fn ed25519(sig: &[u8]) -> Result<Vec<u8>, VerifyError> {
    if sig.len() == 64 { Ok(sig.to_vec()) } else { Err(VerifyError::Malformed) }
}
