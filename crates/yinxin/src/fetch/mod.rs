//! Getting trust lists and status lists to a verifier: over HTTP with conditional requests,
//! kept in a cache directory for offline use, or handed over by an app that does its own
//! networking.
//!
//! * [`Transport`]: one GET, conditional on an ETag, with a size limit. [`HttpTransport`]
//!   (feature `http`: ureq with rustls) is the built-in one; the FFI lets apps plug in theirs.
//! * [`DiskCache`]: the last good copy of each document by URL, with its ETag and when it was
//!   fetched, written atomically; a copy that does not match its recorded digest is not used.
//! * [`StatusFetcher`]: a [`StatusSource`](crate::status::StatusSource) for the verifier's
//!   status cache: fetches the list a verified license names, verifies it (its `sub` must be
//!   the URI asked for), keeps it; offline, the cached copy serves until its `exp`; a refresh
//!   that fails keeps the last good copy.
//! * [`TrustListSources`]: the trust lists a verifier follows, refreshed on request or when
//!   their `Cache-Control: max-age` runs out.
//!
//! Every body is read within a limit ([`MAX_STATUS_BODY`], [`MAX_TRUST_LIST_BODY`]); a
//! server that sends more (or garbage) costs one failed fetch, never memory.

mod disk;
#[cfg(feature = "http")]
mod http;
mod status_fetcher;
mod trust_sources;

use time::Duration;

use crate::ErrorCode;

pub use disk::{Cached, DiskCache};
#[cfg(feature = "http")]
pub use http::HttpTransport;
pub use status_fetcher::StatusFetcher;
pub use trust_sources::{SourceOutcome, SourceReport, TRUST_LIST_MEDIA_TYPE, TrustListSources};

/// The largest status list token fetched.
pub const MAX_STATUS_BODY: usize = crate::status::MAX_TOKEN_SIZE;
/// The largest trust list fetched.
pub const MAX_TRUST_LIST_BODY: usize = crate::trust::list::MAX_TRUST_LIST_SIZE;
/// After a failed fetch, the same URL is not tried again for this long (a verifier offline at
/// a counter does not wait for the network at every scan).
pub const RETRY_AFTER: Duration = Duration::seconds(60);
/// How often a trust list is fetched again when its server names no `max-age`.
pub const DEFAULT_REFRESH: Duration = Duration::hours(1);
/// The most `max-age` honoured (a day): trust lists are checked at least daily.
pub const MAX_REFRESH: Duration = Duration::days(1);

/// One conditional GET.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    /// `http://` or `https://` URL.
    pub url: &'a str,
    /// `If-None-Match`: the ETag of the copy held.
    pub etag: Option<&'a str>,
    /// The media type wanted (`Accept`).
    pub accept: &'a str,
    /// Bodies longer than this are refused ([`FetchError::TooLarge`]).
    pub max_bytes: usize,
}

/// What a server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// 200: a body (within the limit), its ETag and `max-age`.
    Body {
        /// The body.
        bytes: Vec<u8>,
        /// The `ETag` header, if any.
        etag: Option<String>,
        /// `Cache-Control: max-age`, seconds.
        max_age: Option<u64>,
    },
    /// 304: the copy held is current.
    NotModified {
        /// `Cache-Control: max-age`, seconds.
        max_age: Option<u64>,
    },
}

impl Response {
    /// The response to a request from its parts (status code, headers, body), as a transport
    /// received them: 200 and 304 are answers, anything else an error; a body past
    /// `max_bytes` is refused; an ETag that is not a valid entity tag is ignored.
    pub fn from_parts(
        status: u16,
        headers: &[(&str, &str)],
        body: Vec<u8>,
        max_bytes: usize,
    ) -> Result<Self, FetchError> {
        let header = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| *v);
        let max_age = header("cache-control").and_then(max_age);
        match status {
            200 => {
                if body.len() > max_bytes {
                    return Err(FetchError::TooLarge(max_bytes));
                }
                let etag = header("etag").filter(|e| valid_etag(e)).map(str::to_owned);
                Ok(Self::Body { bytes: body, etag, max_age })
            }
            304 => Ok(Self::NotModified { max_age }),
            other => Err(FetchError::Status(other)),
        }
    }
}

/// `max-age` of a `Cache-Control` value (`no-store`, `no-cache` and unparsable values: none).
pub fn max_age(cache_control: &str) -> Option<u64> {
    let mut age = None;
    for directive in cache_control.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-store" || lower == "no-cache" {
            return Some(0);
        }
        if let Some(v) = lower.strip_prefix("max-age=") {
            age = v.trim_matches('"').parse::<u64>().ok();
        }
    }
    age
}

/// An entity tag as RFC 9110 §8.8.3 writes it: optional `W/`, then a quoted string of
/// visible characters, at most 256 bytes (it is sent back in `If-None-Match`).
pub fn valid_etag(tag: &str) -> bool {
    let opaque = tag.strip_prefix("W/").unwrap_or(tag);
    tag.len() <= 256
        && opaque.len() >= 2
        && opaque.starts_with('"')
        && opaque.ends_with('"')
        && opaque
            .bytes()
            .skip(1)
            .take(opaque.len() - 2)
            .all(|b| b == 0x21 || (0x23..=0x7e).contains(&b) || b >= 0x80)
}

/// Whether `url` is one a verifier fetches: `http://` or `https://` with a host, no
/// credentials, no whitespace or control characters, at most 2,048 bytes.
pub fn fetchable(url: &str) -> Result<(), FetchError> {
    let bad = |why: &str| Err(FetchError::Url(format!("{url:?}: {why}")));
    if url.len() > 2048 {
        return bad("longer than 2048 bytes");
    }
    if url.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return bad("holds spaces or control characters");
    }
    let Some(rest) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else {
        return bad("only http:// and https:// URLs are fetched");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() {
        return bad("no host");
    }
    if authority.contains('@') {
        return bad("credentials in the URL");
    }
    Ok(())
}

/// Gets documents. Implementations bound what they read by [`Request::max_bytes`] and time
/// out; they must not decompress bodies (no `Accept-Encoding`).
pub trait Transport: Send + Sync {
    /// One GET.
    fn get(&self, request: &Request<'_>) -> Result<Response, FetchError>;
}

/// Why a document could not be fetched or kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// Not a URL the verifier fetches.
    #[error("not fetched: {0}")]
    Url(String),
    /// No connection, a timeout, a TLS failure.
    #[error("network: {0}")]
    Network(String),
    /// An HTTP status other than 200 or 304.
    #[error("the server answered HTTP {0}")]
    Status(u16),
    /// The body is longer than the limit.
    #[error("the body is longer than {0} bytes")]
    TooLarge(usize),
    /// The cache directory cannot be read or written.
    #[error("cache: {0}")]
    Cache(String),
}

impl ErrorCode for FetchError {
    fn code(&self) -> &'static str {
        match self {
            Self::Url(_) => "fetch.url",
            Self::Network(_) => "fetch.network",
            Self::Status(_) => "fetch.http_status",
            Self::TooLarge(_) => "fetch.too_large",
            Self::Cache(_) => "fetch.cache",
        }
    }
}
