//! National identifiers: organisations, persons and e-licenses.
//!
//! | type | standard | form |
//! | --- | --- | --- |
//! | [`Uscc`] | GB 32100-2015 | unified social credit code of an organisation: 18 characters, check character last |
//! | [`ResidentId`] | GB 11643-1999 | citizen identity number: 17 digits and a check character (ISO 7064 MOD 11-2) |
//! | [`LicenseTypeCode`] | GB/T 36904-2018 | the defining authority's USCC followed by a 3-digit type number |
//! | [`LicenseIdentifier`] | GB/T 36904-2018 | `1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>` (ISO 7064 MOD 37,36) |
//!
//! Every type here can only hold a valid value: the constructors and [`FromStr`](std::str::FromStr)
//! check the length, alphabet, structure and check character, and each failure is a distinct
//! error variant with a stable [`code`](crate::ErrorCode::code). All types print their canonical
//! text with `Display` and (de)serialize as that text with serde.
//!
//! [`detect`] guesses which kind of identifier a string is meant to be and validates it as that
//! kind; the CLI's `yinxin id check` is built on it.

mod detect;
mod license_id;
mod license_type_code;
mod mod37_36;
mod resident_id;
mod uscc;

pub use detect::{DetectError, Detected, IdKind, detect};
pub use license_id::{LICENSE_ID_PREFIX, LicenseIdError, LicenseIdentifier};
pub use license_type_code::{LicenseTypeCode, LicenseTypeCodeError};
pub use resident_id::{ResidentId, ResidentIdError, Sex};
pub use uscc::{Uscc, UsccError};
