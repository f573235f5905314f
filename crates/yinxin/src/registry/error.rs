//! Registry errors.

use crate::ErrorCode;

/// Why a registry operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The database failed (I/O, corruption, lock): its own message, as the backend gave it.
    #[error("registry database: {0}")]
    Database(String),
    /// A license with this identifier was issued before.
    #[error("license {0} is already registered")]
    Duplicate(String),
    /// No license with this identifier.
    #[error("no license {0} in the registry")]
    NotFound(String),
    /// The status change is not allowed from the current status (revocation is final;
    /// only VALID can be suspended; only SUSPENDED can be reinstated).
    #[error("cannot change {identifier} from {from} to {to}")]
    Transition {
        /// The license.
        identifier: String,
        /// Its status.
        from: String,
        /// The status asked for.
        to: String,
    },
    /// The registry was created with other settings, or holds data this version cannot read.
    #[error("registry configuration: {0}")]
    Config(String),
    /// The signing callback failed; nothing was recorded.
    /// Its Display is the underlying message alone: the code is printed beside it already.
    #[error("{message}")]
    Issue {
        /// The stable code of the underlying error.
        code: &'static str,
        /// Its message.
        message: String,
    },
    /// The random number generator failed.
    #[error("the system random number generator failed")]
    Rng,
    /// A status change without a reason: the audit log must say why.
    #[error("a status change needs a reason for the audit log")]
    ReasonMissing,
}

impl ErrorCode for RegistryError {
    fn code(&self) -> &'static str {
        match self {
            Self::Database(_) => "registry.database",
            Self::Duplicate(_) => "registry.duplicate",
            Self::NotFound(_) => "registry.not_found",
            Self::Transition { .. } => "registry.transition",
            Self::Config(_) => "registry.config",
            Self::Issue { code, .. } => code,
            Self::Rng => "crypto.rng",
            Self::ReasonMissing => "registry.reason_missing",
        }
    }
}
