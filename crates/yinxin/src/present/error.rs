//! Errors of presentations and their QR text.

use crate::ErrorCode;

/// Why a QR text or presentation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PresentError {
    /// The text does not start with the yinxin prefix (`YX1:`).
    #[error("not a yinxin QR code (expected the prefix YX1:)")]
    QrPrefix,
    /// Longer than any QR code can hold.
    #[error("QR text of {0} characters exceeds the limit")]
    QrTooLong(usize),
    /// Not valid base45 (RFC 9285).
    #[error("QR text is not valid base45")]
    QrEncoding,
    /// The compressed payload is not valid zlib data.
    #[error("QR payload is not valid zlib data")]
    QrInflate,
    /// The payload inflates past the limit.
    #[error("QR payload inflates past {0} bytes")]
    QrTooLarge(usize),
    /// The payload is not a CBOR array or map.
    #[error("QR payload is not a CBOR structure")]
    QrPayload,
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
}

impl ErrorCode for PresentError {
    fn code(&self) -> &'static str {
        match self {
            Self::QrPrefix => "present.qr_prefix",
            Self::QrTooLong(_) => "present.qr_too_long",
            Self::QrEncoding => "present.qr_encoding",
            Self::QrInflate => "present.qr_inflate",
            Self::QrTooLarge(_) => "present.qr_too_large",
            Self::QrPayload => "present.qr_payload",
            Self::Replayed => "present.replayed",
            Self::ReplayGuardFull => "present.replay_guard_full",
            Self::Nonce => "present.nonce",
        }
    }
}
