//! The unified social credit code (统一社会信用代码) of GB 32100-2015.

use std::fmt;
use std::str::FromStr;

use crate::ErrorCode;

/// The 31 characters a USCC may use (the digits and the capitals without I, O, Z, S, V).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// The weights of the first 17 characters.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/// The length of every USCC.
const LEN: usize = 18;

/// Why a string is not a unified social credit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsccError {
    /// The value is not 18 characters long.
    #[error("a unified social credit code has 18 characters, this one has {0}")]
    Length(usize),
    /// A character outside the GB 32100 alphabet (lowercase letters, I, O, Z, S, V, others).
    #[error("character {character:?} at position {position} is not in the GB 32100 alphabet")]
    Character {
        /// The offending character.
        character: char,
        /// Its 1-based position.
        position: usize,
    },
    /// The check character does not match the first 17 characters.
    #[error("check character is {found:?}, expected {expected:?}")]
    Check {
        /// The check character found.
        found: char,
        /// The check character the first 17 characters require.
        expected: char,
    },
}

impl ErrorCode for UsccError {
    fn code(&self) -> &'static str {
        match self {
            Self::Length(_) => "id.uscc.length",
            Self::Character { .. } => "id.uscc.character",
            Self::Check { .. } => "id.uscc.check",
        }
    }
}

/// A unified social credit code (统一社会信用代码, GB 32100-2015) with a correct check character.
///
/// ```
/// use yinxin::id::Uscc;
/// let code: Uscc = "91350100M000100Y43".parse()?;
/// assert_eq!(code.registration_authority(), '9');
/// assert_eq!(code.division_code(), "350100");
/// assert!("91350100M000100Y44".parse::<Uscc>().is_err());
/// # Ok::<(), yinxin::id::UsccError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc([u8; LEN]);

fn alphabet_value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).and_then(|p| u32::try_from(p).ok())
}

/// The check character that the 17 given characters require; `None` when one is outside the
/// alphabet.
pub(crate) fn check_character(first17: &[u8]) -> Option<u8> {
    let mut sum = 0u32;
    for (&c, w) in first17.iter().zip(WEIGHTS) {
        sum += alphabet_value(c)? * w;
    }
    let idx = (31 - sum % 31) % 31;
    ALPHABET.get(usize::try_from(idx).ok()?).copied()
}

impl Uscc {
    /// Parses and validates a USCC. Lowercase letters are refused: the canonical form is uppercase.
    pub fn parse(s: &str) -> Result<Self, UsccError> {
        let chars = s.chars().count();
        if chars != LEN || s.len() != LEN {
            return Err(UsccError::Length(chars));
        }
        let mut out = [0u8; LEN];
        for (i, (slot, c)) in out.iter_mut().zip(s.bytes()).enumerate() {
            if alphabet_value(c).is_none() {
                return Err(UsccError::Character { character: char::from(c), position: i + 1 });
            }
            *slot = c;
        }
        let (body, check) = out.split_at(LEN - 1);
        let expected = check_character(body).ok_or(UsccError::Length(LEN))?;
        let found = check.first().copied().unwrap_or_default();
        if found != expected {
            return Err(UsccError::Check { found: char::from(found), expected: char::from(expected) });
        }
        Ok(Self(out))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII bytes of the alphabet are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Position 1: the registration management authority code (e.g. `9` for market
    /// regulation, `1` for institutional organisation).
    pub fn registration_authority(&self) -> char {
        char::from(self.0[0])
    }

    /// Position 2: the organisation category code within that authority.
    pub fn organization_category(&self) -> char {
        char::from(self.0[1])
    }

    /// Positions 3–8: the administrative division code (GB/T 2260) of the registering authority.
    pub fn division_code(&self) -> &str {
        self.as_str().get(2..8).unwrap_or_default()
    }

    /// Positions 9–17: the organisation code (GB 11714) part.
    pub fn organization_code(&self) -> &str {
        self.as_str().get(8..17).unwrap_or_default()
    }
}

impl FromStr for Uscc {
    type Err = UsccError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Uscc {
    type Error = UsccError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Uscc> for String {
    fn from(v: Uscc) -> Self {
        v.as_str().to_owned()
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uscc({})", self.as_str())
    }
}
