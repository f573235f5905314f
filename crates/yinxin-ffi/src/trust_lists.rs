//! Trust lists and fetching for the bindings: a verifier that trusts list operators instead of
//! every authority, and either fetches lists itself (built-in HTTPS) or through the app's own
//! networking ([`HttpClient`]), or takes the bytes the app fetched.

use std::sync::Arc;

use yinxin::fetch::{FetchError, Request, Response, SourceOutcome, Transport};
use yinxin::trust::list::{TrustListState, VerifiedTrustList};

use crate::YinxinError;

/// The app's HTTP stack (OkHttp, URLSession…), for apps that do their own networking. The
/// library asks for one GET at a time; it verifies whatever comes back.
#[uniffi::export(with_foreign)]
pub trait HttpClient: Send + Sync {
    /// GET `url` with `Accept: accept` and, when `etag` is given, `If-None-Match: etag`; read
    /// at most `max_bytes` of the body (stop and answer status 0 with an error past it); no
    /// compression. Answer status 0 with `error` when there was no response.
    fn get(&self, url: String, etag: Option<String>, accept: String, max_bytes: u64) -> HttpResponse;
}

/// What the app's [`HttpClient`] received.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpResponse {
    /// The HTTP status (200, 304…); 0 when there was no response.
    pub status: u16,
    /// The `ETag` header.
    pub etag: Option<String>,
    /// The `Cache-Control` header.
    pub cache_control: Option<String>,
    /// The body (empty for 304).
    pub body: Vec<u8>,
    /// Why there was no response (status 0).
    pub error: Option<String>,
}

/// An [`HttpClient`] as the core's [`Transport`]; the size limit is enforced again here.
pub(crate) struct ForeignTransport(pub Arc<dyn HttpClient>);

impl Transport for ForeignTransport {
    fn get(&self, request: &Request<'_>) -> Result<Response, FetchError> {
        yinxin::fetch::fetchable(request.url)?;
        let r = self.0.get(
            request.url.to_owned(),
            request.etag.map(str::to_owned),
            request.accept.to_owned(),
            u64::try_from(request.max_bytes).unwrap_or(u64::MAX),
        );
        if r.status == 0 {
            return Err(FetchError::Network(r.error.unwrap_or_else(|| "no response".into())));
        }
        let mut headers = Vec::new();
        if let Some(e) = &r.etag {
            headers.push(("etag", e.as_str()));
        }
        if let Some(c) = &r.cache_control {
            headers.push(("cache-control", c.as_str()));
        }
        Response::from_parts(r.status, &headers, r.body, request.max_bytes)
    }
}

/// How a verifier follows trust lists.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TrustListConfig {
    /// The list operators' root certificates (PEM bundle): which lists to believe.
    pub list_operator_anchors_pem: String,
    /// Trust lists to fetch (refreshed by `Verifier.refreshTrustLists`); may be empty when the
    /// app hands lists over with `Verifier.addTrustList`. Fetched with the app's `HttpClient`,
    /// or else the built-in client (builds without the `http` feature refuse:
    /// `ffi.no_http_client`).
    pub trust_list_urls: Vec<String>,
    /// A directory for the last good copies and the record of accepted lists (the app's cache
    /// or files directory): the verifier then works offline until the lists expire.
    pub cache_dir: Option<String>,
    /// Hours a list is still used past its next update (0: none).
    pub grace_hours: u32,
    /// The record of accepted lists saved from `Verifier.trustListStateJson` (when there is
    /// no cache directory).
    pub state_json: Option<String>,
    /// Fetch status lists by the URIs in verified licenses (with `trust_list_urls`, lists are
    /// fetched in any case).
    pub fetch_status_lists: bool,
}

/// A trust list accepted.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TrustListSummary {
    /// The operator's name (vicalProvider).
    pub provider: String,
    /// Its region (GB/T 2260).
    pub region: Option<String>,
    /// The issue id.
    pub issue_id: Option<u64>,
    /// When it was issued (Unix seconds).
    pub date_unix: i64,
    /// When the next issue is due (Unix seconds).
    pub next_update_unix: Option<i64>,
    /// Authorities trusted from it.
    pub authorities: u32,
    /// Entries not usable here (e.g. keys on curves yinxin does not support).
    pub skipped: u32,
}

