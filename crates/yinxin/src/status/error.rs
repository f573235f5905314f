//! Errors of status list decoding, signing and verification.

use crate::ErrorCode;

/// Why a status list or Status List Token is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusError {
    /// Not the expected CBOR structure.
    #[error("malformed status list: {0}")]
    Malformed(String),
    /// `bits` is not 1, 2, 4 or 8.
    #[error("bits must be 1, 2, 4 or 8, not {0}")]
    Bits(u64),
    /// The compressed list inflates past the limit (a zlib bomb, or a list larger than allowed).
    #[error("status list inflates past the limit of {0} bytes")]
    TooLarge(usize),
    /// `lst` is not valid zlib data.
    #[error("status list is not valid zlib data")]
    Zlib,
    /// An index outside the list.
    #[error("index {index} outside a list of {size} entries")]
    Index {
        /// The index asked for.
        index: u64,
        /// The list's size.
        size: u64,
    },
    /// A status value that does not fit the list's bits.
    #[error("value {value} does not fit in {bits} bits")]
    Value {
        /// The value.
        value: u8,
        /// The bits per entry.
        bits: u8,
    },
    /// The token's signature does not verify.
    #[error("status list token signature invalid")]
    SignatureInvalid,
    /// The token's algorithm is unknown, not the key's, or not allowed.
    #[error("status list token algorithm not accepted")]
    Algorithm,
    /// The token's signer certificate chain is not trusted.
    #[error("status list token signer: {0}")]
    Chain(crate::trust::TrustError),
    /// The token is expired (`exp`) at the verification time.
    #[error("status list token expired")]
    Expired,
    /// The token is issued in the future (`iat`).
    #[error("status list token not yet valid")]
    NotYetValid,
    /// The token's `sub` is not the URI it was fetched for.
    #[error("status list token is for {found}, expected {expected}")]
    Subject {
        /// The token's sub.
        found: String,
        /// The URI expected.
        expected: String,
    },
    /// Encoding or signing failed.
    #[error("encoding failed: {0}")]
    Encode(String),
    /// The token's protected header does not say `typ` `application/statuslist+cwt`
    /// (draft-ietf-oauth-status-list §5.2): another kind of CWT, perhaps signed by the same
    /// key, is not taken for a status list.
    #[error("not a Status List Token: typ is {}, expected \"application/statuslist+cwt\"", .0.as_deref().map_or_else(|| "missing".to_owned(), |t| format!("{t:?}")))]
    Type(Option<String>),
    /// The token's `crit` header is malformed or names what yinxin does not implement.
    #[error("critical header: {0}")]
    CriticalHeader(String),
}

impl From<crate::cose::CoseError> for StatusError {
    fn from(e: crate::cose::CoseError) -> Self {
        match e {
            crate::cose::CoseError::CriticalHeader(why) => Self::CriticalHeader(why),
            other => Self::Malformed(other.to_string()),
        }
    }
}

impl ErrorCode for StatusError {
    fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "status.malformed",
            Self::Bits(_) => "status.bits",
            Self::TooLarge(_) => "status.too_large",
            Self::Zlib => "status.zlib",
            Self::Index { .. } => "status.index",
            Self::Value { .. } => "status.value",
            Self::SignatureInvalid => "status.signature_invalid",
            Self::Algorithm => "status.algorithm",
            Self::Chain(e) => e.code(),
            Self::Expired => "status.expired",
            Self::NotYetValid => "status.not_yet_valid",
            Self::Subject { .. } => "status.subject_mismatch",
            Self::Encode(_) => "status.encode",
            Self::Type(_) => "status.typ_invalid",
            Self::CriticalHeader(_) => "cose.crit_invalid",
        }
    }
}
