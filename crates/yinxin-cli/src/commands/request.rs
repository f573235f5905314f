//! `yinxin request make`: a counter's signed request (decision 0019) — who asks (its
//! certificate), which elements, why — as a QR code the holder's wallet scans before it shows
//! anything.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use yinxin::present::request::{make_request, make_unsigned_request, request_text};
use yinxin::trust::parse_pem_certificates;

use crate::commands::key::load_private_key;
use crate::commands::qr_image::{Format, emit};
use crate::commands::time_arg;
use crate::failure::Failure;
use crate::input::Input;

#[derive(Subcommand)]
pub enum RequestCommand {
    /// Make a request code.
    Make(MakeArgs),
}

#[derive(Args)]
pub struct MakeArgs {
    /// The verifier's private key.
    #[arg(long, required_unless_present = "unsigned")]
    verifier_key: Option<String>,
    /// The verifier's certificate, then its issuers (PEM, from `authority verifier-cert`).
    #[arg(long, required_unless_present = "unsigned")]
    verifier_cert: Option<String>,
    /// Make an unsigned request (no reader authentication): wallets refuse it the elements
    /// their holders marked sensitive.
    #[arg(long, conflicts_with_all = ["verifier_key", "verifier_cert"])]
    unsigned: bool,
    /// The element identifiers asked for, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    elements: Vec<String>,
    /// Why they are asked for (shown to the holder).
    #[arg(long)]
    purpose: String,
    /// The request's time (RFC 3339, or a date taken as midnight Beijing time), default now.
    #[arg(long)]
    at: Option<String>,
    /// Output form.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Where to write the request.
    #[arg(long)]
    out: PathBuf,
    /// Replace --out if it exists.
    #[arg(long)]
    force: bool,
}

pub fn run(cmd: RequestCommand) -> Result<ExitCode, Failure> {
    match cmd {
        RequestCommand::Make(args) => make(&args),
    }
}

fn make(args: &MakeArgs) -> Result<ExitCode, Failure> {
    let at = time_arg::at(args.at.as_deref())?;
    let elements: Vec<&str> = args.elements.iter().map(String::as_str).collect();
    let request = match (&args.verifier_key, &args.verifier_cert) {
        (Some(key), Some(cert)) => {
            let signer = load_private_key(key)?;
            let chain = parse_pem_certificates(&Input::Certificates.read(cert)?)
                .map_err(|e| Failure::unreadable(&e, cert))?;
            make_request(&signer, &chain, &elements, &args.purpose, at)
        }
        _ => make_unsigned_request(&elements, &args.purpose, at),
    }
    .map_err(|e| Failure::unreadable(&e, "request"))?;
    let text = request_text(&request).map_err(|e| Failure::unreadable(&e, "request"))?;
    emit(&text, args.format, Some(&args.out), args.force)?;
    eprintln!(
        "a request for {} ({} characters) in {}",
        args.elements.join(","),
        text.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
