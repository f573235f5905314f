//! The built-in [`Transport`]: blocking HTTP(S) with ureq and rustls (ring), bounded in time,
//! redirects, header size and body size, without compression.

use std::time::Duration;

use super::{FetchError, Request, Response, Transport, fetchable};

/// HTTP and HTTPS (web PKI roots) with timeouts: 5 s to connect, 20 s for a whole request.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    agent: ureq::Agent,
}

impl Default for HttpTransport {
    fn default() -> Self {
        Self::new(Duration::from_secs(5), Duration::from_secs(20))
    }
}

impl HttpTransport {
    /// A transport with these timeouts (connecting; the whole request).
    pub fn new(connect: Duration, total: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(connect))
            .timeout_global(Some(total))
            .http_status_as_error(false)
            .max_redirects(3)
            .max_response_header_size(16 * 1024)
            .user_agent(concat!("yinxin/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Self { agent }
    }
}

impl Transport for HttpTransport {
    fn get(&self, request: &Request<'_>) -> Result<Response, FetchError> {
        fetchable(request.url)?;
        let mut builder = self.agent.get(request.url).header("Accept", request.accept);
        if let Some(etag) = request.etag {
            builder = builder.header("If-None-Match", etag);
        }
        let mut response = builder.call().map_err(network)?;
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_owned(), v.to_owned())))
            .collect();
        let body = if status == 200 {
            let limit = u64::try_from(request.max_bytes).unwrap_or(u64::MAX);
            response.body_mut().with_config().limit(limit).read_to_vec().map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge(request.max_bytes),
                other => network(other),
            })?
        } else {
            Vec::new()
        };
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        Response::from_parts(status, &headers, body, request.max_bytes)
    }
}

fn network(e: ureq::Error) -> FetchError {
    FetchError::Network(e.to_string())
}
