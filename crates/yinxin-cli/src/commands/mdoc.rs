//! `yinxin mdoc`: inspect any ISO 18013-5 mdoc (IssuerSigned or DeviceResponse) without a trust
//! anchor: the issuer signature with the key of its own certificate, and every digest.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use yinxin::license::untrusted;

use crate::commands::time_arg::{self, rfc3339};
use crate::commands::verdict;
use crate::failure::{EXIT_INVALID, Failure};
use crate::input::Input;

#[derive(Subcommand)]
pub enum MdocCommand {
    /// Check an IssuerSigned or DeviceResponse (issuer signature by x5chain key, digests,
    /// validity). No trust anchor is involved. Exit 0 when signature and digests of every
    /// document verify, 1 otherwise, 2 unreadable.
    Verify(VerifyArgs),
}

#[derive(Args)]
pub struct VerifyArgs {
    /// The file (`-` for stdin).
    file: String,
    /// The file is hex text.
    #[arg(long)]
    hex: bool,
    /// One JSON object per document.
    #[arg(long)]
    json: bool,
    /// Time to check validityInfo at (RFC 3339, or a date taken as midnight Beijing time), default now.
    #[arg(long)]
    at: Option<String>,
}

pub fn run(cmd: MdocCommand) -> Result<ExitCode, Failure> {
    match cmd {
        MdocCommand::Verify(args) => verify(&args),
    }
}

fn verify(args: &VerifyArgs) -> Result<ExitCode, Failure> {
    let bytes = Input::Credential.read_maybe_hex(&args.file, args.hex)?;
    let at = time_arg::at(args.at.as_deref())?;
    let reports = untrusted::inspect(&bytes, at).map_err(|e| Failure::unreadable(&e, &args.file))?;
    let mut ok = true;
    for r in &reports {
        ok &= r.issuer_signature && r.digests;
        if args.json {
            outln!("{}", r.to_json());
        } else {
            outln!("docType\t{}", r.doc_type);
            outln!("signer\t{}", r.signer().unwrap_or_else(|| "-".into()));
            outln!("issuer_signature\t{}", verdict::check_text(Some(r.issuer_signature)));
            outln!("digests\t{}", verdict::check_text(Some(r.digests)));
            match &r.validity {
                Some(v) => {
                    let when = if r.valid_at { "valid then" } else { "NOT valid then" };
                    outln!("validity\t{} ({when}: {})", verdict::validity_text(v), rfc3339(at));
                }
                None => outln!("validity\t-"),
            }
            if let (Some(code), Some(message)) = (r.error, &r.message) {
                outln!("error[{code}]\t{message}");
            }
            for (ns, items) in &r.elements {
                for (id, value) in items {
                    outln!("{ns}\t{id}\t{}", verdict::element_text(value));
                }
            }
        }
    }
    for r in &reports {
        if let (Some(code), Some(message)) = (r.error, &r.message) {
            eprintln!("error[{code}]: {}: {message}", r.doc_type);
        }
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(EXIT_INVALID) })
}
