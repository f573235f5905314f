//! Errors of license issuance and verification.

use crate::ErrorCode;
use crate::crypto::{Algorithm, DigestAlgorithm, SignError};
use crate::trust::TrustError;

/// Why a license was not issued. Nothing is signed when any check fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// The license data could not be read (JSON shape).
    #[error("license data unreadable: {0}")]
    Data(String),
    /// An identifier in the data is invalid; the field and the identifier's own code say which.
    #[error("{field}: {message}")]
    Identifier {
        /// The metadata element.
        field: &'static str,
        /// The identifier error's stable code.
        code: &'static str,
        /// Its message.
        message: String,
    },
    /// The license identifier's type code is not `license_type_code`.
    #[error("license_identifier names type {found}, license_type_code is {expected}")]
    TypeCodeMismatch {
        /// The type code in the identifier.
        found: String,
        /// license_type_code.
        expected: String,
    },
    /// The license identifier's issuer is not `issuer_code`.
    #[error("license_identifier names issuer {found}, issuer_code is {expected}")]
    IdentifierIssuerMismatch {
        /// The issuer in the identifier.
        found: String,
        /// issuer_code.
        expected: String,
    },
    /// `issuer_code` is not the USCC in the signing certificate.
    #[error("issuer_code {found} is not the signing certificate's USCC {expected}")]
    IssuerCertificateMismatch {
        /// issuer_code.
        found: String,
        /// The certificate's USCC (or a note that it names none).
        expected: String,
    },
    /// `holder_code_type` is neither 111 (resident ID) nor 001 (USCC).
    #[error("holder_code_type {0:?} is not 111 or 001")]
    HolderCodeType(String),
    /// `holder_code` is a valid identifier, but of the other kind than `holder_code_type` says
    /// (a USCC under 111, a resident ID number under 001).
    #[error(
        "holder_code is a {} but holder_code_type {code_type} says {}",
        kind_words(found),
        code_type_words(code_type)
    )]
    HolderCodeMismatch {
        /// holder_code_type.
        code_type: String,
        /// What holder_code is (`uscc` or `resident_id`).
        found: &'static str,
    },
    /// `holder_kind` contradicts `holder_code_type`.
    #[error("holder_kind {kind} does not go with holder_code_type {code_type}")]
    HolderKind {
        /// holder_kind.
        kind: String,
        /// holder_code_type.
        code_type: String,
    },
    /// A date element is not an RFC 3339 full-date.
    #[error("{0} is not a YYYY-MM-DD date")]
    Date(String),
    /// valid_from is after valid_until.
    #[error("valid_from is after valid_until")]
    ValidityOrder,
    /// valid_until is already past at issuance.
    #[error("valid_until is in the past")]
    AlreadyExpired,
    /// An element name or value is unusable (empty, too long, too many elements, reserved).
    #[error("element {0:?} invalid")]
    Element(String),
    /// The signer's key is not the signing certificate's key.
    #[error("the signer's key is not the certificate's key")]
    SignerMismatch,
    /// The signing certificate is not valid at the time of issuance.
    #[error("the signing certificate is not valid at issuance time")]
    CertificateValidity,
    /// Encoding failed.
    #[error("encoding failed: {0}")]
    Encode(String),
    /// The credential would be larger than verifiers accept
    /// ([`MAX_CREDENTIAL_SIZE`](super::MAX_CREDENTIAL_SIZE)), or would break another limit of
    /// theirs (nesting, item counts): it is not issued, since nobody could verify it.
    #[error("the credential would be refused by every verifier: {0}")]
    WouldNotVerify(String),
    /// The signer failed.
    #[error(transparent)]
    Sign(#[from] SignError),
}

fn kind_words(kind: &str) -> &'static str {
    match kind {
        "uscc" => "unified social credit code (USCC)",
        _ => "resident identity number",
    }
}

fn code_type_words(code_type: &str) -> &'static str {
    match code_type {
        "001" => "a USCC (001)",
        _ => "a resident identity number (111)",
    }
}

impl ErrorCode for IssueError {
    fn code(&self) -> &'static str {
        match self {
            Self::Data(_) => "license.data_malformed",
            Self::Identifier { code, .. } => code,
            Self::TypeCodeMismatch { .. } => "license.type_code_mismatch",
            Self::IdentifierIssuerMismatch { .. } => "license.identifier_issuer_mismatch",
            Self::IssuerCertificateMismatch { .. } => "license.issuer_code_mismatch",
            Self::HolderCodeType(_) => "license.holder_code_type",
            Self::HolderKind { .. } => "license.holder_kind_mismatch",
            Self::HolderCodeMismatch { .. } => "license.holder_code_type_mismatch",
            Self::Date(_) => "license.date_invalid",
            Self::ValidityOrder => "license.validity_order",
            Self::AlreadyExpired => "license.already_expired",
            Self::Element(_) => "license.element_invalid",
            Self::SignerMismatch => "license.signer_mismatch",
            Self::CertificateValidity => "license.certificate_not_valid",
            Self::Encode(_) => "license.encode",
            Self::WouldNotVerify(_) => "license.too_large",
            Self::Sign(e) => e.code(),
        }
    }
}

