//! `yinxin serve`: the publication directory (status lists, trust lists) over HTTP(S); with
//! verifier options (`--trust` or `--trust-list`) also the counter's verification service
//! (`POST /v1/verify`, `/openapi.json`, the page at `/`).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use yinxin_server::{Limits, ServeOptions, TlsFiles};

use crate::failure::Failure;

#[derive(Args)]
pub struct ServeArgs {
    /// The publication directory (what `status publish --out` and `trust-list make --out`
    /// write). A request for /X/lists/1 is answered with X/lists/1, X/lists/1.cwt or
    /// X/lists/1.cbor.
    #[arg(long)]
    dir: PathBuf,
    /// Where to listen, HOST:PORT (port 0: any free port). The bound address is the first
    /// line printed.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// Serve HTTPS with this certificate chain (PEM; ECDSA, Ed25519 or RSA, not SM2).
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The TLS certificate's private key (PEM).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Verify presentations under these trusted roots (PEM; repeatable): serves
    /// POST /v1/verify, /openapi.json and the counter page at /.
    #[arg(long)]
    trust: Vec<String>,
    #[command(flatten)]
    lists: crate::commands::verifying::TrustListArgs,
    /// Issuer certificates (PEM) for compact codes, which name their issuer by key id.
    /// Repeatable.
    #[arg(long = "issuer-cert")]
    issuer_certs: Vec<String>,
    /// Status List Tokens to check licenses against (repeatable; verified under --trust).
    #[arg(long = "status-list")]
    status_lists: Vec<String>,
    /// Accept a license whose status cannot be established (default: refuse).
    #[arg(long)]
    accept_unknown_status: bool,
    /// Freshness window of presentation codes in seconds (1 to 86400). One replay guard
    /// covers every request: a code is accepted once.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(i64).range(1..=86_400))]
    window: i64,
    /// Codes the replay guard remembers at most (each for the window): past it, new codes are
    /// refused (present.replay_guard_full) rather than a used one forgotten. About 100 bytes
    /// each; size it for the busiest window (default 1,000,000: 3,000 codes a second).
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    replay_capacity: u64,
}

pub fn run(args: &ServeArgs) -> Result<ExitCode, Failure> {
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert: cert.clone(), key: key.clone() }),
        _ => None,
    };
    let verifier = verifier(args)?;
    let verifying = verifier.is_some();
    let options = ServeOptions {
        dir: args.dir.clone(),
        addr: args.addr.clone(),
        tls,
        limits: Limits::default(),
        verifier,
        status_list_files: args.status_lists.iter().map(PathBuf::from).collect(),
    };
    let dir = args.dir.display().to_string();
    yinxin_server::serve_blocking(&options, |addr, tls| {
        // The bound address, alone on the first line, for scripts (port 0 picks one).
        outln!("{addr}");
        let _ = std::io::stdout().flush();
        let scheme = if tls { "https" } else { "http" };
        eprintln!(
            "serving {dir} at {scheme}://{addr}/ (GET /health; status lists as application/statuslist+cwt, \
             trust lists as application/cose); stop with SIGTERM or Ctrl-C"
        );
        if verifying {
            eprintln!(
                "verifying at {scheme}://{addr}/v1/verify (API: /openapi.json); the counter page: {scheme}://{addr}/"
            );
        }
    })
    .map_err(|e| Failure::unreadable(&e, "serve"))?;
    eprintln!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// The verifier the options describe (as `yinxin verify` builds it, with one replay guard for
/// every request), or `None` without `--trust` and `--trust-list`.
fn verifier(args: &ServeArgs) -> Result<Option<Arc<yinxin::Verifier>>, Failure> {
    if args.trust.is_empty() && args.lists.trust_lists.is_empty() {
        let named =
            !args.issuer_certs.is_empty() || !args.status_lists.is_empty() || args.accept_unknown_status;
        if named {
            return Err(Failure::usage(
                "--issuer-cert, --status-list and --accept-unknown-status configure verification: give --trust or --trust-list too",
            ));
        }
        return Ok(None);
    }
    let window = time::Duration::seconds(args.window);
    let guard = Arc::new(yinxin::present::ReplayGuard::new(
        window.saturating_add(yinxin::present::DEFAULT_SKEW),
        usize::try_from(args.replay_capacity).unwrap_or(usize::MAX),
    ));
    let options = crate::commands::verifying::Options {
        trust: &args.trust,
        lists: Some(&args.lists),
        status_lists: &args.status_lists,
        issuer_certs: &args.issuer_certs,
        accept_unknown_status: args.accept_unknown_status,
        window: Some(window),
        replay: Some(guard),
        ..Default::default()
    };
    let verifier = crate::commands::verifying::build(&options, time::OffsetDateTime::now_utc())?;
    Ok(Some(Arc::new(verifier)))
}
