//! Errors of certificate parsing, certificate issuance and chain validation.

use crate::ErrorCode;
use crate::crypto::{Algorithm, SignError};

/// Why bytes are not a usable certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateError {
    /// Larger than [`MAX_CERTIFICATE_SIZE`](super::MAX_CERTIFICATE_SIZE).
    #[error("certificate of {0} bytes exceeds the size limit")]
    TooLarge(usize),
    /// Not DER X.509, trailing data, or malformed extensions.
    #[error("malformed certificate: {0}")]
    Malformed(String),
    /// The signature algorithm is not one yinxin knows.
    #[error("unsupported signature algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// The subject public key is not a supported key.
    #[error("unsupported or malformed subject public key")]
    PublicKey,
    /// The certificate's key is on a curve yinxin does not support (P-521, brainpool…).
    #[error("the certificate's key is on {0}, which yinxin does not support")]
    UnsupportedKey(String),
    /// Malformed PEM.
    #[error("malformed PEM")]
    Pem,
    /// The input is not a certificate at all (a text file, a key); the text says what it looks
    /// like.
    #[error("not an X.509 certificate (PEM \"CERTIFICATE\" or DER): the file holds {0}")]
    NotCertificate(&'static str),
}

impl ErrorCode for CertificateError {
    fn code(&self) -> &'static str {
        match self {
            Self::TooLarge(_) => "trust.cert_too_large",
            Self::Malformed(_) => "trust.cert_malformed",
            Self::UnsupportedAlgorithm(_) => "trust.cert_unsupported_algorithm",
            Self::PublicKey => "trust.cert_public_key",
            Self::UnsupportedKey(_) => "trust.cert_unsupported_key",
            Self::Pem => "trust.cert_pem",
            Self::NotCertificate(_) => "trust.not_a_certificate",
        }
    }
}

/// Why a certificate could not be issued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IssueCertificateError {
    /// Encoding failed (a name or time out of range).
    #[error("certificate encoding failed: {0}")]
    Encode(String),
    /// The signer failed.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// The issuer certificate may not issue certificates (not a CA, or its path length is used up).
    #[error("the issuing certificate is not allowed to issue this certificate")]
    NotAllowed,
    /// The validity period is empty or outside the issuer's.
    #[error("validity period invalid: {0}")]
    Validity(String),
}

impl ErrorCode for IssueCertificateError {
    fn code(&self) -> &'static str {
        match self {
            Self::Encode(_) => "trust.cert_encode",
            Self::Sign(e) => e.code(),
            Self::NotAllowed => "trust.issuer_not_ca",
            Self::Validity(_) => "trust.cert_validity",
        }
    }
}

/// Why a certificate chain is not trusted. The most specific reason wins.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// No certificate given.
    #[error("empty certificate chain")]
    Empty,
    /// A certificate in the chain could not be read.
    #[error("certificate {index}: {error}")]
    Certificate {
        /// Position in the chain, 0 = leaf.
        index: usize,
        /// What is wrong with it.
        error: CertificateError,
    },
    /// More certificates than [`MAX_CHAIN_LENGTH`](super::MAX_CHAIN_LENGTH).
    #[error("chain longer than the limit")]
    ChainTooLong,
    /// The chain does not end at a configured root.
    #[error("no configured trust anchor issued this chain")]
    UntrustedRoot,
    /// A certificate's issuer name matches no next certificate.
    #[error("certificate {0}: its issuer is not the next certificate")]
    IssuerMismatch(usize),
    /// A certificate's signature does not verify with its issuer's key.
    #[error("certificate {0}: signature invalid")]
    SignatureInvalid(usize),
    /// A certificate is expired at the verification time.
    #[error("certificate {0}: expired")]
    Expired(usize),
    /// A certificate is not yet valid at the verification time.
    #[error("certificate {0}: not yet valid")]
    NotYetValid(usize),
    /// An issuing certificate is not a CA (basicConstraints).
    #[error("certificate {0}: not a CA certificate")]
    NotCa(usize),
    /// An issuing certificate's pathLenConstraint is exceeded.
    #[error("certificate {0}: path length constraint exceeded")]
    PathLength(usize),
    /// A keyUsage extension forbids the use (keyCertSign for issuers, digitalSignature or
    /// nonRepudiation for the leaf).
    #[error("certificate {0}: key usage does not allow this use")]
    KeyUsage(usize),
    /// A critical extension yinxin does not process.
    #[error("certificate {0}: unknown critical extension")]
    UnknownCriticalExtension(usize),
    /// A signature algorithm the policy does not allow.
    #[error("certificate {index}: algorithm {algorithm} not allowed by policy")]
    AlgorithmNotAllowed {
        /// Position in the chain.
        index: usize,
        /// The algorithm.
        algorithm: Algorithm,
    },
    /// The chain ends at an authority a trust list names, but that list is stale (past its
    /// next update and the grace period): fetch the current one.
    #[error(
        "the issuer is trusted through the trust list from {provider}, which is stale: it was to be \
         replaced by {}",
        crate::text::rfc3339(*.next_update)
    )]
    ListStale {
        /// The list's provider.
        provider: String,
        /// When it was to be replaced.
        next_update: time::OffsetDateTime,
    },
}

impl ErrorCode for TrustError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "trust.chain_empty",
            Self::Certificate { error, .. } => error.code(),
            Self::ChainTooLong => "trust.chain_too_long",
            Self::UntrustedRoot => "trust.untrusted_root",
            Self::IssuerMismatch(_) => "trust.issuer_mismatch",
            Self::SignatureInvalid(_) => "trust.cert_signature_invalid",
            Self::Expired(_) => "trust.cert_expired",
            Self::NotYetValid(_) => "trust.cert_not_yet_valid",
            Self::NotCa(_) => "trust.issuer_not_ca",
            Self::PathLength(_) => "trust.path_length",
            Self::KeyUsage(_) => "trust.key_usage",
            Self::UnknownCriticalExtension(_) => "trust.unknown_critical_extension",
            Self::AlgorithmNotAllowed { .. } => "trust.algorithm_not_allowed",
            Self::ListStale { .. } => "trust_list.stale",
        }
    }
}