/// Why a credential was not accepted. Each check that can fail has its own variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LicenseError {
    /// Larger than the size limit.
    #[error("credential of {0} bytes exceeds the size limit")]
    TooLarge(usize),
    /// Nested deeper than the limit.
    #[error("CBOR nested too deeply")]
    TooDeep,
    /// Not the expected CBOR structure.
    #[error("malformed credential: {0}")]
    Malformed(String),
    /// The issuerAuth COSE_Sign1 is malformed or lacks a certificate.
    #[error("malformed issuerAuth: {0}")]
    IssuerAuth(String),
    /// The COSE algorithm is not one yinxin knows.
    #[error("unsupported COSE algorithm")]
    UnsupportedAlgorithm,
    /// The COSE or digest algorithm is not allowed by the policy.
    #[error("algorithm {0} not allowed by policy")]
    AlgorithmNotAllowed(Algorithm),
    /// The digest algorithm is unknown or not allowed.
    #[error("digest algorithm {0:?} not supported or not allowed")]
    DigestAlgorithm(String),
    /// The COSE algorithm is not the signing certificate's key algorithm.
    #[error("COSE algorithm {header} does not match the certificate key ({key})")]
    AlgorithmMismatch {
        /// From the protected header.
        header: Algorithm,
        /// The certificate key's.
        key: Algorithm,
    },
    /// The issuer's certificate chain is not trusted.
    #[error("issuer certificate chain: {0}")]
    Chain(TrustError),
    /// The issuer is trusted through a trust list, but that list does not allow it to issue
    /// this type of license.
    #[error(
        "{authority} is on the trust list from {provider}, but not for {doc_type}: it may issue {}",
        if allowed.is_empty() { "nothing".to_owned() } else { allowed.join(", ") }
    )]
    TypeNotAllowed {
        /// The license's docType.
        doc_type: String,
        /// The issuing authority (the listed certificate's subject).
        authority: String,
        /// The list's provider.
        provider: String,
        /// What the list allows it.
        allowed: Vec<String>,
    },
    /// The issuer signature does not verify.
    #[error("issuer signature invalid")]
    SignatureInvalid,
    /// The MobileSecurityObject is malformed.
    #[error("malformed MobileSecurityObject: {0}")]
    Mso(String),
    /// An element's digest differs from the signed one.
    #[error("digest of {namespace}/{element} does not match the signed digest")]
    DigestMismatch {
        /// Name space.
        namespace: String,
        /// Element identifier.
        element: String,
    },
    /// An element's digest ID is not in the MobileSecurityObject.
    #[error("{namespace}/{element} has no signed digest")]
    DigestMissing {
        /// Name space.
        namespace: String,
        /// Element identifier.
        element: String,
    },
    /// A signed element is absent from a credential that must be complete.
    #[error("{namespace}: signed digest ID {digest_id} has no element")]
    ElementMissing {
        /// Name space.
        namespace: String,
        /// The digest ID without an item.
        digest_id: u64,
    },
    /// The docType is not the expected one or does not fit the name spaces.
    #[error("docType {0:?} not expected")]
    DocType(String),
    /// The credential is not valid yet (validFrom or signed is in the future).
    #[error("not yet valid")]
    NotYetValid,
    /// The credential's validUntil has passed.
    #[error("expired")]
    Expired,
    /// issuer_code or the license identifier's issuer is not the signing certificate's USCC.
    #[error("issuer code {found} is not the signing certificate's {expected}")]
    IssuerCodeMismatch {
        /// The code in the credential.
        found: String,
        /// The certificate's.
        expected: String,
    },
    /// The signing certificate names no organisation.
    #[error("the signing certificate names no issuing organisation (USCC)")]
    IssuerUnidentified,
    /// The status list marks the credential revoked (INVALID): final.
    #[error("revoked")]
    Revoked,
    /// The status list marks the credential suspended.
    #[error("suspended")]
    Suspended,
    /// The credential names a status list, and its status could not be established (no list,
    /// wrong list, expired or stale list, index outside the list); rejected unless the verifier
    /// accepts unknown status.
    #[error("status unknown: {0}")]
    StatusUnknown(String),
    /// The holder's key in deviceKeyInfo is missing or unusable.
    #[error("device key missing or unsupported")]
    DeviceKey,
    /// A COSE header's `crit` is malformed (not in the protected header, empty, not an array of
    /// labels) or names a label that is absent or whose meaning yinxin does not implement
    /// (RFC 9052 §3.1: the signature must then not be accepted).
    #[error("critical header: {0}")]
    CriticalHeader(String),
    /// A compact code names its issuer by key id, and no issuer certificate with that key is
    /// known to the trust store (add it with `TrustStore::add_issuer`, or through a status
    /// list or trust list it signed).
    #[error("the code names its issuer by key id {0}, and no issuer certificate with that key is known")]
    IssuerKeyUnknown(crate::crypto::KeyId),
    /// The tree claims (any-subset QR codes) do not hold: their signature, proof, header or
    /// elements.
    #[error("the tree claims do not verify: {0}")]
    TreeInvalid(String),
    /// A pre-signed QR claim set of the license file does not verify or does not match it.
    #[error("the pre-signed QR claims \"{set}\" do not verify: {reason}")]
    QrSetInvalid {
        /// The disclosure set's name.
        set: String,
        /// What is wrong.
        reason: String,
    },
}

