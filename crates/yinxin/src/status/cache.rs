//! A verifier's cache of verified status lists, by issuer and URI, honouring `exp` and `ttl`.
//!
//! Two authorities may publish under the same URI (two registries made with the same settings,
//! or a mistake): a list is kept under its signer's identity as well as its URI, and a
//! credential's status is looked up under its own issuer, so one authority's list never
//! answers for another's licenses.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use time::{Duration, OffsetDateTime};

use super::{Status, VerifiedStatusList};
use crate::trust::Certificate;

/// Lists kept at most; adding one more evicts the one fetched longest ago.
const MAX_LISTS: usize = 1024;

/// What a verifier learns about a credential's status.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StatusOutcome {
    /// The entry says VALID (or any non-revoking value the caller accepts).
    Known(Status),
    /// No usable list: none for the URI, expired (`exp`), stale (`ttl`), or the index is outside
    /// the list. The text says which.
    Unknown(String),
    /// The credential names no status list: it cannot be revoked or suspended, and there is
    /// nothing to check.
    NoReference,
}

impl StatusOutcome {
    /// The word verdicts use for it: `valid`, `revoked`, `suspended`, `unknown` (no usable
    /// list, or a status value without a meaning here) or `none` (no status reference).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Known(Status::Valid) => "valid",
            Self::Known(Status::Invalid) => "revoked",
            Self::Known(Status::Suspended) => "suspended",
            Self::Known(Status::Other(_)) | Self::Unknown(_) => "unknown",
            Self::NoReference => "none",
        }
    }
}

struct Entry {
    list: Arc<VerifiedStatusList>,
    fetched: OffsetDateTime,
}

/// Who a list or a credential is from, for the cache: the USCC (or resident ID) its certificate
/// names, else the key id of its key; empty for a list verified with a bare key.
pub fn issuer_id(cert: Option<&Certificate>) -> String {
    cert.map_or_else(String::new, |c| {
        c.party().map_or_else(|| c.public_key().key_id().to_string(), |p| p.code().to_owned())
    })
}

/// Where a cache gets a list it does not hold (or holds past its `ttl`): a fetcher over HTTP
/// with an offline copy ([`crate::fetch`]), or the app's own. Called only once the credential
/// naming the list has been verified, so the URI comes from a trusted issuer.
pub trait StatusSource: Send + Sync {
    /// The list `issuer` published at `uri`, verified at `at`, and the time it counts as
    /// fetched (for `ttl`); or why there is none.
    fn fetch(
        &self,
        issuer: Option<&Certificate>,
        uri: &str,
        at: OffsetDateTime,
    ) -> Result<(VerifiedStatusList, OffsetDateTime), String>;
}

/// Verified Status List Tokens by issuer and URI. `Send + Sync`; share one per verifier.
#[derive(Default)]
pub struct StatusListCache {
    lists: RwLock<HashMap<(String, String), Entry>>,
    source: RwLock<Option<Arc<dyn StatusSource>>>,
}

impl std::fmt::Debug for StatusListCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.lists.read().map(|m| m.len()).unwrap_or(0);
        let fetching = self.source.read().is_ok_and(|s| s.is_some());
        f.debug_struct("StatusListCache").field("lists", &n).field("fetching", &fetching).finish()
    }
}

