//! One request, one response: GET and HEAD of files and `/health`, conditional on
//! `If-None-Match`.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use time::OffsetDateTime;

use crate::publication::{Lookup, Publication};

/// The response body type.
pub type Body = Full<Bytes>;

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Whether `If-None-Match` names `etag` (weak comparison, RFC 9110 §13.1.2), or is `*`.
fn matches(if_none_match: &str, etag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    if_none_match.trim() == "*" || if_none_match.split(',').any(|t| opaque(t) == opaque(etag))
}

/// Answers `request` from `publication` at `now`.
pub fn respond<B>(
    request: &Request<B>,
    publication: &Arc<Publication>,
    now: OffsetDateTime,
) -> Response<Body> {
    let head = request.method() == Method::HEAD;
    if request.method() != Method::GET && !head {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n");
        r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let path = request.uri().path();
    if path == "/health" {
        let mut r = plain(StatusCode::OK, "{\"status\":\"ok\"}\n");
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        return strip(r, head);
    }
    let file = match publication.lookup(path) {
        Lookup::Found(f) => f,
        Lookup::NotFound => return strip(plain(StatusCode::NOT_FOUND, "not found\n"), head),
        Lookup::BadPath => return strip(plain(StatusCode::BAD_REQUEST, "bad path\n"), head),
        Lookup::TooLarge => return strip(plain(StatusCode::FORBIDDEN, "file too large to serve\n"), head),
    };
    let etag = HeaderValue::from_str(&file.etag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
    let cache = HeaderValue::from_str(&format!("public, max-age={}", file.max_age(now)))
        .unwrap_or_else(|_| HeaderValue::from_static("no-cache"));
    let not_modified = request
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| matches(v, &file.etag));
    let mut r = if not_modified {
        let mut r = Response::new(Full::new(Bytes::new()));
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Full::new(if head { Bytes::new() } else { file.body.clone() }));
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(file.content_type()));
        r.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(file.body.len()));
        r
    };
    r.headers_mut().insert(header::ETAG, etag);
    r.headers_mut().insert(header::CACHE_CONTROL, cache);
    r.headers_mut().insert(header::ACCEPT_RANGES, HeaderValue::from_static("none"));
    r
}

/// A HEAD answer has the GET answer's headers and no body.
fn strip(mut r: Response<Body>, head: bool) -> Response<Body> {
    if head {
        let len = r.headers().get(header::CONTENT_LENGTH).cloned();
        *r.body_mut() = Full::new(Bytes::new());
        if let Some(len) = len {
            r.headers_mut().insert(header::CONTENT_LENGTH, len);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn if_none_match_uses_the_weak_comparison() {
        assert!(matches("\"abc\"", "\"abc\""));
        assert!(matches("W/\"abc\"", "\"abc\""));
        assert!(matches("\"x\", \"abc\"", "\"abc\""));
        assert!(matches("*", "\"abc\""));
        assert!(!matches("\"abd\"", "\"abc\""));
        assert!(!matches("", "\"abc\""));
    }
}
