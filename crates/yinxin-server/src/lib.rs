//! `yinxin serve`: the publication directory over HTTP(S), so verifiers elsewhere fetch
//! status lists and trust lists without files copied by hand.
//!
//! What it serves is plain files, written atomically by `yinxin status publish` and
//! `yinxin trust-list make`; nginx or a CDN can serve the same directory instead. This server
//! adds what a verifier's cache relies on:
//!
//! * `Content-Type`: `application/statuslist+cwt` for Status List Tokens, `application/cose`
//!   for trust lists; a path is looked up as given, then with `.cwt` and `.cbor` appended, so
//!   the URI a license names (`…/lists/1`) finds the file `status publish` wrote (`1.cwt`).
//! * A strong `ETag` (SHA-256 of the file) and `304 Not Modified` for `If-None-Match`.
//! * `Cache-Control: max-age` from the token's `ttl` (never past its `exp`), or until a trust
//!   list's `nextUpdate` (at most an hour).
//! * `GET /health`.
//!
//! Given a verifier ([`ServeOptions::verifier`]), it is also the counter's verification
//! service: `POST /v1/verify` (a QR text or a photo of the code to the JSON verdict, see
//! [`verify`]), `GET /openapi.json` (the API described) and the counter page at `/` (camera,
//! verdict, speech; [`page`]). Trust lists followed by URL are refreshed every ten minutes
//! while it runs, and the status list files it was given are read again then.
//!
//! It is bounded: GET and HEAD only, request heads of at most 16 KiB and 64 headers, read
//! within 10 s; at most 1,024 connections, each closed after 5 minutes ([`Limits`]); paths of plain
//! segments only (no `..`, no hidden files, nothing outside the directory); files over 16 MiB
//! are not served; files are kept in memory up to 256 MiB and re-read when replaced. `Range`
//! is ignored (the whole file is sent). It stops on SIGTERM or SIGINT, letting requests in
//! flight finish.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod connection;
mod error;
pub mod page;
mod publication;
mod respond;
mod route;
mod tls;
pub mod verify;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

pub use error::ServeError;

/// What to serve, where.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The publication directory.
    pub dir: PathBuf,
    /// `HOST:PORT` to listen on (port 0: any free port).
    pub addr: String,
    /// Serve HTTPS with this certificate chain and key (PEM files).
    pub tls: Option<TlsFiles>,
    /// Connection limits.
    pub limits: Limits,
    /// Verify presentations with this (`POST /v1/verify`, the counter page, `/openapi.json`);
    /// `None`: distribution only.
    pub verifier: Option<Arc<yinxin::Verifier>>,
    /// Status List Token files the verifier was given: read again with the trust lists, so
    /// a publisher replacing one (`status publish`) is taken up without a restart.
    pub status_list_files: Vec<PathBuf>,
}

/// How long and how many: the bounds that keep slow or idle clients from holding the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections served at once; more wait in the listen queue (default 1,024).
    pub max_connections: usize,
    /// A request head must arrive within this (default 10 s); also the TLS handshake.
    pub header_timeout: std::time::Duration,
    /// A connection is closed after this, whatever it does (default 5 minutes).
    pub connection_lifetime: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            header_timeout: std::time::Duration::from_secs(10),
            connection_lifetime: std::time::Duration::from_secs(300),
        }
    }
}

/// A TLS certificate chain and its private key, PEM (ECDSA P-256/P-384, Ed25519 or RSA: what
/// rustls and browsers accept; not SM2).
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// The certificate chain, leaf first.
    pub cert: PathBuf,
    /// The private key (PKCS#8, SEC1 or PKCS#1).
    pub key: PathBuf,
}

/// A bound server, not yet serving.
pub struct Server {
    listener: tokio::net::TcpListener,
    app: Arc<route::App>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    limits: Limits,
    status_list_files: Vec<PathBuf>,
}

impl Server {
    /// Checks the directory, loads the TLS files and binds the address.
    pub async fn bind(options: &ServeOptions) -> Result<Self, ServeError> {
        let publication = Arc::new(publication::Publication::open(&options.dir)?);
        let tls = options.tls.as_ref().map(tls::acceptor).transpose()?;
        let listener = tokio::net::TcpListener::bind(&options.addr)
            .await
            .map_err(|e| ServeError::Bind(format!("{}: {e}", options.addr)))?;
        let verify = options.verifier.clone().map(|v| Arc::new(verify::VerifyService::new(v)));
        let app = Arc::new(route::App { publication, verify });
        Ok(Self {
            listener,
            app,
            tls,
            limits: options.limits,
            status_list_files: options.status_list_files.clone(),
        })
    }

    /// The address bound (with the port chosen for port 0).
    pub fn local_addr(&self) -> Result<SocketAddr, ServeError> {
        self.listener.local_addr().map_err(|e| ServeError::Bind(e.to_string()))
    }