impl StatusListCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores a verified list under its signer and its `sub`, as fetched at `fetched`. A list
    /// older (by `iat`) than the one held for the same issuer and URI is ignored.
    pub fn insert(&self, list: VerifiedStatusList, fetched: OffsetDateTime) {
        let Ok(mut lists) = self.lists.write() else { return };
        let key = (issuer_id(list.signer()), list.claims().sub.clone());
        if lists.get(&key).is_some_and(|e| e.list.claims().iat > list.claims().iat) {
            return;
        }
        if lists.len() >= MAX_LISTS && !lists.contains_key(&key) {
            if let Some(oldest) = lists.iter().min_by_key(|(_, e)| e.fetched).map(|(k, _)| k.clone()) {
                lists.remove(&oldest);
            }
        }
        lists.insert(key, Entry { list: Arc::new(list), fetched });
    }

    /// Sets (or, with `None`, removes) where lists missing from the cache are fetched.
    pub fn set_source(&self, source: Option<Arc<dyn StatusSource>>) {
        if let Ok(mut s) = self.source.write() {
            *s = source;
        }
    }

    /// The list `issuer` published at `uri`, if one is held and usable at `at`: not past
    /// `exp`, and fetched no longer than `ttl` seconds ago; otherwise fetched from the source,
    /// if there is one. A list verified with a bare key (no signer certificate) answers for
    /// any issuer at its URI.
    pub fn get(
        &self,
        issuer: Option<&Certificate>,
        uri: &str,
        at: OffsetDateTime,
    ) -> Result<Arc<VerifiedStatusList>, String> {
        let held = self.held(issuer, uri, at);
        if held.is_ok() {
            return held;
        }
        let source = self.source.read().ok().and_then(|s| s.clone());
        let Some(source) = source else { return held };
        let (list, fetched) = source.fetch(issuer, uri, at).map_err(|why| match held {
            Err(before) => format!("{before}; {why}"),
            Ok(_) => why,
        })?;
        self.insert(list, fetched);
        self.held(issuer, uri, at)
    }

    /// The certificate with key id `kid` that signed a list held for (or, with a source,
    /// fetched from) `uri`, usable at `at`. A compact code names its issuer by key id and its
    /// status list by URI: the list, verified under the trust store, introduces the issuer
    /// (decision 0017). Fetching an unverified code's URI is bounded by the source's rules
    /// (http(s) only, size and time limits).
    pub(crate) fn signer_with_key(
        &self,
        uri: &str,
        kid: &crate::crypto::KeyId,
        at: OffsetDateTime,
    ) -> Option<Certificate> {
        let find = |cache: &Self| -> Option<Certificate> {
            let lists = cache.lists.read().ok()?;
            lists
                .iter()
                .filter(|((_, u), _)| u == uri)
                .filter_map(|(_, e)| e.list.signer())
                .find(|c| c.public_key().key_id() == *kid)
                .cloned()
        };
        if let Some(cert) = find(self) {
            return Some(cert);
        }
        let source = self.source.read().ok().and_then(|s| s.clone())?;
        let (list, fetched) = source.fetch(None, uri, at).ok()?;
        self.insert(list, fetched);
        find(self)
    }

    fn held(
        &self,
        issuer: Option<&Certificate>,
        uri: &str,
        at: OffsetDateTime,
    ) -> Result<Arc<VerifiedStatusList>, String> {
        let lists = self.lists.read().map_err(|_| "cache unavailable".to_owned())?;
        let id = issuer_id(issuer);
        let entry = lists
            .get(&(id.clone(), uri.to_owned()))
            .or_else(|| lists.get(&(String::new(), uri.to_owned())))
            .ok_or_else(|| {
                if id.is_empty() {
                    format!("no status list for {uri}")
                } else {
                    format!("no status list from {id} for {uri}")
                }
            })?;
        let claims = entry.list.claims();
        if claims.exp.is_some_and(|exp| at > exp) {
            return Err(format!("the status list for {uri} expired"));
        }
        if let Some(ttl) = claims.ttl {
            let ttl = Duration::seconds(i64::try_from(ttl).unwrap_or(i64::MAX));
            if at > entry.fetched.saturating_add(ttl) {
                return Err(format!("the status list for {uri} is older than its ttl"));
            }
        }
        Ok(entry.list.clone())
    }

    /// The status of entry `index` of the list `issuer` published at `uri`, at time `at`.
    pub fn status(
        &self,
        issuer: Option<&Certificate>,
        uri: &str,
        index: u64,
        at: OffsetDateTime,
    ) -> StatusOutcome {
        match self.get(issuer, uri, at) {
            Err(reason) => StatusOutcome::Unknown(reason),
            Ok(list) => match list.list().status(index) {
                Ok(s) => StatusOutcome::Known(s),
                Err(e) => StatusOutcome::Unknown(e.to_string()),
            },
        }
    }

    /// Drops every list.
    pub fn clear(&self) {
        if let Ok(mut lists) = self.lists.write() {
            lists.clear();
        }
    }
}
