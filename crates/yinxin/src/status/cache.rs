//! A verifier's cache of verified status lists, by URI, honouring `exp` and `ttl`.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use time::{Duration, OffsetDateTime};

use super::{Status, VerifiedStatusList};

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

/// Verified Status List Tokens by URI. `Send + Sync`; share one per verifier.
#[derive(Default)]
pub struct StatusListCache {
    lists: RwLock<HashMap<String, Entry>>,
}

impl std::fmt::Debug for StatusListCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.lists.read().map(|m| m.len()).unwrap_or(0);
        f.debug_struct("StatusListCache").field("lists", &n).finish()
    }
}

impl StatusListCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores a verified list under its `sub`, as fetched at `fetched`. A list older (by `iat`)
    /// than the one held is ignored.
    pub fn insert(&self, list: VerifiedStatusList, fetched: OffsetDateTime) {
        let Ok(mut lists) = self.lists.write() else { return };
        let uri = list.claims().sub.clone();
        if lists.get(&uri).is_some_and(|e| e.list.claims().iat > list.claims().iat) {
            return;
        }
        if lists.len() >= MAX_LISTS && !lists.contains_key(&uri) {
            if let Some(oldest) = lists.iter().min_by_key(|(_, e)| e.fetched).map(|(k, _)| k.clone()) {
                lists.remove(&oldest);
            }
        }
        lists.insert(uri, Entry { list: Arc::new(list), fetched });
    }

    /// The list for `uri`, if one is held and usable at `at`: not past `exp`, and fetched no
    /// longer than `ttl` seconds ago.
    pub fn get(&self, uri: &str, at: OffsetDateTime) -> Result<Arc<VerifiedStatusList>, String> {
        let lists = self.lists.read().map_err(|_| "cache unavailable".to_owned())?;
        let entry = lists.get(uri).ok_or_else(|| format!("no status list for {uri}"))?;
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

    /// The status of entry `index` of the list at `uri`, at time `at`.
    pub fn status(&self, uri: &str, index: u64, at: OffsetDateTime) -> StatusOutcome {
        match self.get(uri, at) {
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
