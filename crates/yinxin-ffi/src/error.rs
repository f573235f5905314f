//! The one error type of the bindings: a kind, the core library's stable code, a message.

use std::fmt::Display;

use yinxin::ErrorCode;

/// Why a call failed. `code` is the stable code of the core library (`license.revoked`,
/// `present.replayed`, `seal.data_hash_mismatch`…): match on it, show `reason`.
/// Kotlin sees `YinxinException`, Swift `YinxinError`, Python `YinxinError`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum YinxinError {
    /// A check failed (the input was understood and is not valid).
    #[error("{code}: {reason}")]
    Invalid {
        /// Stable code.
        code: String,
        /// Human-readable text (may change between versions). (Not `message`: Kotlin
        /// exceptions already have one, which shows `code` and `reason` together.)
        reason: String,
    },
    /// The input could not be read (malformed, too large, wrong kind).
    #[error("{code}: {reason}")]
    Unreadable {
        /// Stable code.
        code: String,
        /// Human-readable text.
        reason: String,
    },
    /// Wrong use or configuration (unknown algorithm, unknown license, bad time).
    #[error("{code}: {reason}")]
    Config {
        /// Stable code.
        code: String,
        /// Human-readable text.
        reason: String,
    },
    /// The app's [`HolderKey`](crate::HolderKey) failed or answered wrongly.
    #[error("{code}: {reason}")]
    HolderKey {
        /// Stable code.
        code: String,
        /// Human-readable text.
        reason: String,
    },
}

impl YinxinError {
    /// The stable code.
    pub fn code(&self) -> &str {
        match self {
            Self::Invalid { code, .. }
            | Self::Unreadable { code, .. }
            | Self::Config { code, .. }
            | Self::HolderKey { code, .. } => code,
        }
    }

    pub(crate) fn invalid<E: ErrorCode + Display>(e: E) -> Self {
        Self::Invalid { code: e.code().to_owned(), reason: e.to_string() }
    }

    pub(crate) fn unreadable<E: ErrorCode + Display>(e: E) -> Self {
        Self::Unreadable { code: e.code().to_owned(), reason: e.to_string() }
    }

    pub(crate) fn config<E: ErrorCode + Display>(e: E) -> Self {
        Self::Config { code: e.code().to_owned(), reason: e.to_string() }
    }

    pub(crate) fn config_text(code: &str, message: impl Into<String>) -> Self {
        Self::Config { code: code.to_owned(), reason: message.into() }
    }
}

impl From<uniffi::UnexpectedUniFFICallbackError> for YinxinError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::HolderKey { code: "ffi.holder_key_failed".into(), reason: e.reason }
    }
}
