//! Which part of the server answers a request: the verification service and the counter
//! page when a verifier is configured, the publication directory otherwise and for every
//! other path.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use crate::publication::Publication;
use crate::respond::Body;
use crate::verify::VerifyService;

/// What the server serves.
pub struct App {
    pub publication: Arc<Publication>,
    pub verify: Option<Arc<VerifyService>>,
}

impl App {
    /// Answers one request.
    pub async fn route(self: Arc<Self>, request: Request<Incoming>) -> Response<Body> {
        if let Some(verify) = &self.verify {
            let path = request.uri().path();
            if path == "/v1/verify" {
                if request.method() == Method::POST {
                    return verify.clone().answer(request).await;
                }
                let mut r = crate::verify::error(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "serve.method_not_allowed",
                    "POST the QR text (text/plain) or a photo (image/jpeg, image/png)",
                );
                r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
                return r;
            }
            if let Some(asset) = crate::page::asset(path) {
                return crate::page::respond(&request, asset);
            }
        }
        crate::respond::respond(&request, &self.publication, time::OffsetDateTime::now_utc())
    }
}
