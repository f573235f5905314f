//! Why a trust list could not be made, read, verified or accepted.

use time::OffsetDateTime;

use crate::ErrorCode;
use crate::crypto::SignError;
use crate::text::rfc3339;
use crate::trust::{CertificateError, TrustError};

/// Why a trust list is refused. Each variant has a stable code (`trust_list.*`, or the
/// `trust.*` code of the operator's certificate chain).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustListError {
    /// Larger than [`MAX_TRUST_LIST_SIZE`](super::MAX_TRUST_LIST_SIZE) bytes.
    #[error("trust list of {0} bytes exceeds the size limit")]
    TooLarge(usize),
    /// Not a COSE_Sign1 over a VICAL map, or a field of the wrong type (the text says which).
    #[error("malformed trust list: {0}")]
    Malformed(String),
    /// More entries, document types or extensions than the limits allow.
    #[error("trust list too large: {0}")]
    TooManyEntries(String),
    /// The list carries no certificate chain (x5chain) naming its operator.
    #[error("the trust list names no signer certificate (x5chain)")]
    NoSignerCertificate,
    /// The operator's certificate does not chain to a configured list-operator anchor.
    #[error("the trust list's operator is not trusted: {0}")]
    OperatorUntrusted(TrustError),
    /// The algorithm header is missing, not the operator key's, or not allowed by policy.
    #[error("the trust list's signature algorithm is missing, not the operator key's, or not allowed")]
    Algorithm,
    /// The operator's signature does not verify.
    #[error("the trust list's signature is invalid")]
    SignatureInvalid,
    /// The list's `date` is in the future.
    #[error("the trust list is dated {}, after the verification time", rfc3339(*.0))]
    NotYetValid(OffsetDateTime),
    /// Past `nextUpdate` and the grace period: a newer list should have replaced it.
    #[error(
        "the trust list from {provider} (issue {issue_id}) is stale: it was to be replaced by {}; fetch \
         the current list",
        rfc3339(*.next_update)
    )]
    Stale {
        /// The list provider.
        provider: String,
        /// Its issue id.
        issue_id: u64,
        /// When it was to be replaced.
        next_update: OffsetDateTime,
    },
    /// An older list than one already accepted from the same operator (a rollback).
    #[error(
        "trust list issue {offered} from {provider} is older than issue {accepted}, already accepted: \
         refused as a rollback"
    )]
    Rollback {
        /// The list provider.
        provider: String,
        /// The issue id accepted before.
        accepted: u64,
        /// The issue id offered now.
        offered: u64,
    },
    /// The same issue id as an accepted list, with different content.
    #[error("trust list issue {issue_id} from {provider} differs from the issue {issue_id} accepted before")]
    Conflict {
        /// The list provider.
        provider: String,
        /// The issue id.
        issue_id: u64,
    },
    /// The saved record of accepted lists (for rollback) cannot be read: the verifier fails
    /// closed rather than forget which lists it accepted.
    #[error("the trust list state cannot be read: {0}")]
    State(String),
    /// Making a list: a region that is not a GB/T 2260 division code.
    #[error("{0:?} is not a GB/T 2260 administrative division code (six digits, e.g. 510000)")]
    Region(String),
    /// Making a list: an entry's type is neither a license type code nor a document type.
    #[error("{0:?} is neither a license type code (GB/T 36904) nor a document type")]
    DocType(String),
    /// Making a list: an entry's certificate is unusable (unsupported key, malformed).
    #[error("entry certificate: {0}")]
    Certificate(CertificateError),
    /// Making a list: the signer's certificate is not the signing key's, or is not valid at
    /// the list's date.
    #[error("the signer certificate {0}")]
    SignerCertificate(String),
    /// Making a list: a field out of range (dates, empty provider, no entries).
    #[error("{0}")]
    Invalid(String),
    /// Making a list: encoding failed.
    #[error("encoding the trust list failed: {0}")]
    Encode(String),
    /// Making a list: the signer failed.
    #[error(transparent)]
    Sign(#[from] SignError),
}

impl ErrorCode for TrustListError {
    fn code(&self) -> &'static str {
        match self {
            Self::TooLarge(_) => "trust_list.too_large",
            Self::Malformed(_) => "trust_list.malformed",
            Self::TooManyEntries(_) => "trust_list.too_many_entries",
            Self::NoSignerCertificate => "trust_list.no_signer_certificate",
            Self::OperatorUntrusted(TrustError::UntrustedRoot) => "trust_list.operator_untrusted",
            Self::OperatorUntrusted(e) => e.code(),
            Self::Algorithm => "trust_list.algorithm",
            Self::SignatureInvalid => "trust_list.signature_invalid",
            Self::NotYetValid(_) => "trust_list.not_yet_valid",
            Self::Stale { .. } => "trust_list.stale",
            Self::Rollback { .. } => "trust_list.rollback",
            Self::Conflict { .. } => "trust_list.conflict",
            Self::State(_) => "trust_list.state_unreadable",
            Self::Region(_) => "trust_list.region",
            Self::DocType(_) => "trust_list.doc_type",
            Self::Certificate(e) => e.code(),
            Self::SignerCertificate(_) => "trust_list.signer_certificate",
            Self::Invalid(_) => "trust_list.invalid",
            Self::Encode(_) => "trust_list.encode",
            Self::Sign(e) => e.code(),
        }
    }
}

impl From<crate::cose::CoseError> for TrustListError {
    fn from(e: crate::cose::CoseError) -> Self {
        Self::Malformed(e.to_string())
    }
}

/// Why one entry of a verified list is not used (the rest of the list still is).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EntryError {
    /// The certificate cannot be used here (e.g. a P-521 or brainpool key), or is malformed.
    #[error(transparent)]
    Certificate(CertificateError),
    /// The entry's serialNumber or ski is not its certificate's.
    #[error("the entry's {0} does not match its certificate")]
    Inconsistent(&'static str),
    /// The entry names no document type, so it may issue nothing.
    #[error("the entry names no document type")]
    NoDocType,
}

impl ErrorCode for EntryError {
    fn code(&self) -> &'static str {
        match self {
            Self::Certificate(e) => e.code(),
            Self::Inconsistent(_) => "trust_list.entry_inconsistent",
            Self::NoDocType => "trust_list.entry_no_doc_type",
        }
    }
}
