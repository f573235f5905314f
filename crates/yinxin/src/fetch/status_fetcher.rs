//! Fetching the status list a verified license names, for the verifier's status cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use time::OffsetDateTime;

use super::{Cached, DiskCache, MAX_STATUS_BODY, RETRY_AFTER, Request, Response, Transport};
use crate::status::{STATUS_LIST_CWT_TYPE, StatusListToken, StatusSource, VerifiedStatusList};
use crate::trust::{Certificate, TrustStore};

/// Most URLs whose last failure is remembered.
const MAX_FAILURES: usize = 1024;

/// A [`StatusSource`] that fetches over a [`Transport`] and keeps copies in a [`DiskCache`].
///
/// A fetched token must verify under the trust store and name the URI asked for (`sub`);
/// one that does not, like a network failure, leaves the last good copy in use. A copy serves
/// offline until its `exp` (a token without `exp`, until its `ttl` from when it was fetched).
pub struct StatusFetcher {
    transport: Arc<dyn Transport>,
    disk: Option<DiskCache>,
    trust: TrustStore,
    failures: Mutex<HashMap<String, OffsetDateTime>>,
}

impl std::fmt::Debug for StatusFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatusFetcher").field("disk", &self.disk).finish_non_exhaustive()
    }
}

impl StatusFetcher {
    /// Fetches with `transport`, verifies under `trust` (share the verifier's), keeps copies
    /// in `disk` when given.
    pub fn new(transport: Arc<dyn Transport>, disk: Option<DiskCache>, trust: TrustStore) -> Self {
        Self { transport, disk, trust, failures: Mutex::new(HashMap::new()) }
    }

    fn verify(&self, bytes: &[u8], uri: &str, at: OffsetDateTime) -> Result<VerifiedStatusList, String> {
        let list = StatusListToken::verify_with_trust(bytes, &self.trust, at).map_err(|e| e.to_string())?;
        if list.claims().sub != uri {
            return Err(format!("the token fetched from {uri} is the list {}", list.claims().sub));
        }
        Ok(list)
    }

    /// The network step: a verified list fetched (or confirmed by a 304) now.
    fn fetch_network(
        &self,
        uri: &str,
        cached: Option<&Cached>,
        at: OffsetDateTime,
    ) -> Result<VerifiedStatusList, String> {
        if let Ok(failures) = self.failures.lock() {
            if let Some(last) = failures.get(uri).filter(|t| at < t.saturating_add(RETRY_AFTER) && at >= **t)
            {
                return Err(format!(
                    "fetching {uri} failed at {}; not retried yet",
                    crate::text::rfc3339(*last)
                ));
            }
        }
        let request = Request {
            url: uri,
            etag: cached.and_then(|c| c.etag.as_deref()),
            accept: STATUS_LIST_CWT_TYPE,
            max_bytes: MAX_STATUS_BODY,
        };
        let outcome = match self.transport.get(&request) {
            Ok(Response::Body { bytes, etag, .. }) => {
                let verified = self.verify(&bytes, uri, at);
                if let (Ok(_), Some(disk)) = (&verified, &self.disk) {
                    let _ = disk.store(uri, &Cached { body: bytes, etag, fetched: at });
                }
                verified
            }
            Ok(Response::NotModified { .. }) => match cached {
                Some(c) => self.verify(&c.body, uri, at).inspect(|_| {
                    if let Some(disk) = &self.disk {
                        let _ = disk.touch(uri, at, MAX_STATUS_BODY);
                    }
                }),
                None => Err(format!("{uri} answered 304 Not Modified, but no copy is held")),
            },
            Err(e) => Err(format!("fetching {uri}: {e}")),
        };
        if outcome.is_err() {
            if let Ok(mut failures) = self.failures.lock() {
                if failures.len() >= MAX_FAILURES {
                    failures.clear();
                }
                failures.insert(uri.to_owned(), at);
            }
        }
        outcome
    }
}

impl StatusSource for StatusFetcher {
    fn fetch(
        &self,
        _issuer: Option<&Certificate>,
        uri: &str,
        at: OffsetDateTime,
    ) -> Result<(VerifiedStatusList, OffsetDateTime), String> {
        super::fetchable(uri).map_err(|e| e.to_string())?;
        let cached = self.disk.as_ref().and_then(|d| d.load(uri, MAX_STATUS_BODY));
        let network = match self.fetch_network(uri, cached.as_ref(), at) {
            Ok(list) => return Ok((list, at)),
            Err(why) => why,
        };
        // Offline (or the server sent something unusable): the last good copy, until its exp.
        let Some(c) = cached else { return Err(format!("{network}; no copy is held")) };
        let list = self.verify(&c.body, uri, at).map_err(|e| format!("{network}; the copy held: {e}"))?;
        let fetched = if list.claims().exp.is_some() { at } else { c.fetched };
        Ok((list, fetched))
    }
}
