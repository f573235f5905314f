//! Errors of seals, seal signatures and OFD documents.

use crate::ErrorCode;

/// Why a seal or a seal signature was refused, or could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// Larger than [`MAX_SEAL_SIZE`](super::MAX_SEAL_SIZE).
    #[error("seal data of {0} bytes exceeds the limit")]
    TooLarge(usize),
    /// Not a seal or signature structure of any known version (strict DER).
    #[error("malformed seal data: {0}")]
    Malformed(String),
    /// The header is not "ES" or the version is not 1, 4 or 5.
    #[error("unsupported seal version or header: {0}")]
    Version(String),
    /// A signature algorithm other than SM2 with SM3.
    #[error("unsupported signature algorithm {0} (seals use SM2 with SM3)")]
    Algorithm(String),
    /// The maker's (or signer's) certificate cannot be parsed, or its key is not SM2.
    #[error("certificate unusable: {0}")]
    Certificate(String),
    /// The seal maker's signature does not verify.
    #[error("seal maker signature invalid")]
    MakerSignatureInvalid,
    /// The seal is not yet valid at the time it is checked for.
    #[error("seal not yet valid")]
    NotYetValid,
    /// The seal has expired at the time it is checked for.
    #[error("seal expired")]
    Expired,
    /// A certificate (maker or signer) was not valid at the time it was used.
    #[error("{0} certificate not valid at {1}")]
    CertificateExpired(&'static str, String),
    /// The seal maker's certificate was not valid at the seal's `createDate` (given), though
    /// it was when the seal was used: a warning under the default validity model
    /// (docs/decisions/0016), a failure under [`SealVerifier::strict`](super::SealVerifier::strict).
    #[error("the seal maker's certificate was not valid when the seal was made ({0})")]
    MakerCertificateAtCreation(String),
    /// The maker certificate does not chain to a trusted root.
    #[error("seal maker certificate untrusted: {0}")]
    MakerUntrusted(String),
    /// The signer's certificate is not in the seal's certificate list.
    #[error("signer certificate is not in the seal's certificate list")]
    SignerNotInSeal,
    /// The signature over TBS_Sign does not verify with the signer's certificate.
    #[error("seal signature invalid")]
    SignatureInvalid,
    /// dataHash differs from the digest of the signed data.
    #[error("dataHash does not match the data")]
    DataHashMismatch,
    /// The signing time cannot be read (v1 timeInfo in an unknown form).
    #[error("signing time unreadable")]
    SigningTime,
    /// Signed outside the seal's validity.
    #[error("signed at {0}, outside the seal's validity")]
    SignedOutsideValidity(String),
    /// The time stamp over the signature does not verify, or its TSA is not trusted.
    #[error("time stamp invalid: {0}")]
    TimeStampInvalid(String),
    /// The seal's status list entry says revoked.
    #[error("seal revoked")]
    Revoked,
    /// The seal's status list entry says suspended.
    #[error("seal suspended")]
    Suspended,
    /// The seal has a status reference but no current list for it was supplied.
    #[error("seal status unknown: {0}")]
    StatusUnknown(String),
    /// The seal has a critical extension this verifier does not understand.
    #[error("unknown critical extension {0}")]
    UnknownCriticalExtension(String),
    /// Making a seal failed (encoding, inconsistent input).
    #[error("cannot make seal data: {0}")]
    Make(String),
    /// Signing with a seal failed (encoding, the key refused to sign, a seal of another
    /// version).
    #[error("cannot sign with the seal: {0}")]
    Sign(String),
    /// The certificate given is not the certificate of the private key given (`seal maker`
    /// or `signer`).
    #[error(
        "the {0} certificate is not for the {0} key: give the private key that belongs to the certificate"
    )]
    KeyMismatch(&'static str),
    /// The key given is not an SM2 key (`seal maker` or `signer`, and the algorithm found).
    #[error("the {0} key is {1}: seals are signed with SM2 (SM3)")]
    KeyNotSm2(&'static str, String),
}

impl ErrorCode for SealError {
    fn code(&self) -> &'static str {
        match self {
            Self::TooLarge(_) => "seal.too_large",
            Self::Malformed(_) => "seal.malformed",
            Self::Version(_) => "seal.version",
            Self::Algorithm(_) => "seal.algorithm",
            Self::Certificate(_) => "seal.certificate",
            Self::MakerSignatureInvalid => "seal.maker_signature_invalid",
            Self::NotYetValid => "seal.not_yet_valid",
            Self::Expired => "seal.expired",
            Self::CertificateExpired(..) => "seal.certificate_expired",
            Self::MakerCertificateAtCreation(_) => "seal.maker_certificate_at_creation",
            Self::MakerUntrusted(_) => "seal.maker_untrusted",
            Self::SignerNotInSeal => "seal.signer_not_in_seal",
            Self::SignatureInvalid => "seal.signature_invalid",
            Self::DataHashMismatch => "seal.data_hash_mismatch",
            Self::SigningTime => "seal.signing_time",
            Self::SignedOutsideValidity(_) => "seal.signed_outside_validity",
            Self::TimeStampInvalid(_) => "seal.time_stamp_invalid",
            Self::Revoked => "seal.revoked",
            Self::Suspended => "seal.suspended",
            Self::StatusUnknown(_) => "seal.status_unknown",
            Self::UnknownCriticalExtension(_) => "seal.unknown_critical_extension",
            Self::Make(_) => "seal.make",
            Self::Sign(_) => "seal.sign",
            Self::KeyMismatch(_) => "seal.key_mismatch",
            Self::KeyNotSm2(..) => "seal.key_not_sm2",
        }
    }
}

impl From<der::Error> for SealError {
    fn from(e: der::Error) -> Self {
        Self::Malformed(e.to_string())
    }
}
