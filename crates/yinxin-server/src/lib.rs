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
//! while it runs.
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
        Ok(Self { listener, app, tls, limits: options.limits })
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
            tokio::spawn(refresh_trust_lists(verify.verifier()));
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

/// Refreshes the verifier's trust lists every [`TRUST_LIST_REFRESH`]; a failure keeps the copy
/// in use (and the verifier refuses licenses of a list gone stale).
async fn refresh_trust_lists(verifier: Arc<yinxin::Verifier>) {
    let mut ticks = tokio::time::interval(TRUST_LIST_REFRESH);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let v = verifier.clone();
        let _ = tokio::task::spawn_blocking(move || {
            v.refresh_trust_lists(time::OffsetDateTime::now_utc(), false)
        })
        .await;
    }
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
