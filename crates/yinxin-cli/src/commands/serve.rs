//! `yinxin serve`: the publication directory (status lists, trust lists) over HTTP(S).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

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
}

pub fn run(args: &ServeArgs) -> Result<ExitCode, Failure> {
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert: cert.clone(), key: key.clone() }),
        _ => None,
    };
    let options =
        ServeOptions { dir: args.dir.clone(), addr: args.addr.clone(), tls, limits: Limits::default() };
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
    })
    .map_err(|e| Failure::unreadable(&e, "serve"))?;
    eprintln!("stopped");
    Ok(ExitCode::SUCCESS)
}
