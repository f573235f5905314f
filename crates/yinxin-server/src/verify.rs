//! `POST /v1/verify`: a presentation code, as its QR text or a photo of it, to the JSON
//! verdict `yinxin verify --json` prints, with the server's one verifier (its trust, status
//! lists, window and the replay guard every request shares).
//!
//! Bounded: text bodies of at most [`MAX_TEXT`] bytes and pictures of at most
//! [`MAX_IMAGE`] (413 past either, by `Content-Length` before reading and while reading); the
//! body must arrive within [`BODY_TIMEOUT`]; at most [`IMAGE_WORKERS`] pictures are decoded
//! at once (the others wait), since a picture costs tens of milliseconds and megabytes while
//! a text costs tenths of a millisecond.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::{Body as _, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};
use serde_json::json;
use tokio::sync::Semaphore;
use yinxin::ErrorCode as _;
use yinxin::Verifier;

use crate::respond::Body;

/// QR text bodies: a version-40 code holds at most 4,296 characters.
pub const MAX_TEXT: u64 = 16 * 1024;
/// Picture bodies (a phone photo as JPEG is 2-5 MB).
pub const MAX_IMAGE: u64 = 8 * 1024 * 1024;
/// The whole body must arrive within this.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// Pictures decoded at once.
pub const IMAGE_WORKERS: usize = 4;

/// What `/v1/verify` needs: the verifier and the gate for pictures.
pub struct VerifyService {
    verifier: Arc<Verifier>,
    images: Semaphore,
}

/// What the body holds, by its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    Text,
    Image,
}

impl VerifyService {
    /// A service answering with `verifier`.
    pub fn new(verifier: Arc<Verifier>) -> Self {
        Self { verifier, images: Semaphore::new(IMAGE_WORKERS) }
    }

    /// The verifier.
    pub fn verifier(&self) -> Arc<Verifier> {
        self.verifier.clone()
    }

    /// Answers one `POST /v1/verify`.
    pub async fn answer(self: Arc<Self>, request: Request<Incoming>) -> Response<Body> {
        let input = match input(&request) {
            Ok(input) => input,
            Err(what) => {
                let message =
                    format!("{what}: send text/plain (the QR text), image/jpeg, image/png or image/webp");
                return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "serve.unsupported_media_type", &message);
            }
        };
        let limit = if input == Input::Text { MAX_TEXT } else { MAX_IMAGE };
        let too_large = || {
            error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "serve.body_too_large",
                &format!("the body is over the limit of {limit} bytes"),
            )
        };
        let declared = request.body().size_hint().exact().or_else(|| {
            request.headers().get(header::CONTENT_LENGTH)?.to_str().ok()?.trim().parse::<u64>().ok()
        });
        if declared.is_some_and(|n| n > limit) {
            return too_large();
        }
        let cap = usize::try_from(limit).unwrap_or(usize::MAX);
        let body = match tokio::time::timeout(BODY_TIMEOUT, Limited::new(request.into_body(), cap).collect())
            .await
        {
            Err(_) => {
                return error(
                    StatusCode::REQUEST_TIMEOUT,
                    "serve.body_timeout",
                    "the body did not arrive in time",
                );
            }
            Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => return too_large(),
            Ok(Err(e)) => return error(StatusCode::BAD_REQUEST, "serve.body_unreadable", &e.to_string()),
            Ok(Ok(collected)) => collected.to_bytes(),
        };
        let _permit = match input {
            Input::Image => match self.images.acquire().await {
                Ok(p) => Some(p),
                Err(_) => {
                    return error(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "serve.stopping",
                        "the server is stopping",
                    );
                }
            },
            Input::Text => None,
        };
        let service = self.clone();
        // Verification may fetch a status list over the network, and a picture takes tens of
        // milliseconds: off the connection tasks.
        let verdict = tokio::task::spawn_blocking(move || service.verdict(input, &body)).await;
        match verdict {
            Ok(response) => response,
            Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "serve.internal", "verification stopped"),
        }
    }

    fn verdict(&self, input: Input, body: &[u8]) -> Response<Body> {
        let now = time::OffsetDateTime::now_utc();
        let result = match input {
            Input::Text => {
                let Ok(text) = std::str::from_utf8(body) else {
                    return error(StatusCode::BAD_REQUEST, "serve.not_text", "the body is not UTF-8 text");
                };
                self.verifier.verify_qr(text.trim(), now)
            }
            Input::Image => self.verifier.verify_qr_image(body, now),
        };
        if let Err(e) = &result {
            if e.is_unreadable() {
                return error(StatusCode::BAD_REQUEST, e.code(), &e.to_string());
            }
        }
        json_response(StatusCode::OK, &yinxin::present::verdict::to_json(&result))
    }
}

/// What the body holds, by the media type of `Content-Type` (parameters such as `charset`
/// ignored; text is read as UTF-8).
fn input<B>(request: &Request<B>) -> Result<Input, &'static str> {
    let value = request.headers().get(header::CONTENT_TYPE).ok_or("no Content-Type")?;
    let essence =
        value.to_str().ok().and_then(|v| v.split(';').next()).map(|v| v.trim().to_ascii_lowercase());
    match essence.as_deref() {
        Some("text/plain") => Ok(Input::Text),
        Some("image/jpeg" | "image/png" | "image/webp") => Ok(Input::Image),
        _ => Err("this Content-Type is not accepted"),
    }
}

/// A JSON body with `status`.
pub fn json_response(status: StatusCode, value: &serde_json::Value) -> Response<Body> {
    let mut body = value.to_string();
    body.push('\n');
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `{"error": code, "message"}` with `status`.
pub fn error(status: StatusCode, code: &str, message: &str) -> Response<Body> {
    json_response(status, &json!({ "error": code, "message": message }))
}
