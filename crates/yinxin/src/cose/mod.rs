//! The one COSE/CBOR layer every signed format of yinxin is read and written with: licenses
//! (ISO 18013-5 issuerAuth, compact QR claims), status list tokens, presentations, and the
//! formats that follow (trust lists).
//!
//! * `cbor`: the bounded CBOR walker of decision 0009, reading headers and spans without
//!   re-encoding anything, and the value helpers (duplicate keys refused, nesting bounded).
//! * `sign1`: COSE_Sign1 as a verifier reads it, with its exact signed bytes, the
//!   `Sig_structure`, and the header rules of RFC 9052 §3 (labels once, never in both headers,
//!   `crit`), the algorithm, `typ`, `kid` and `x5chain` headers.
//! * `build`: COSE_Sign1 as yinxin signs it, with coset, the algorithm header value in one
//!   place.
//!
//! It sits between `crypto` and `trust` (DESIGN.md): it knows algorithms and signers, and
//! hands certificates on as bytes; the formats above it map [`CoseError`] to their own errors,
//! keeping their stable codes.

pub(crate) mod build;
pub(crate) mod cbor;
pub(crate) mod sign1;

use crate::ErrorCode;

/// Why COSE or CBOR input could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CoseError {
    /// Not well-formed CBOR, or not the structure expected (the text says what).
    #[error("malformed CBOR: {0}")]
    Malformed(String),
    /// Nested deeper than the limit.
    #[error("CBOR nested too deeply")]
    TooDeep,
    /// A COSE header or the COSE_Sign1 structure is not as RFC 9052 requires.
    #[error("COSE_Sign1: {0}")]
    Header(String),
    /// `crit` is malformed or names a label that is absent or not implemented (RFC 9052 §3.1).
    #[error("critical header: {0}")]
    CriticalHeader(String),
    /// The algorithm header is missing or names an algorithm yinxin does not know.
    #[error("algorithm not supported")]
    UnsupportedAlgorithm,
}

impl ErrorCode for CoseError {
    fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "cose.malformed",
            Self::TooDeep => "cose.too_deep",
            Self::Header(_) => "cose.header",
            Self::CriticalHeader(_) => "cose.crit_invalid",
            Self::UnsupportedAlgorithm => "cose.algorithm",
        }
    }
}
