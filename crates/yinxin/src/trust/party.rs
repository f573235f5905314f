//! The party a certificate names: an organisation (USCC) or a person (resident ID number).

use std::fmt;
use std::str::FromStr;

use crate::ErrorCode;
use crate::id::{ResidentId, Uscc};

/// An organisation or a natural person, identified by its national code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Party {
    /// A legal entity or authority, by unified social credit code.
    Organization(Uscc),
    /// A natural person, by resident identity number.
    Person(ResidentId),
}

/// Why a string names no party.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PartyError {
    /// Neither a valid USCC nor a valid resident identity number.
    #[error("{0:?} is neither a valid USCC nor a valid resident identity number")]
    Code(String),
    /// A certificate subject identifier that is not `NTRCN-<USCC>` or `IDCCN-<resident ID>`.
    #[error("unrecognised subject identifier {0:?}")]
    Identifier(String),
}

impl ErrorCode for PartyError {
    fn code(&self) -> &'static str {
        match self {
            Self::Code(_) => "trust.party_code",
            Self::Identifier(_) => "trust.party_identifier",
        }
    }
}

/// ETSI EN 319 412-1 semantics identifier prefix for a legal person's national trade register
/// number in China.
const ORG_PREFIX: &str = "NTRCN-";
/// ETSI EN 319 412-1 prefix for a natural person's national identity card number in China.
const PERSON_PREFIX: &str = "IDCCN-";

impl Party {
    /// The bare national code.
    pub fn code(&self) -> &str {
        match self {
            Self::Organization(u) => u.as_str(),
            Self::Person(r) => r.as_str(),
        }
    }

    /// The subject identifier as written in certificates: `NTRCN-<USCC>` or `IDCCN-<ID>`.
    pub fn subject_identifier(&self) -> String {
        match self {
            Self::Organization(u) => format!("{ORG_PREFIX}{u}"),
            Self::Person(r) => format!("{PERSON_PREFIX}{r}"),
        }
    }

    /// Reads a subject identifier written by [`Party::subject_identifier`].
    pub fn from_subject_identifier(s: &str) -> Result<Self, PartyError> {
        if let Some(code) = s.strip_prefix(ORG_PREFIX) {
            Uscc::parse(code).map(Self::Organization).map_err(|_| PartyError::Identifier(s.to_owned()))
        } else if let Some(code) = s.strip_prefix(PERSON_PREFIX) {
            ResidentId::parse(code).map(Self::Person).map_err(|_| PartyError::Identifier(s.to_owned()))
        } else {
            Err(PartyError::Identifier(s.to_owned()))
        }
    }

    /// The organisation's USCC, if this is an organisation.
    pub fn uscc(&self) -> Option<&Uscc> {
        match self {
            Self::Organization(u) => Some(u),
            Self::Person(_) => None,
        }
    }
}

impl FromStr for Party {
    type Err = PartyError;
    /// A USCC or a resident identity number, told apart by validity.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Ok(id) = ResidentId::parse(s) {
            return Ok(Self::Person(id));
        }
        Uscc::parse(s).map(Self::Organization).map_err(|_| PartyError::Code(s.to_owned()))
    }
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}
