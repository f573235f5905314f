//! What a verifier remembers of the trust lists it accepted, so that an older list (a
//! rollback, e.g. one that still trusts a removed authority) is refused even after a restart.
//! Saved as a small JSON document; one that cannot be read is an error, never a fresh start.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{TrustListError, VerifiedTrustList};

/// The most lists one state remembers (one per operator and provider in practice).
const MAX_SOURCES: usize = 1024;
/// The largest saved state read.
pub const MAX_STATE_SIZE: usize = 1 << 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Accepted {
    provider: String,
    issue_id: Option<u64>,
    /// Unix seconds of the list's `date`.
    date: i64,
    /// SHA-256 of the signed list, hex.
    digest: String,
}

/// The newest list accepted from each source (operator anchor and provider).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustListState {
    version: u32,
    accepted: BTreeMap<String, Accepted>,
}

impl Default for TrustListState {
    fn default() -> Self {
        Self::new()
    }
}

impl TrustListState {
    /// Nothing accepted yet.
    pub fn new() -> Self {
        Self { version: 1, accepted: BTreeMap::new() }
    }

    /// Whether `list` may replace what was accepted from its source: a higher issue id (or,
    /// for lists without one, a later date), or the very same list again.
    pub fn check(&self, list: &VerifiedTrustList) -> Result<(), TrustListError> {
        let Some(prev) = self.accepted.get(&list.source()) else { return Ok(()) };
        let l = list.list();
        let digest = hex::encode(list.digest());
        let provider = l.provider.clone();
        match (prev.issue_id, l.issue_id) {
            (Some(accepted), Some(offered)) if offered < accepted => {
                Err(TrustListError::Rollback { provider, accepted, offered })
            }
            (Some(accepted), Some(offered)) if offered == accepted && digest != prev.digest => {
                Err(TrustListError::Conflict { provider, issue_id: offered })
            }
            (Some(accepted), None) => Err(TrustListError::Rollback { provider, accepted, offered: 0 }),
            _ if l.date.unix_timestamp() < prev.date => Err(TrustListError::Rollback {
                provider,
                accepted: prev.issue_id.unwrap_or_default(),
                offered: l.issue_id.unwrap_or_default(),
            }),
            _ => Ok(()),
        }
    }

    /// Records `list` as the newest accepted from its source (after [`TrustListState::check`]).
    pub fn record(&mut self, list: &VerifiedTrustList) -> Result<(), TrustListError> {
        let source = list.source();
        if self.accepted.len() >= MAX_SOURCES && !self.accepted.contains_key(&source) {
            return Err(TrustListError::State(format!("more than {MAX_SOURCES} list sources")));
        }
        let l = list.list();
        self.accepted.insert(
            source,
            Accepted {
                provider: l.provider.clone(),
                issue_id: l.issue_id,
                date: l.date.unix_timestamp(),
                digest: hex::encode(list.digest()),
            },
        );
        Ok(())
    }

    /// The highest issue id accepted from `provider` (any operator), if any.
    pub fn accepted_issue(&self, provider: &str) -> Option<u64> {
        self.accepted.values().filter(|a| a.provider == provider).filter_map(|a| a.issue_id).max()
    }

    /// The state as JSON, to save.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// Reads a saved state; anything but a state this version wrote is an error (the caller
    /// must not carry on as if no list had been accepted).
    pub fn from_json(bytes: &[u8]) -> Result<Self, TrustListError> {
        if bytes.len() > MAX_STATE_SIZE {
            return Err(TrustListError::State(format!("{} bytes, more than {MAX_STATE_SIZE}", bytes.len())));
        }
        let state: Self = serde_json::from_slice(bytes).map_err(|e| TrustListError::State(e.to_string()))?;
        if state.version != 1 {
            return Err(TrustListError::State(format!("unknown state version {}", state.version)));
        }
        if state.accepted.len() > MAX_SOURCES {
            return Err(TrustListError::State(format!("more than {MAX_SOURCES} list sources")));
        }
        Ok(state)
    }
}
