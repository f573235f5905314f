//! The e-license identifier (电子证照标识) of GB/T 36904.

use std::fmt;
use std::str::FromStr;

use super::{LicenseTypeCode, LicenseTypeCodeError, Uscc, UsccError, mod37_36};
use crate::ErrorCode;

/// The OID arc every e-license identifier starts with, followed by a dot.
pub const LICENSE_ID_PREFIX: &str = "1.2.156.3005.2.";
const MIN_SERIAL: usize = 7;
const MAX_SERIAL: usize = 32;
/// No valid identifier is longer: prefix, 21 + 18 + 32 + 3 + 1 characters and 4 dots.
const MAX_LEN: usize = 15 + 21 + 18 + MAX_SERIAL + 3 + 1 + 4;

/// Why a string is not an e-license identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LicenseIdError {
    /// Does not start with `1.2.156.3005.2.`.
    #[error("an e-license identifier starts with {LICENSE_ID_PREFIX:?}")]
    Prefix,
    /// Not five dot-separated fields after the prefix, or longer than any valid identifier.
    #[error("expected <type code>.<issuer>.<serial>.<version>.<check> after the prefix")]
    Structure,
    /// The license type code is invalid.
    #[error("invalid license type code: {0}")]
    TypeCode(LicenseTypeCodeError),
    /// The issuing authority's USCC is invalid.
    #[error("invalid issuer code: {0}")]
    Issuer(UsccError),
    /// The serial is not 7–32 characters of `0-9A-Z`.
    #[error("the serial must be 7 to 32 characters of 0-9 and A-Z")]
    Serial,
    /// The version is not 3 digits.
    #[error("the version must be 3 digits")]
    Version,
    /// The check character does not match.
    #[error("check character is {found:?}, expected {expected:?}")]
    Check {
        /// The check field found.
        found: String,
        /// The check character the four fields require.
        expected: char,
    },
}

impl ErrorCode for LicenseIdError {
    fn code(&self) -> &'static str {
        match self {
            Self::Prefix => "id.license_id.prefix",
            Self::Structure => "id.license_id.structure",
            Self::TypeCode(_) => "id.license_id.type_code",
            Self::Issuer(_) => "id.license_id.issuer",
            Self::Serial => "id.license_id.serial",
            Self::Version => "id.license_id.version",
            Self::Check { .. } => "id.license_id.check",
        }
    }
}

/// An e-license identifier (电子证照标识, GB/T 36904-2018):
/// `1.2.156.3005.2.<type code>.<issuer USCC>.<serial>.<version>.<check>`.
///
/// The check character is ISO/IEC 7064 MOD 37,36 over the type code, issuer code, serial and
/// version joined without dots.
///
/// ```
/// use yinxin::id::{LicenseIdentifier, Uscc};
/// let id: LicenseIdentifier =
///     "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F".parse()?;
/// assert_eq!(id.serial(), "2430599");
///
/// // Issuing a new one computes the check character.
/// let new = LicenseIdentifier::new(
///     id.type_code().clone(),
///     Uscc::parse("11220000013544541J")?,
///     "2430599",
///     "001",
/// )?;
/// assert_eq!(new, id);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LicenseIdentifier {
    type_code: LicenseTypeCode,
    issuer: Uscc,
    serial: String,
    version: [u8; 3],
    check: u8,
}

fn valid_serial(serial: &str) -> bool {
    (MIN_SERIAL..=MAX_SERIAL).contains(&serial.len())
        && serial.bytes().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
}

impl LicenseIdentifier {
    /// Builds a new identifier, computing its check character.
    pub fn new(
        type_code: LicenseTypeCode,
        issuer: Uscc,
        serial: &str,
        version: &str,
    ) -> Result<Self, LicenseIdError> {
        if !valid_serial(serial) {
            return Err(LicenseIdError::Serial);
        }
        let version: [u8; 3] = version.as_bytes().try_into().map_err(|_| LicenseIdError::Version)?;
        if !version.iter().all(u8::is_ascii_digit) {
            return Err(LicenseIdError::Version);
        }
        let mut id = Self { type_code, issuer, serial: serial.to_owned(), version, check: 0 };
        id.check = id.expected_check().ok_or(LicenseIdError::Serial)?;
        Ok(id)
    }

    /// Parses and validates an identifier.
    pub fn parse(s: &str) -> Result<Self, LicenseIdError> {
        let rest = s.strip_prefix(LICENSE_ID_PREFIX).ok_or(LicenseIdError::Prefix)?;
        if s.len() > MAX_LEN {
            return Err(LicenseIdError::Structure);
        }
        let fields: Vec<&str> = rest.split('.').collect();
        let [type_code, issuer, serial, version, check] = fields.as_slice() else {
            return Err(LicenseIdError::Structure);
        };
        let type_code = LicenseTypeCode::parse(type_code).map_err(LicenseIdError::TypeCode)?;
        let issuer = Uscc::parse(issuer).map_err(LicenseIdError::Issuer)?;
        let id = Self::new(type_code, issuer, serial, version)?;
        if check.as_bytes() != [id.check] {
            return Err(LicenseIdError::Check { found: (*check).to_owned(), expected: char::from(id.check) });
        }
        Ok(id)
    }

    fn expected_check(&self) -> Option<u8> {
        let type_code = self.type_code.to_string();
        let data = type_code
            .bytes()
            .chain(self.issuer.as_str().bytes())
            .chain(self.serial.bytes())
            .chain(self.version.iter().copied());
        mod37_36::check_character(data)
    }

    /// The license type code.
    pub fn type_code(&self) -> &LicenseTypeCode {
        &self.type_code
    }

    /// The issuing authority's USCC.
    pub fn issuer(&self) -> &Uscc {
        &self.issuer
    }

    /// The serial number the issuer assigned.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// The 3-digit version.
    pub fn version(&self) -> &str {
        std::str::from_utf8(&self.version).unwrap_or_default()
    }

    /// The check character.
    pub fn check_character(&self) -> char {
        char::from(self.check)
    }
}

impl FromStr for LicenseIdentifier {
    type Err = LicenseIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for LicenseIdentifier {
    type Error = LicenseIdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<LicenseIdentifier> for String {
    fn from(v: LicenseIdentifier) -> Self {
        v.to_string()
    }
}

impl fmt::Display for LicenseIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{LICENSE_ID_PREFIX}{}.{}.{}.{}.{}",
            self.type_code,
            self.issuer,
            self.serial,
            self.version(),
            self.check_character()
        )
    }
}

impl fmt::Debug for LicenseIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LicenseIdentifier({self})")
    }
}
