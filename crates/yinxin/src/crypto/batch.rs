//! Batch verification of many Ed25519 signatures at once, for backends.

use super::{PublicKey, VerifyError};

/// Verifies many Ed25519 signatures together, about twice as fast per signature as one by one
/// for large batches (figures in BENCHMARKS.md).
///
/// `items` are `(key, message, signature)`. The result is `Ok` only if every signature is
/// valid; on failure it does not say which one failed: verify them one by one to find out.
/// Keys of other algorithms, or signatures that are not 64 bytes, are [`VerifyError::Batch`]
/// and [`VerifyError::Malformed`].
///
/// Batch verification uses the cofactored equation; single verification
/// ([`Verifier::verify`](super::Verifier::verify)) is the stricter cofactorless one. For
/// signatures made by honest signers both agree.
pub fn verify_ed25519_batch(items: &[(&PublicKey, &[u8], &[u8])]) -> Result<(), VerifyError> {
    let mut keys = Vec::with_capacity(items.len());
    let mut messages = Vec::with_capacity(items.len());
    let mut signatures = Vec::with_capacity(items.len());
    for (key, message, signature) in items {
        keys.push(*key.as_ed25519().ok_or(VerifyError::Batch)?);
        messages.push(*message);
        signatures.push(ed25519_dalek::Signature::from_slice(signature).map_err(|_| VerifyError::Malformed)?);
    }
    ed25519_dalek::verify_batch(&messages, &signatures, &keys).map_err(|_| VerifyError::Invalid)
}
