//! The citizen identity number (公民身份号码) of GB 11643-1999.

use std::fmt;
use std::str::FromStr;

use time::{Date, Month};

use crate::ErrorCode;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";
const LEN: usize = 18;
/// Birth years before this are refused: no living holder was born earlier.
const MIN_BIRTH_YEAR: i32 = 1800;

/// Why a string is not a resident identity number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResidentIdError {
    /// The value is not 18 characters long.
    #[error("a resident identity number has 18 characters, this one has {0}")]
    Length(usize),
    /// A character that is not a digit (or, in the last position only, `X`).
    #[error("character {character:?} at position {position} is not allowed there")]
    Character {
        /// The offending character.
        character: char,
        /// Its 1-based position.
        position: usize,
    },
    /// Positions 7–14 are not a real calendar date (or one before 1800).
    #[error("positions 7-14 are not a real birth date")]
    BirthDate,
    /// The check character does not match the first 17 digits.
    #[error("check character is {found:?}, expected {expected:?}")]
    Check {
        /// The check character found.
        found: char,
        /// The check character the first 17 digits require.
        expected: char,
    },
}

impl ErrorCode for ResidentIdError {
    fn code(&self) -> &'static str {
        match self {
            Self::Length(_) => "id.resident_id.length",
            Self::Character { .. } => "id.resident_id.character",
            Self::BirthDate => "id.resident_id.birth_date",
            Self::Check { .. } => "id.resident_id.check",
        }
    }
}

/// The sex recorded by a resident identity number (odd 17th digit: male).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男
    Male,
    /// 女
    Female,
}

impl std::fmt::Display for Sex {
    /// `男 (male)` or `女 (female)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Male => "男 (male)",
            Self::Female => "女 (female)",
        })
    }
}

/// A resident identity number (公民身份号码, GB 11643-1999): 17 digits and a check character.
///
/// The embedded birth date must be a real calendar date. A lowercase `x` check character is
/// accepted and stored as `X`, the canonical form.
///
/// ```
/// use yinxin::id::{ResidentId, Sex};
/// let id: ResidentId = "11010519491231002X".parse()?;
/// assert_eq!(id.birth_date().to_string(), "1949-12-31");
/// assert_eq!(id.sex(), Sex::Female);
/// # Ok::<(), yinxin::id::ResidentIdError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResidentId {
    text: [u8; LEN],
    birth_date: Date,
}

fn digit(c: u8) -> u32 {
    u32::from(c.wrapping_sub(b'0'))
}

fn number(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |acc, &c| acc * 10 + digit(c))
}

impl ResidentId {
    /// Parses and validates a resident identity number.
    pub fn parse(s: &str) -> Result<Self, ResidentIdError> {
        let chars = s.chars().count();
        if chars != LEN || s.len() != LEN {
            return Err(ResidentIdError::Length(chars));
        }
        let mut text = [0u8; LEN];
        for (i, (slot, c)) in text.iter_mut().zip(s.bytes()).enumerate() {
            let ok = c.is_ascii_digit() || (i == LEN - 1 && (c == b'X' || c == b'x'));
            if !ok {
                return Err(ResidentIdError::Character { character: char::from(c), position: i + 1 });
            }
            *slot = c.to_ascii_uppercase();
        }
        let (body, check) = text.split_at(LEN - 1);
        let birth_date = birth_date(body.get(6..14).unwrap_or_default())?;
        let sum: u32 = body.iter().zip(WEIGHTS).map(|(&c, w)| digit(c) * w).sum();
        let expected = CHECK.get(usize::try_from(sum % 11).unwrap_or(0)).copied().unwrap_or(b'?');
        let found = check.first().copied().unwrap_or_default();
        if found != expected {
            return Err(ResidentIdError::Check { found: char::from(found), expected: char::from(expected) });
        }
        Ok(Self { text, birth_date })
    }

    /// The number as text (uppercase `X`).
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.text).unwrap_or_default()
    }

    /// Positions 1–6: the administrative division code (GB/T 2260) of the registered residence.
    pub fn division_code(&self) -> &str {
        self.as_str().get(0..6).unwrap_or_default()
    }

    /// The date of birth (positions 7–14).
    pub fn birth_date(&self) -> Date {
        self.birth_date
    }

    /// The sex (parity of position 17).
    pub fn sex(&self) -> Sex {
        if digit(self.text[16]) % 2 == 1 { Sex::Male } else { Sex::Female }
    }
}

fn birth_date(yyyymmdd: &[u8]) -> Result<Date, ResidentIdError> {
    let (y, md) = yyyymmdd.split_at(4.min(yyyymmdd.len()));
    let (m, d) = md.split_at(2.min(md.len()));
    let year = i32::try_from(number(y)).map_err(|_| ResidentIdError::BirthDate)?;
    let month = u8::try_from(number(m)).ok().and_then(|m| Month::try_from(m).ok());
    let day = u8::try_from(number(d)).map_err(|_| ResidentIdError::BirthDate)?;
    match month {
        Some(month) if year >= MIN_BIRTH_YEAR => {
            Date::from_calendar_date(year, month, day).map_err(|_| ResidentIdError::BirthDate)
        }
        _ => Err(ResidentIdError::BirthDate),
    }
}

impl FromStr for ResidentId {
    type Err = ResidentIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for ResidentId {
    type Error = ResidentIdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<ResidentId> for String {
    fn from(v: ResidentId) -> Self {
        v.as_str().to_owned()
    }
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ResidentId {
    /// Identity numbers are personal data: Debug shows only the division code and birth year.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResidentId({}********…)", self.division_code())
    }
}
