//! The e-license type code (证照类型代码) of GB/T 36904.

use std::fmt;
use std::str::FromStr;

use super::{Uscc, UsccError};
use crate::ErrorCode;

/// Why a string is not a license type code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LicenseTypeCodeError {
    /// Not 21 characters long.
    #[error("a license type code has 21 characters (USCC + 3 digits), this one has {0}")]
    Length(usize),
    /// The first 18 characters are not a valid USCC of the defining authority.
    #[error("the defining authority's code is invalid: {0}")]
    Authority(UsccError),
    /// The last 3 characters are not digits.
    #[error("the type number (last 3 characters) must be 3 digits")]
    Number,
}

impl ErrorCode for LicenseTypeCodeError {
    fn code(&self) -> &'static str {
        match self {
            Self::Length(_) => "id.license_type_code.length",
            Self::Authority(_) => "id.license_type_code.authority",
            Self::Number => "id.license_type_code.number",
        }
    }
}

/// A license type code: the USCC of the authority that defines the license type (e.g. the State
/// Administration for Market Regulation for the business license) followed by a 3-digit number.
///
/// ```
/// use yinxin::id::LicenseTypeCode;
/// let t: LicenseTypeCode = "11100000000013338W001".parse()?;
/// assert_eq!(t.authority().as_str(), "11100000000013338W");
/// assert_eq!(t.number(), "001");
/// # Ok::<(), yinxin::id::LicenseTypeCodeError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LicenseTypeCode {
    authority: Uscc,
    number: [u8; 3],
}

impl LicenseTypeCode {
    /// Parses and validates a license type code.
    pub fn parse(s: &str) -> Result<Self, LicenseTypeCodeError> {
        if s.len() != 21 || !s.is_char_boundary(18) {
            return Err(LicenseTypeCodeError::Length(s.chars().count()));
        }
        let (authority, number) = s.split_at(18);
        let authority = Uscc::parse(authority).map_err(LicenseTypeCodeError::Authority)?;
        Self::new(authority, number)
    }

    /// Builds a type code from the defining authority and a 3-digit number.
    pub fn new(authority: Uscc, number: &str) -> Result<Self, LicenseTypeCodeError> {
        let number: [u8; 3] = number.as_bytes().try_into().map_err(|_| LicenseTypeCodeError::Number)?;
        if !number.iter().all(u8::is_ascii_digit) {
            return Err(LicenseTypeCodeError::Number);
        }
        Ok(Self { authority, number })
    }

    /// The defining authority.
    pub fn authority(&self) -> &Uscc {
        &self.authority
    }

    /// The 3-digit type number.
    pub fn number(&self) -> &str {
        std::str::from_utf8(&self.number).unwrap_or_default()
    }
}

impl FromStr for LicenseTypeCode {
    type Err = LicenseTypeCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for LicenseTypeCode {
    type Error = LicenseTypeCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<LicenseTypeCode> for String {
    fn from(v: LicenseTypeCode) -> Self {
        v.to_string()
    }
}

impl fmt::Display for LicenseTypeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.authority, self.number())
    }
}

impl fmt::Debug for LicenseTypeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LicenseTypeCode({self})")
    }
}
