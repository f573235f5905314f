//! The trust lists a verifier follows by URL: fetched on request or when their `max-age` runs
//! out, conditionally (ETag), with the last good copy kept on disk and used offline.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use time::{Duration, OffsetDateTime};

use super::{
    Cached, DEFAULT_REFRESH, DiskCache, MAX_REFRESH, MAX_TRUST_LIST_BODY, RETRY_AFTER, Request, Response,
    Transport,
};
use crate::ErrorCode;
use crate::trust::list::{TrustListError, VerifiedTrustList};

/// The media type asked for (ISO 18013-5 names none; yinxin serves lists as this).
pub const TRUST_LIST_MEDIA_TYPE: &str = "application/cose";

/// What refreshing one trust list source did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SourceOutcome {
    /// A new issue was fetched and accepted.
    Updated {
        /// Its provider.
        provider: String,
        /// Its issue id.
        issue_id: Option<u64>,
    },
    /// The server confirmed the list held (304), or sent it again.
    Current,
    /// Not fetched: checked less than its `max-age` ago.
    NotDue,
    /// The fetch failed or the list fetched was refused; the last good copy, if any, stays
    /// in use.
    Failed {
        /// The stable code (`fetch.*` or `trust_list.*`).
        code: &'static str,
        /// What happened.
        message: String,
        /// Whether a list from this source accepted before (in this process, or from the
        /// cache directory) is still in use.
        cached: bool,
    },
}

/// One source's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceReport {
    /// The URL.
    pub url: String,
    /// What happened.
    pub outcome: SourceOutcome,
}

#[derive(Debug, Default, Clone, Copy)]
struct SourceState {
    next_check: Option<OffsetDateTime>,
    disk_applied: bool,
    /// A list from this source was accepted (from disk or the network) in this process.
    accepted: bool,
}

/// Trust list URLs and how to fetch them.
pub struct TrustListSources {
    transport: Arc<dyn Transport>,
    disk: Option<DiskCache>,
    urls: Vec<String>,
    state: Mutex<HashMap<String, SourceState>>,
}

impl std::fmt::Debug for TrustListSources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustListSources")
            .field("urls", &self.urls)
            .field("disk", &self.disk)
            .finish_non_exhaustive()
    }
}

fn failed(e: &(impl ErrorCode + std::fmt::Display), cached: bool) -> SourceOutcome {
    SourceOutcome::Failed { code: e.code(), message: e.to_string(), cached }
}

impl TrustListSources {
    /// Follows `urls`, fetching with `transport`, keeping copies in `disk` when given.
    pub fn new(transport: Arc<dyn Transport>, disk: Option<DiskCache>, urls: Vec<String>) -> Self {
        Self { transport, disk, urls, state: Mutex::new(HashMap::new()) }
    }

    /// The URLs followed.
    pub fn urls(&self) -> &[String] {
        &self.urls
    }

    /// Refreshes every source that is due (all of them with `force`), handing each list to
    /// `accept` (the verifier's [`add_trust_list`](crate::Verifier::add_trust_list)). The first
    /// time, a source's copy on disk is handed over before the network is tried, so a verifier
    /// that starts offline trusts what it trusted before (until the lists go stale).
    pub fn refresh(
        &self,
        at: OffsetDateTime,
        force: bool,
        accept: &dyn Fn(&[u8]) -> Result<VerifiedTrustList, TrustListError>,
    ) -> Vec<SourceReport> {
        self.urls
            .iter()
            .map(|url| SourceReport { url: url.clone(), outcome: self.refresh_one(url, at, force, accept) })
            .collect()
    }

    fn refresh_one(
        &self,
        url: &str,
        at: OffsetDateTime,
        force: bool,
        accept: &dyn Fn(&[u8]) -> Result<VerifiedTrustList, TrustListError>,
    ) -> SourceOutcome {
        let mut st = self.state.lock().map(|s| s.get(url).copied().unwrap_or_default()).unwrap_or_default();
        let cached = self.disk.as_ref().and_then(|d| d.load(url, MAX_TRUST_LIST_BODY));
        if !st.disk_applied {
            if let Some(c) = &cached {
                // Refused copies (stale, or older than one accepted since) are simply not used.
                st.accepted |= accept(&c.body).is_ok();
            }
            st.disk_applied = true;
        }
        let outcome = if !force && st.next_check.is_some_and(|t| at < t) {
            (SourceOutcome::NotDue, None)
        } else {
            self.fetch(url, cached.as_ref(), at, accept, st.accepted)
        };
        st.accepted |= matches!(outcome.0, SourceOutcome::Updated { .. } | SourceOutcome::Current);
        st.next_check = match (&outcome.0, outcome.1) {
            (SourceOutcome::NotDue, _) => st.next_check,
            (SourceOutcome::Failed { .. }, _) => Some(at.saturating_add(RETRY_AFTER)),
            (_, max_age) => {
                let age = max_age
                    .map_or(DEFAULT_REFRESH, |s| Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX)));
                Some(at.saturating_add(age.min(MAX_REFRESH)))
            }
        };
        if let Ok(mut state) = self.state.lock() {
            state.insert(url.to_owned(), st);
        }
        outcome.0
    }

    fn fetch(
        &self,
        url: &str,
        cached: Option<&Cached>,
        at: OffsetDateTime,
        accept: &dyn Fn(&[u8]) -> Result<VerifiedTrustList, TrustListError>,
        held: bool,
    ) -> (SourceOutcome, Option<u64>) {
        if let Err(e) = super::fetchable(url) {
            return (failed(&e, held), None);
        }
        let request = Request {
            url,
            etag: cached.and_then(|c| c.etag.as_deref()),
            accept: TRUST_LIST_MEDIA_TYPE,
            max_bytes: MAX_TRUST_LIST_BODY,
        };
        match self.transport.get(&request) {
            Err(e) => (failed(&e, held), None),
            Ok(Response::NotModified { max_age }) => {
                if let Some(disk) = &self.disk {
                    let _ = disk.touch(url, at, MAX_TRUST_LIST_BODY);
                }
                (SourceOutcome::Current, max_age)
            }
            Ok(Response::Body { bytes, etag, max_age }) => {
                let same = cached.is_some_and(|c| c.body == bytes);
                match accept(&bytes) {
                    Err(e) => (failed(&e, held), None),
                    Ok(list) => {
                        if let Some(disk) = &self.disk {
                            let _ = disk.store(url, &Cached { body: bytes, etag, fetched: at });
                        }
                        let outcome = if same {
                            SourceOutcome::Current
                        } else {
                            SourceOutcome::Updated {
                                provider: list.list().provider.clone(),
                                issue_id: list.list().issue_id,
                            }
                        };
                        (outcome, max_age)
                    }
                }
            }
        }
    }
}
