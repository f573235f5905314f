//! E-license files (电子证照文件, GB/T 36905): a license rendered as one sealed OFD page, with
//! its machine-verifiable form (the IssuerSigned credential) attached.
//!
//! * `render_license` (feature `qr-image`): the page (license name, every surface field as
//!   text, the license number and identifier, a QR code of the identifier, the portrait), the
//!   credential attached as `license.cbor`, sealed by the issuing authority's seal.
//! * [`read_license_file`]: the attached credential and what the pages show;
//!   [`LicenseFile::shows`] compares that, line for line, with the verified credential's
//!   elements. [`Verifier::verify_license_file`](crate::Verifier::verify_license_file) runs
//!   every check: the seal signature, the credential (trust, status), the visible text, and
//!   that the seal is the license issuer's.

mod layout;
mod read;
#[cfg(feature = "qr-image")]
mod write;

pub use read::{LicenseFile, read_license_file};
#[cfg(feature = "qr-image")]
pub use write::render_license;

use crate::ErrorCode;
use crate::license::LicenseError;

use super::OfdSignError;

/// The attachment format of the credential in an e-license file.
pub const ATTACHMENT_FORMAT: &str = "cbor";

/// Why a license could not be rendered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LicenseFileError {
    /// The credential cannot be read (its own code).
    #[error(transparent)]
    License(LicenseError),
    /// The credential does not verify with the certificate it carries
    /// (`license_file.credential_invalid`).
    #[error("the credential does not verify: {0}")]
    Unreadable(String),
    /// The seal's signer is not the license's issuer (`license_file.seal_not_issuers`).
    #[error("the seal's signer ({signer}) is not the license's issuer ({issuer})")]
    NotIssuersSeal {
        /// The issuer's USCC, from the license.
        issuer: String,
        /// The seal signer's code, from its certificate.
        signer: String,
    },
    /// Sealing the page failed (its own code).
    #[error(transparent)]
    Sign(#[from] OfdSignError),
    /// Writing the package failed (`license_file.write`).
    #[error("cannot write the e-license file: {0}")]
    Write(String),
}

impl ErrorCode for LicenseFileError {
    fn code(&self) -> &'static str {
        match self {
            Self::License(e) => e.code(),
            Self::Unreadable(_) => "license_file.credential_invalid",
            Self::NotIssuersSeal { .. } => "license_file.seal_not_issuers",
            Self::Sign(e) => e.code(),
            Self::Write(_) => "license_file.write",
        }
    }
}
