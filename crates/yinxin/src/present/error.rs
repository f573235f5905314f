//! Errors of presentations and their QR text.

use crate::ErrorCode;

/// Why a QR text or presentation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PresentError {
    /// An agent's delegation is not one, names another license, or was not signed by the
    /// license's holder (a foreign delegation).
    #[error("the agent's delegation is not valid: {0}")]
    DelegationInvalid(String),
    /// An agent's delegation is outside its period.
    #[error("the agent's delegation is not valid now (it runs until {0})")]
    DelegationExpired(String),
    /// An agent showed an element the delegation does not cover.
    #[error("the delegation does not cover {0}")]
    DelegationScope(String),
    /// The code answers a verifier's request: only that verifier (with its request and key)
    /// can accept it.
    #[error("this code answers a verifier's request: only the verifier that asked can accept it")]
    RequestBound,
    /// The code answers another request than this verifier's.
    #[error("this code answers another request than this verifier's")]
    RequestMismatch,
    /// The text does not start with the yinxin prefix (`YX1:`).
    #[error("not a yinxin QR code (expected the prefix YX1:)")]
    QrPrefix,
    /// Longer than any QR code can hold.
    #[error("QR text of {0} characters exceeds the limit")]
    QrTooLong(usize),
    /// Not valid base45 (RFC 9285).
    #[error("QR text is not valid base45")]
    QrEncoding,
    /// A replay guard's saved state cannot be read or used (unreadable, malformed, more nonces
    /// than the guard holds): verification is refused rather than go on without it.
    #[error("the replay cache cannot be used, so no code is accepted: {0}")]
    ReplayState(String),
    /// A freshness window that is not more than zero and at most a day (seconds given).
    #[error("freshness window of {0} s: give more than 0 and at most 86400 seconds")]
    Window(i64),
    /// The compressed payload is not valid zlib data.
    #[error("QR payload is not valid zlib data")]
    QrInflate,
    /// The QR text ends too early (cut off when it was copied or scanned): its base45 has a
    /// dangling character or its compressed payload stops mid-stream.
    #[error("the QR text looks truncated (cut off when copied or scanned): scan or copy the whole code")]
    QrTruncated,
    /// The payload inflates past the limit.
    #[error("QR payload inflates past {0} bytes")]
    QrTooLarge(usize),
    /// The payload is not a CBOR array or map.
    #[error("QR payload is not a CBOR structure")]
    QrPayload,
    /// An image could not be decoded, holds no QR code, or is over the size limits.
    #[error("QR image unreadable: {0}")]
    QrImage(String),
    /// The nonce was seen before within the window: the code was already used.
    #[error("presentation already used (nonce seen before)")]
    Replayed,
    /// The replay guard is full of nonces that are still within the window; refusing is the
    /// only safe answer.
    #[error("replay guard full")]
    ReplayGuardFull,
    /// The nonce is empty or longer than 64 bytes.
    #[error("nonce must be 1 to 64 bytes")]
    Nonce,
    /// The presentation is not the expected CBOR structure.
    #[error("malformed presentation: {0}")]
    Malformed(String),
    /// A check of the disclosed license failed (issuer signature, chain, digests, validity,
    /// status…); the license error's code is reported.
    #[error(transparent)]
    License(#[from] crate::license::LicenseError),
    /// The holder's signature does not verify with the key the issuer bound to the license.
    #[error("holder signature invalid")]
    HolderSignatureInvalid,
    /// Created longer ago than the window allows.
    #[error("presentation expired")]
    Expired,
    /// Created in the future (beyond the allowed clock skew).
    #[error("presentation created in the future")]
    Future,
    /// The presentation's docType is not the signed one.
    #[error("docType differs from the signed one")]
    DocType,
    /// The holder key given is not the one the license is bound to.
    #[error("the holder key is not the key the license is bound to")]
    HolderKeyMismatch,
    /// An element asked for is not in the license.
    #[error("element {0:?} is not in the license")]
    ElementNotInLicense(String),
    /// The holder's signer failed.
    #[error(transparent)]
    Sign(#[from] crate::crypto::SignError),
}

impl From<crate::cose::CoseError> for PresentError {
    /// The COSE layer's errors in a presentation are a malformed license part (its codes as
    /// they always were).
    fn from(e: crate::cose::CoseError) -> Self {
        Self::License(e.into())
    }
}

impl PresentError {
    /// The status word when the license's status made verification fail
    /// ([`LicenseError::status_name`](crate::license::LicenseError::status_name)).
    pub fn status_name(&self) -> Option<&'static str> {
        match self {
            Self::License(e) => e.status_name(),
            _ => None,
        }
    }

    /// Whether the input was not a presentation at all (not a `YX1:` text, not base45, cut
    /// short, too large, not a license, no readable QR code in the picture), as opposed to a
    /// presentation that was read and failed a check. The CLI exits 2 for these, 1 for the
    /// others; `POST /v1/verify` answers 400 for these, 200 with `"valid": false` for the others.
    pub fn is_unreadable(&self) -> bool {
        use crate::license::LicenseError as L;
        matches!(
            self,
            Self::QrPrefix
                | Self::QrTooLong(_)
                | Self::QrEncoding
                | Self::QrInflate
                | Self::QrTruncated
                | Self::QrTooLarge(_)
                | Self::QrPayload
                | Self::QrImage(_)
                | Self::Malformed(_)
                | Self::License(L::Malformed(_) | L::TooLarge(_) | L::TooDeep | L::IssuerAuth(_))
        )
    }
}

impl ErrorCode for PresentError {
    fn code(&self) -> &'static str {
        match self {
            Self::QrPrefix => "present.qr_prefix",
            Self::QrTooLong(_) => "present.qr_too_long",
            Self::QrEncoding => "present.qr_encoding",
            Self::QrInflate => "present.qr_inflate",
            Self::Window(_) => "present.window_invalid",
            Self::ReplayState(_) => "present.replay_cache_unreadable",
            Self::QrTruncated => "present.qr_truncated",
            Self::QrTooLarge(_) => "present.qr_too_large",
            Self::QrPayload => "present.qr_payload",
            Self::QrImage(_) => "present.qr_image",
            Self::Replayed => "present.replayed",
            Self::RequestBound => "present.request_bound",
            Self::DelegationInvalid(_) => "present.delegation_invalid",
            Self::DelegationExpired(_) => "present.delegation_expired",
            Self::DelegationScope(_) => "present.delegation_scope",
            Self::RequestMismatch => "present.request_mismatch",
            Self::ReplayGuardFull => "present.replay_guard_full",
            Self::Nonce => "present.nonce",
            Self::Malformed(_) => "present.malformed",
            Self::License(e) => e.code(),
            Self::HolderSignatureInvalid => "present.holder_signature_invalid",
            Self::Expired => "present.expired",
            Self::Future => "present.future",
            Self::DocType => "present.doc_type",
            Self::HolderKeyMismatch => "present.holder_key_mismatch",
            Self::ElementNotInLicense(_) => "present.element_not_in_license",
            Self::Sign(e) => e.code(),
        }
    }
}