impl From<crate::cose::CoseError> for LicenseError {
    /// The COSE layer's errors keep the codes licenses always had: a header problem is an
    /// issuerAuth problem.
    fn from(e: crate::cose::CoseError) -> Self {
        use crate::cose::CoseError as C;
        match e {
            C::Malformed(why) => Self::Malformed(why),
            C::TooDeep => Self::TooDeep,
            C::Header(why) => Self::IssuerAuth(why),
            C::CriticalHeader(why) => Self::CriticalHeader(why),
            C::UnsupportedAlgorithm => Self::UnsupportedAlgorithm,
            // CoseError is non_exhaustive for callers outside the crate; a new variant gets its
            // own mapping here when it is added.
        }
    }
}

impl LicenseError {
    /// The status word of a verification that failed because of the credential's status
    /// (`revoked`, `suspended`, `unknown`, as [`StatusOutcome::name`](crate::status::StatusOutcome::name)
    /// spells them); `None` when it failed for another reason, before status was looked at.
    pub fn status_name(&self) -> Option<&'static str> {
        match self {
            Self::Revoked => Some("revoked"),
            Self::Suspended => Some("suspended"),
            Self::StatusUnknown(_) => Some("unknown"),
            _ => None,
        }
    }
}

impl ErrorCode for LicenseError {
    fn code(&self) -> &'static str {
        match self {
            Self::TooLarge(_) => "license.too_large",
            Self::TooDeep => "license.too_deep",
            Self::Malformed(_) => "license.malformed",
            Self::IssuerAuth(_) => "license.issuer_auth_malformed",
            Self::UnsupportedAlgorithm => "license.unsupported_algorithm",
            Self::AlgorithmNotAllowed(_) => "license.algorithm_not_allowed",
            Self::DigestAlgorithm(_) => "license.digest_algorithm",
            Self::AlgorithmMismatch { .. } => "license.algorithm_mismatch",
            Self::Chain(e) => e.code(),
            Self::TypeNotAllowed { .. } => "license.type_not_allowed",
            Self::SignatureInvalid => "license.signature_invalid",
            Self::Mso(_) => "license.mso_malformed",
            Self::DigestMismatch { .. } => "license.digest_mismatch",
            Self::DigestMissing { .. } => "license.digest_missing",
            Self::ElementMissing { .. } => "license.element_missing",
            Self::DocType(_) => "license.doc_type",
            Self::NotYetValid => "license.not_yet_valid",
            Self::Expired => "license.expired",
            Self::IssuerCodeMismatch { .. } => "license.issuer_code_mismatch",
            Self::IssuerUnidentified => "license.issuer_unidentified",
            Self::DeviceKey => "license.device_key",
            Self::Revoked => "license.revoked",
            Self::Suspended => "license.suspended",
            Self::StatusUnknown(_) => "license.status_unknown",
            Self::IssuerKeyUnknown(_) => "license.issuer_key_unknown",
            Self::TreeInvalid(_) => "license.tree_invalid",
            Self::QrSetInvalid { .. } => "license.qr_set_invalid",
            Self::CriticalHeader(_) => "cose.crit_invalid",
        }
    }
}

impl From<DigestAlgorithm> for LicenseError {
    fn from(d: DigestAlgorithm) -> Self {
        Self::DigestAlgorithm(d.mdoc_name().to_owned())
    }
}