    /// Whether it serves HTTPS.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// Serves until `shutdown` completes, then stops accepting and lets the requests in
    /// flight finish (at most 10 s).
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) -> Result<(), ServeError> {
        if let Some(verify) = &self.app.verify {
            tokio::spawn(refresh(verify.verifier(), self.status_list_files.clone()));
        }
        connection::accept_loop(self.listener, self.app, self.tls, self.limits, shutdown).await
    }
}

/// Binds, calls `on_bound` with the address, and serves until SIGTERM or SIGINT, on a
/// runtime of its own (for the CLI).
pub fn serve_blocking(
    options: &ServeOptions,
    on_bound: impl FnOnce(SocketAddr, bool),
) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError::Runtime(e.to_string()))?;
    runtime.block_on(async {
        let server = Server::bind(options).await?;
        on_bound(server.local_addr()?, server.is_tls());
        server.run(stop_signal()).await
    })
}

/// How often trust lists followed by URL are fetched again (each only when its copy is due).
const TRUST_LIST_REFRESH: std::time::Duration = std::time::Duration::from_secs(600);

/// Every [`TRUST_LIST_REFRESH`]: refreshes the verifier's trust lists and reads its status list
/// files again. A failure keeps the copy in use (and the verifier refuses licenses whose list
/// went stale: status unknown); a file replaced by a newer token replaces it.
async fn refresh(verifier: Arc<yinxin::Verifier>, status_list_files: Vec<PathBuf>) {
    let mut ticks = tokio::time::interval(TRUST_LIST_REFRESH);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let v = verifier.clone();
        let files = status_list_files.clone();
        let _ = tokio::task::spawn_blocking(move || refresh_now(&v, &files)).await;
    }
}

fn refresh_now(verifier: &yinxin::Verifier, status_list_files: &[PathBuf]) {
    let now = time::OffsetDateTime::now_utc();
    for report in verifier.refresh_trust_lists(now, false) {
        if let yinxin::fetch::SourceOutcome::Failed { code, message, .. } = report.outcome {
            eprintln!("warning[{code}]: {}: {message}; the copy kept is used", report.url);
        }
    }
    for path in status_list_files {
        if let Err(message) = reload_status_list(verifier, path, now) {
            eprintln!("warning: {}: {message}; the list loaded before is used", path.display());
        }
    }
}

/// Reads a status list file again (at most the token limit) and adds it to the verifier.
fn reload_status_list(
    verifier: &yinxin::Verifier,
    path: &std::path::Path,
    now: time::OffsetDateTime,
) -> Result<(), String> {
    use std::io::Read as _;
    let limit = yinxin::status::MAX_TOKEN_SIZE as u64;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(format!("over {limit} bytes"));
    }
    verifier.add_status_list(&bytes, now).map_err(|e| e.to_string())
}

/// SIGTERM or SIGINT (Ctrl-C).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use time::{Duration, OffsetDateTime};
    use yinxin::ErrorCode as _;
    use yinxin::authority::ListValidity;
    use yinxin::crypto::Algorithm;
    use yinxin::license::{IssueOptions, StatusReference};
    use yinxin::status::StatusList;

    /// A status list file replaced while the server runs is taken up at the next refresh; a
    /// file gone or oversized leaves the list loaded before in use.
    #[test]
    fn status_list_files_are_read_again() {
        const URI: &str = "https://status.example.gov.cn/lists/1";
        let now = OffsetDateTime::now_utc();
        let options = IssueOptions {
            status: Some(StatusReference { index: 7, uri: URI.into() }),
            ..IssueOptions::default()
        };
        let world = yinxin_test_vectors::kit::issued(Algorithm::Ed25519, "business-license.json", options);
        let verifier = world.verifier();
        let validity = ListValidity { ttl: Duration::hours(1), valid_for: Duration::days(1) };
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("1.cwt");
        let mut list = StatusList::new(2, 1024).unwrap();
        let token =
            world.authority.sign_status_list(URI, &list, validity, now - Duration::minutes(1)).unwrap();
        std::fs::write(&file, &token.token).unwrap();
        refresh_now(&verifier, std::slice::from_ref(&file));
        assert!(verifier.verify_license(&world.license.bytes, now).is_ok());

        list.set(7, 1).unwrap();
        let revoked = world.authority.sign_status_list(URI, &list, validity, now).unwrap();
        std::fs::write(&file, &revoked.token).unwrap();
        refresh_now(&verifier, std::slice::from_ref(&file));
        let e = verifier.verify_license(&world.license.bytes, now).unwrap_err();
        assert_eq!(e.code(), "license.revoked");

        std::fs::remove_file(&file).unwrap();
        assert!(reload_status_list(&verifier, &file, now).is_err());
        std::fs::write(&file, vec![0u8; yinxin::status::MAX_TOKEN_SIZE + 1]).unwrap();
        assert_eq!(
            reload_status_list(&verifier, &file, now).unwrap_err(),
            format!("over {} bytes", yinxin::status::MAX_TOKEN_SIZE)
        );
        assert_eq!(verifier.verify_license(&world.license.bytes, now).unwrap_err().code(), "license.revoked");
    }
}
