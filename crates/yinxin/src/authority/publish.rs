//! Publishing status: each list of the registry signed as a Status List Token, to be served
//! as a plain file (`yinxin serve`, nginx, a CDN).

use time::{Duration, OffsetDateTime};

use super::Authority;
use crate::ErrorCode;
use crate::crypto::Signer;
use crate::registry::{Registry, RegistryError};
use crate::status::{StatusError, StatusList, StatusListToken, TokenClaims};

/// How long verifiers may use a published list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListValidity {
    /// `ttl`: how long a verifier may keep the list before fetching it again.
    pub ttl: Duration,
    /// `exp`: how long after publication the list expires (then verifiers answer status
    /// unknown: publish again before, on a schedule).
    pub valid_for: Duration,
}

impl Default for ListValidity {
    /// Cache for an hour, expire after 48 hours.
    fn default() -> Self {
        Self { ttl: Duration::hours(1), valid_for: Duration::hours(48) }
    }
}

/// The longest a list may be valid for: a year.
const MAX_VALID_FOR: Duration = Duration::days(366);

/// One signed list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedList {
    /// The URI it is published at (the `sub` claim; what credentials reference).
    pub uri: String,
    /// The Status List Token (CWT).
    pub token: Vec<u8>,
    /// How many entries are not VALID.
    pub set: usize,
    /// When it expires.
    pub expires: OffsetDateTime,
}

/// Why publishing failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PublishError {
    /// The registry could not be read.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// A list could not be signed.
    #[error(transparent)]
    Status(#[from] StatusError),
    /// The validity asked for is not one a list may have (a ttl that is not negative, a
    /// validity of more than 0 and at most a year, ending before the year 9999).
    #[error("status list validity: {0}")]
    Validity(String),
}

impl ErrorCode for PublishError {
    fn code(&self) -> &'static str {
        match self {
            Self::Registry(e) => e.code(),
            Self::Status(e) => e.code(),
            Self::Validity(_) => "status.validity",
        }
    }
}

impl<S: Signer> Authority<S> {
    /// Signs `list` as the Status List Token published at `uri`, issued at `at`.
    pub fn sign_status_list(
        &self,
        uri: &str,
        list: &StatusList,
        validity: ListValidity,
        at: OffsetDateTime,
    ) -> Result<PublishedList, PublishError> {
        if validity.valid_for <= Duration::ZERO || validity.valid_for > MAX_VALID_FOR {
            return Err(PublishError::Validity(format!(
                "a list must be valid for more than 0 and at most 366 days, not {} s",
                validity.valid_for.whole_seconds()
            )));
        }
        let ttl = u64::try_from(validity.ttl.whole_seconds())
            .map_err(|_| PublishError::Validity("ttl must not be negative".into()))?;
        let expires = at
            .checked_add(validity.valid_for)
            .filter(|t| t.year() <= 9999)
            .ok_or_else(|| PublishError::Validity("the list would expire after the year 9999".into()))?;
        let claims = TokenClaims { sub: uri.to_owned(), iat: at, exp: Some(expires), ttl: Some(ttl) };
        let token =
            StatusListToken::sign(list, &claims, self.signer(), std::slice::from_ref(self.certificate()))?;
        Ok(PublishedList { uri: uri.to_owned(), token, set: list.non_zero().count(), expires })
    }

    /// Signs every list of `registry` as it is now: what to publish after issuing, after each
    /// status change, and on a schedule before the last lists expire.
    pub fn publish<R: Registry + ?Sized>(
        &self,
        registry: &R,
        validity: ListValidity,
        at: OffsetDateTime,
    ) -> Result<Vec<PublishedList>, PublishError> {
        registry
            .status_lists()?
            .iter()
            .map(|(uri, list)| self.sign_status_list(uri, list, validity, at))
            .collect()
    }
}
