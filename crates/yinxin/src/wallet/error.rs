//! Why a wallet operation failed: one error type for the in-memory wallet and the store.

use time::OffsetDateTime;

use crate::ErrorCode;
use crate::license::LicenseError;
use crate::present::PresentError;
use crate::text::rfc3339;

/// Why a wallet operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WalletError {
    /// No license with this identifier in the wallet.
    #[error("no license {0} in the wallet")]
    UnknownLicense(String),
    /// The license is bound to another holder key than the wallet's: it could never be shown.
    #[error("the license is bound to another holder key than this wallet's")]
    HolderKeyMismatch,
    /// The credential could not be read.
    #[error(transparent)]
    License(#[from] LicenseError),
    /// The presentation could not be made (the key refused to sign, an element not in the
    /// license, a code too large).
    #[error(transparent)]
    Present(#[from] PresentError),
    /// The wallet's state cannot be used (a thread panicked while holding it).
    #[error("the wallet's state cannot be used")]
    State,
    /// A showing PIN is six digits.
    #[error("the showing PIN must be exactly six digits")]
    PinFormat,
    /// The PIN is not this wallet's; `left` more wrong PINs lock the wallet.
    #[error("wrong PIN ({left} more wrong attempts lock the wallet)")]
    PinWrong {
        /// Wrong attempts left before the lock-out.
        left: u32,
    },
    /// Too many wrong PINs: the wallet opens again at `until`.
    #[error("the wallet is locked after too many wrong PINs until {}", rfc3339(*until))]
    Locked {
        /// When the next attempt is allowed.
        until: OffsetDateTime,
    },
    /// There is no wallet in this directory.
    #[error("no wallet in {0}")]
    NotFound(String),
    /// The directory already holds something: a wallet is only created in an empty directory.
    #[error("{0} is not empty: a wallet is created in a new or empty directory")]
    Exists(String),
    /// The wallet's own file is damaged or not a wallet file.
    #[error("the wallet file is damaged: {0}")]
    Damaged(String),
    /// One stored license (or consent log entry) is damaged or was altered; the others are
    /// unaffected.
    #[error("the stored record {0} is damaged or was altered")]
    RecordDamaged(String),
    /// A file is larger than the wallet ever writes.
    #[error("{what} is larger than {limit} bytes")]
    TooLarge {
        /// Which file.
        what: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// Reading or writing the wallet's files failed.
    #[error("wallet storage: {0}")]
    Io(String),
    /// The platform keystore refused to protect or release the storage key.
    #[error("the platform keystore failed: {0}")]
    Keystore(String),
    /// A backup file is damaged, not a backup, or its passphrase is wrong.
    #[error("the backup cannot be opened: {0}")]
    Backup(String),
    /// A backup passphrase is at least 12 characters (it protects a file that leaves the device,
    /// which a 6-digit PIN cannot).
    #[error("a backup passphrase must have at least 12 characters")]
    PassphraseTooShort,
    /// A verifier's request was refused (untrusted, unauthorised, sensitive, stale, malformed).
    #[error(transparent)]
    Request(#[from] crate::present::request::RequestError),
    /// The holder key given is not a usable private key.
    #[error("the holder key cannot be used: {0}")]
    HolderKey(String),
}

impl ErrorCode for WalletError {
    fn code(&self) -> &'static str {
        match self {
            Self::UnknownLicense(_) => "wallet.unknown_license",
            Self::HolderKeyMismatch => "wallet.holder_key_mismatch",
            Self::License(e) => e.code(),
            Self::Present(e) => e.code(),
            Self::State => "wallet.state",
            Self::PinFormat => "wallet.pin_format",
            Self::PinWrong { .. } => "wallet.pin_wrong",
            Self::Locked { .. } => "wallet.locked",
            Self::NotFound(_) => "wallet.not_found",
            Self::Exists(_) => "wallet.exists",
            Self::Damaged(_) => "wallet.damaged",
            Self::RecordDamaged(_) => "wallet.record_damaged",
            Self::TooLarge { .. } => "wallet.too_large",
            Self::Io(_) => "wallet.io",
            Self::Keystore(_) => "wallet.keystore",
            Self::Backup(_) => "wallet.backup_invalid",
            Self::PassphraseTooShort => "wallet.passphrase_too_short",
            Self::HolderKey(_) => "wallet.holder_key",
            Self::Request(e) => e.code(),
        }
    }
}
