//! The counter page and the API description, built into the binary (nothing is fetched at
//! run time): `/` (the page), `/counter/app.js` (its script, bundled from `web/` with the npm
//! packages it uses), `/counter/app.css`, and `/openapi.json`.
//!
//! The page is served with a content security policy that allows only this origin (and the
//! camera), so nothing it shows can load or send anything elsewhere.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use crate::respond::Body;

/// A file of the page.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    /// Its media type.
    pub content_type: &'static str,
    /// Its bytes.
    pub body: &'static [u8],
}

/// The page's HTML.
pub const INDEX: Asset =
    Asset { content_type: "text/html; charset=utf-8", body: include_bytes!("../assets/index.html") };
/// The page's script (bundled by `web/build.sh`).
pub const SCRIPT: Asset =
    Asset { content_type: "text/javascript; charset=utf-8", body: include_bytes!("../assets/app.js") };
/// The page's style sheet.
pub const STYLE: Asset =
    Asset { content_type: "text/css; charset=utf-8", body: include_bytes!("../assets/app.css") };
/// The OpenAPI 3.1 description of `POST /v1/verify`.
pub const OPENAPI: Asset =
    Asset { content_type: "application/json", body: include_bytes!("../assets/openapi.json") };

const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                      media-src 'self' blob: mediastream:; connect-src 'self'; base-uri 'none'; \
                      form-action 'none'; frame-ancestors 'none'";

/// The asset at `path`, if it is one.
pub fn asset(path: &str) -> Option<Asset> {
    match path {
        "/" | "/index.html" => Some(INDEX),
        "/counter/app.js" => Some(SCRIPT),
        "/counter/app.css" => Some(STYLE),
        "/openapi.json" => Some(OPENAPI),
        _ => None,
    }
}

/// Answers GET or HEAD of `asset`.
pub fn respond<B>(request: &Request<B>, asset: Asset) -> Response<Body> {
    let head = request.method() == Method::HEAD;
    if request.method() != Method::GET && !head {
        let mut r =
            crate::verify::error(StatusCode::METHOD_NOT_ALLOWED, "serve.method_not_allowed", "GET only");
        r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let body = if head { Bytes::new() } else { Bytes::from_static(asset.body) };
    let mut r = Response::new(Full::new(body));
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(asset.body.len()));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(self), microphone=()"));
    r
}
