//! Guessing which identifier a string is meant to be, then validating it as that kind.

use super::{
    LICENSE_ID_PREFIX, LicenseIdError, LicenseIdentifier, ResidentId, ResidentIdError, Uscc, UsccError,
};
use crate::ErrorCode;

/// The kinds of identifier [`detect`] knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdKind {
    /// A unified social credit code.
    Uscc,
    /// A resident identity number.
    ResidentId,
    /// An e-license identifier.
    LicenseId,
    /// Looks like none of the above.
    Unknown,
}

impl IdKind {
    /// The stable name of the kind: `uscc`, `resident_id`, `license_id` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Uscc => "uscc",
            Self::ResidentId => "resident_id",
            Self::LicenseId => "license_id",
            Self::Unknown => "unknown",
        }
    }
}

/// Why a detected identifier is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DetectError {
    /// Invalid as a USCC.
    #[error(transparent)]
    Uscc(#[from] UsccError),
    /// Invalid as a resident identity number.
    #[error(transparent)]
    ResidentId(#[from] ResidentIdError),
    /// Invalid as an e-license identifier.
    #[error(transparent)]
    LicenseId(#[from] LicenseIdError),
    /// The value has the shape of no known identifier.
    #[error("not a USCC, resident identity number or e-license identifier")]
    Unknown,
}

impl ErrorCode for DetectError {
    fn code(&self) -> &'static str {
        match self {
            Self::Uscc(e) => e.code(),
            Self::ResidentId(e) => e.code(),
            Self::LicenseId(e) => e.code(),
            Self::Unknown => "id.unknown_kind",
        }
    }
}

/// The outcome of [`detect`]: the kind the value was taken for and, if invalid, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    /// The kind the value was taken for.
    pub kind: IdKind,
    /// `None` when the value is a valid identifier of that kind.
    pub error: Option<DetectError>,
}

/// Decides which kind of identifier `value` is meant to be and validates it as that kind.
///
/// A value valid as some kind is reported as that kind (a resident identity number first, as
/// an all-digit USCC is rare). An invalid value is classified by its shape: the e-license
/// prefix; 15 to 19 digits, optionally ending in `X`, for a resident identity number; 16 to 20
/// letters and digits with at least one letter before the last position for a USCC; anything
/// else is [`IdKind::Unknown`].
pub fn detect(value: &str) -> Detected {
    let fail = |kind, error: DetectError| Detected { kind, error: Some(error) };
    let ok = |kind| Detected { kind, error: None };
    if value.starts_with(LICENSE_ID_PREFIX) {
        return match LicenseIdentifier::parse(value) {
            Ok(_) => ok(IdKind::LicenseId),
            Err(e) => fail(IdKind::LicenseId, e.into()),
        };
    }
    let resident = ResidentId::parse(value);
    if resident.is_ok() {
        return ok(IdKind::ResidentId);
    }
    let uscc = Uscc::parse(value);
    if uscc.is_ok() {
        return ok(IdKind::Uscc);
    }
    let len = value.len();
    let body = value.get(..len.saturating_sub(1)).unwrap_or_default();
    let last = value.bytes().last();
    let resident_shape = (15..=19).contains(&len)
        && body.bytes().all(|c| c.is_ascii_digit())
        && last.is_some_and(|c| c.is_ascii_digit() || c == b'X' || c == b'x');
    let uscc_shape = (16..=20).contains(&len)
        && value.bytes().all(|c| c.is_ascii_alphanumeric())
        && body.bytes().any(|c| c.is_ascii_alphabetic());
    match (resident, uscc) {
        (Err(e), _) if resident_shape => fail(IdKind::ResidentId, e.into()),
        (_, Err(e)) if uscc_shape => fail(IdKind::Uscc, e.into()),
        _ => fail(IdKind::Unknown, DetectError::Unknown),
    }
}