impl From<&VerifiedTrustList> for TrustListSummary {
    fn from(v: &VerifiedTrustList) -> Self {
        let l = v.list();
        Self {
            provider: l.provider.clone(),
            region: l.region.clone(),
            issue_id: l.issue_id,
            date_unix: l.date.unix_timestamp(),
            next_update_unix: l.next_update.map(time::OffsetDateTime::unix_timestamp),
            authorities: u32::try_from(v.authorities().len()).unwrap_or(u32::MAX),
            skipped: u32::try_from(v.skipped().len()).unwrap_or(u32::MAX),
        }
    }
}

/// What refreshing one trust list URL did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SourceReport {
    /// The URL.
    pub url: String,
    /// `updated`, `current`, `not_due` or `failed`.
    pub outcome: String,
    /// The issue id fetched (`updated`).
    pub issue_id: Option<u64>,
    /// The stable code of the failure (`fetch.network`, `trust_list.rollback`…).
    pub code: Option<String>,
    /// What happened (`failed`).
    pub message: Option<String>,
    /// On failure: whether a list from this URL accepted before is still in use.
    pub cached: bool,
}

impl From<yinxin::fetch::SourceReport> for SourceReport {
    fn from(r: yinxin::fetch::SourceReport) -> Self {
        let base = Self {
            url: r.url,
            outcome: String::new(),
            issue_id: None,
            code: None,
            message: None,
            cached: false,
        };
        match r.outcome {
            SourceOutcome::Updated { issue_id, .. } => Self { outcome: "updated".into(), issue_id, ..base },
            SourceOutcome::Current => Self { outcome: "current".into(), ..base },
            SourceOutcome::NotDue => Self { outcome: "not_due".into(), ..base },
            SourceOutcome::Failed { code, message, cached } => Self {
                outcome: "failed".into(),
                code: Some(code.to_owned()),
                message: Some(message),
                cached,
                ..base
            },
            _ => Self { outcome: "unknown".into(), ..base },
        }
    }
}

/// Applies `lists` (and the app's HTTP client, if any) to a verifier builder.
pub(crate) fn configure(
    mut builder: yinxin::VerifierBuilder,
    lists: &TrustListConfig,
    http: Option<Arc<dyn HttpClient>>,
) -> Result<yinxin::VerifierBuilder, YinxinError> {
    builder = builder
        .list_operators_pem(lists.list_operator_anchors_pem.as_bytes())
        .map_err(YinxinError::unreadable)?
        .trust_list_grace(time::Duration::hours(i64::from(lists.grace_hours)));
    for url in &lists.trust_list_urls {
        builder = builder.trust_list_url(url.clone());
    }
    if let Some(json) = &lists.state_json {
        builder = builder
            .trust_list_state(TrustListState::from_json(json.as_bytes()).map_err(YinxinError::config)?);
    }
    if let Some(dir) = &lists.cache_dir {
        builder = builder.cache_dir(dir.clone());
    }
    let fetching = !lists.trust_list_urls.is_empty() || lists.fetch_status_lists;
    builder = match http {
        Some(client) => builder.fetch_with(Arc::new(ForeignTransport(client))),
        None if fetching => built_in_http(builder)?,
        None => builder,
    };
    Ok(builder)
}

#[cfg(feature = "http")]
fn built_in_http(builder: yinxin::VerifierBuilder) -> Result<yinxin::VerifierBuilder, YinxinError> {
    Ok(builder.fetch_over_http())
}

#[cfg(not(feature = "http"))]
fn built_in_http(_: yinxin::VerifierBuilder) -> Result<yinxin::VerifierBuilder, YinxinError> {
    Err(YinxinError::config_text(
        "ffi.no_http_client",
        "this build has no HTTP client (feature http): pass an HttpClient, or hand lists over with addTrustList",
    ))
}
