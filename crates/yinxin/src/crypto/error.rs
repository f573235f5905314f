//! Errors of the crypto operations, one enum per operation.

use crate::ErrorCode;

/// Why a key could not be generated, imported or exported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key's algorithm (OID, curve or name) is not one yinxin supports.
    #[error("unsupported key algorithm")]
    UnsupportedAlgorithm,
    /// An elliptic-curve key on a curve yinxin does not support (P-521, brainpool…): named, so
    /// that a certificate or a trust list entry says why it cannot be used.
    #[error("keys on {0} are not supported (yinxin verifies Ed25519, P-256, P-384 and SM2)")]
    UnsupportedCurve(String),
    /// The DER structure or the key material is malformed (not on the curve, wrong length…).
    #[error("malformed key")]
    Malformed,
    /// An Ed25519 public key of small order, under which signatures prove nothing.
    #[error("weak (small-order) public key")]
    WeakKey,
    /// The PEM armour is malformed.
    #[error("malformed PEM")]
    Pem,
    /// The PEM label is not one expected here (e.g. a certificate or a public key where a
    /// private key is needed).
    #[error("{} is needed here, and this file holds {}", .expected, pem_label_meaning(.found))]
    PemLabel {
        /// The label found.
        found: String,
        /// What the caller needed, e.g. "a private key (PKCS#8 or SEC1 PEM)".
        expected: &'static str,
    },
    /// The operating system's random number generator failed.
    #[error("the system random number generator failed")]
    Rng,
    /// The SM2 distinguishing identifier is too long (at most 8191 bytes).
    #[error("SM2 distinguishing identifier too long")]
    DistId,
    /// Encoding the key failed.
    #[error("key encoding failed")]
    Encode,
}

/// What a PEM label means, as a person reads it.
fn pem_label_meaning(label: &str) -> String {
    match label {
        "CERTIFICATE" => "a certificate".into(),
        "PUBLIC KEY" => "a public key".into(),
        "PRIVATE KEY" | "EC PRIVATE KEY" => "a private key".into(),
        "ENCRYPTED PRIVATE KEY" => "an encrypted private key (decrypt it first, e.g. openssl pkcs8)".into(),
        other => format!("a PEM block labelled \"{other}\""),
    }
}

impl ErrorCode for KeyError {
    fn code(&self) -> &'static str {
        match self {
            Self::UnsupportedAlgorithm => "crypto.key_unsupported_algorithm",
            Self::UnsupportedCurve(_) => "crypto.key_unsupported_curve",
            Self::Malformed => "crypto.key_malformed",
            Self::WeakKey => "crypto.key_weak",
            Self::Pem => "crypto.key_pem",
            Self::PemLabel { .. } => "crypto.key_pem_label",
            Self::Rng => "crypto.rng",
            Self::DistId => "crypto.sm2_distid",
            Self::Encode => "crypto.key_encode",
        }
    }
}

/// Why signing failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The operating system's random number generator failed.
    #[error("the system random number generator failed")]
    Rng,
    /// The signer (a keystore, an HSM) refused or failed; the text is the signer's.
    #[error("the signer failed: {0}")]
    Signer(String),
    /// The signer returned a signature of the wrong form.
    #[error("the signer returned a malformed signature")]
    Malformed,
}

impl ErrorCode for SignError {
    fn code(&self) -> &'static str {
        match self {
            Self::Rng => "crypto.rng",
            Self::Signer(_) => "crypto.signer_failed",
            Self::Malformed => "crypto.signature_malformed",
        }
    }
}

/// Why a signature did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The signature is not of the algorithm's form (length, DER, scalar range).
    #[error("malformed signature")]
    Malformed,
    /// The signature is well formed but does not verify with this key and message.
    #[error("signature invalid")]
    Invalid,
    /// The signature or key is of another algorithm than expected.
    #[error("algorithm mismatch: expected {expected}, found {found}")]
    AlgorithmMismatch {
        /// The algorithm expected (the key's or the caller's).
        expected: super::Algorithm,
        /// The algorithm found.
        found: super::Algorithm,
    },
    /// Batch input of different lengths, or another algorithm than the batch handles.
    #[error("batch input malformed")]
    Batch,
}

impl ErrorCode for VerifyError {
    fn code(&self) -> &'static str {
        match self {
            Self::Malformed => "crypto.signature_malformed",
            Self::Invalid => "crypto.signature_invalid",
            Self::AlgorithmMismatch { .. } => "crypto.algorithm_mismatch",
            Self::Batch => "crypto.batch_malformed",
        }
    }
}

/// An algorithm the deployment policy does not accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The signature algorithm is not allowed.
    #[error("signature algorithm {0} is not allowed by the policy")]
    Algorithm(super::Algorithm),
    /// The digest algorithm is not allowed.
    #[error("digest algorithm {0} is not allowed by the policy")]
    Digest(super::DigestAlgorithm),
}

impl ErrorCode for PolicyError {
    fn code(&self) -> &'static str {
        match self {
            Self::Algorithm(_) => "crypto.algorithm_not_allowed",
            Self::Digest(_) => "crypto.digest_not_allowed",
        }
    }
}
