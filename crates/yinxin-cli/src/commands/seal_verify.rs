//! `yinxin seal verify` (a seal signature over a file) and `yinxin ofd verify` (every
//! signature of an OFD document), in the shared verdict vocabulary of [`super::verdict`].

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::json;
use time::OffsetDateTime;
use yinxin::seal::SealSignature;
use yinxin::{ErrorCode, Verifier};

use crate::commands::time_arg::{self, rfc3339};
use crate::commands::verdict::{self, NO_TRUST, put};
use crate::failure::{EXIT_INVALID, Failure};
use crate::input::Input;

#[derive(Subcommand)]
pub enum OfdCommand {
    /// Verify every signature of an OFD document, one verdict each. Exit 0 when all are
    /// valid, 1 otherwise (or when there is none), 2 unreadable.
    Verify(OfdVerifyArgs),
    /// Add a seal signature to an OFD document: a StampAnnot on the page, references to every
    /// file, SignedValue.dat (GB/T 38540 v4). Earlier signatures stay valid.
    Sign(crate::commands::ofd_sign::OfdSignArgs),
}

/// What seal verification trusts: shared by `seal verify` and `ofd verify`.
#[derive(Args)]
pub struct TrustArgs {
    /// Trust anchors for seal makers' and signers' certificates; without it they are not
    /// checked against an anchor (reported as `not checked`: `null` in JSON, listed under
    /// `"not_checked"`). Repeatable.
    #[arg(long)]
    trust: Vec<String>,
    /// Intermediate CA certificates (PEM bundle) between makers' certificates and --trust.
    #[arg(long)]
    intermediates: Option<String>,
    /// Trust anchors for time stamping authorities: a time stamp on a signature whose TSA
    /// chains to one is "verified" and its time is the signing time; without it stamps are
    /// checked but "unverified". Repeatable.
    #[arg(long = "tsa-trust", value_name = "TSA.pem")]
    tsa_trust: Vec<String>,
    /// Signed status list(s) for seals that carry a status reference (needs --trust).
    #[arg(long = "status-list")]
    status_lists: Vec<String>,
    /// Accept seals whose status cannot be established.
    #[arg(long)]
    accept_unknown_status: bool,
    /// Strict validity: the seal maker's certificate must also have been valid when the seal
    /// was made (by default that is a warning, `seal.maker_certificate_at_creation`; every
    /// certificate and the seal are judged at the signing time either way).
    #[arg(long)]
    strict: bool,
    /// The time status lists are checked for (RFC 3339, or a date taken as midnight Beijing time), default now.
    #[arg(long)]
    at: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// The SES_Signature file.
    file: String,
    /// The signed data.
    #[arg(long)]
    data: String,
    #[command(flatten)]
    trust: TrustArgs,
}

#[derive(Args)]
pub struct OfdVerifyArgs {
    /// The OFD file.
    file: String,
    #[command(flatten)]
    trust: TrustArgs,
}

pub fn run_ofd(cmd: OfdCommand) -> Result<ExitCode, Failure> {
    match cmd {
        OfdCommand::Verify(a) => ofd_verify(&a),
        OfdCommand::Sign(a) => crate::commands::ofd_sign::sign(&a),
    }
}

/// The core verifier the trust options describe, and the time they name.
fn verifier(t: &TrustArgs) -> Result<(Verifier, OffsetDateTime), Failure> {
    let at = time_arg::at(t.at.as_deref())?;
    let options = crate::commands::verifying::Options {
        trust: &t.trust,
        intermediates: t.intermediates.as_deref(),
        status_lists: &t.status_lists,
        accept_unknown_status: t.accept_unknown_status,
        strict_seals: t.strict,
        tsa_trust: &t.tsa_trust,
        ..Default::default()
    };
    Ok((crate::commands::verifying::build(&options, at)?, at))
}

/// Checks that may not run (no --trust): `not checked` when their value is null.
const TRUST_CHECKS: [&str; 2] = ["maker_trusted", "signer_trusted"];

/// Prints a JSON report's `keys` as `<indent>key\tvalue` lines, values as people read them.
fn print_fields(report: &serde_json::Value, keys: &[&str], indent: &str) {
    for key in keys {
        let value = report.get(*key).unwrap_or(&serde_json::Value::Null);
        let text = if value.is_null() && TRUST_CHECKS.contains(key) {
            verdict::check_text(None).to_owned()
        } else {
            verdict::text(value)
        };
        outln!("{indent}{key}\t{text}");
    }
}

/// What to try when a certificate did not chain to the anchors.
fn untrusted_hint(code: &str, t: &TrustArgs) {
    if matches!(code, "seal.maker_untrusted" | "ofd.signer_untrusted") && t.intermediates.is_none() {
        eprintln!(
            "hint: a certificate issued by an intermediate CA chains to --trust only with that CA: \
             add --intermediates (e.g. the authority's issuer.pem)"
        );
    }
}

pub(crate) fn verify(args: &VerifyArgs) -> Result<ExitCode, Failure> {
    let bytes = Input::Seal.read(&args.file)?;
    let data = Input::Document.read(&args.data)?;
    let (v, at) = verifier(&args.trust)?;
    let sig = SealSignature::from_der(&bytes).map_err(|e| Failure::unreadable(&e, &args.file))?;
    let digest = yinxin::crypto::DigestAlgorithm::Sm3.digest(&data);
    let check = v.check_seal_signature(&sig, Some(&digest), at);
    let first = check.errors.first();
    let not_checked: Vec<&str> = if check.maker_trusted.is_none() { vec!["maker_trusted"] } else { vec![] };
    let mut report = json!({
        "valid": check.is_valid(),
        "verdict": verdict::word(check.is_valid()),
        "errors": check.errors.iter().map(|e| json!({"code": e.code(), "message": e.to_string()})).collect::<Vec<_>>(),
        "warnings": check.warnings.iter().map(|e| json!({"code": e.code(), "message": e.to_string()})).collect::<Vec<_>>(),
        "time_stamp": check.time_stamp.as_ref().map(|t| t.status.as_str()),
        "time_stamped_at": check.time_stamp.as_ref().and_then(|t| t.gen_time).map(rfc3339),
        "version": sig.version().number(),
        "es_id": sig.seal().es_id(),
        "seal_name": sig.seal().name(),
        "signed_at": sig.signed_at().map(rfc3339),
        "data_hash": check.data_hash == Some(true),
        "signature_valid": check.signature == Some(true),
        "maker_signature": check.maker_signature,
        "maker_trusted": check.maker_trusted,
        "seal_valid": check.seal,
        "not_checked": not_checked,
    });
    if let Some(e) = first {
        put(&mut report, "error", json!(e.code()));
        put(&mut report, "message", json!(e.to_string()));
    }
    if args.trust.json {
        outln!("{report}");
    } else {
        outln!("{}\t{}", verdict::word(check.is_valid()), sig.seal().name());
        print_fields(
            &report,
            &[
                "es_id",
                "signed_at",
                "data_hash",
                "signature_valid",
                "maker_signature",
                "maker_trusted",
                "seal_valid",
                "time_stamp",
                "time_stamped_at",
            ],
            "",
        );
        if check.maker_trusted.is_none() {
            outln!("not checked\tmaker_trusted: {NO_TRUST}");
        }
        for w in &check.warnings {
            outln!("warning[{}]\t{w}", w.code());
        }
    }
    match first {
        None => Ok(ExitCode::SUCCESS),
        Some(e) => {
            eprintln!("error[{}]: {e}", e.code());
            untrusted_hint(e.code(), &args.trust);
            Ok(ExitCode::from(EXIT_INVALID))
        }
    }
}

fn ofd_verify(args: &OfdVerifyArgs) -> Result<ExitCode, Failure> {
    let bytes = Input::Ofd.read(&args.file)?;
    let (v, at) = verifier(&args.trust)?;
    let verdicts = v.verify_ofd(&bytes, at).map_err(|e| Failure::unreadable(&e, &args.file))?;
    for d in &verdicts {
        let j = signature_json(d);
        if let Some((code, message)) = &d.error {
            eprintln!("error[{code}]: {}: {message}", d.signature);
            untrusted_hint(code, &args.trust);
        }
        if args.trust.json {
            outln!("{j}");
        } else {
            let kind = d.kind.map_or("unrecognised", |k| k.as_str());
            outln!("{}\t{}\t{kind}", verdict::word(d.valid), d.signature);
            print_fields(
                &j,
                &[
                    "es_id",
                    "seal_name",
                    "signed_at",
                    "references",
                    "data_hash",
                    "signature_valid",
                    "seal_valid",
                    "signer_trusted",
                    "time_stamp",
                    "time_stamped_at",
                ],
                "  ",
            );
            for name in d.not_checked() {
                let why = if !d.signature_valid {
                    "the signature did not verify, so no certificate was checked"
                } else if args.trust.trust.is_empty() {
                    NO_TRUST
                } else {
                    "the signature carries no certificate to check"
                };
                outln!("  not checked\t{name}: {why}");
            }
            for (code, message) in &d.errors {
                outln!("  error[{code}]\t{message}");
            }
            for (code, message) in &d.warnings {
                outln!("  warning[{code}]\t{message}");
            }
        }
    }
    if verdicts.is_empty() {
        eprintln!("error[ofd.unsigned]: the document carries no signature");
        return Ok(ExitCode::from(EXIT_INVALID));
    }
    Ok(if verdicts.iter().all(|d| d.valid) { ExitCode::SUCCESS } else { ExitCode::from(EXIT_INVALID) })
}

/// One signature's verdict as `ofd verify --json` prints it (and `license verify` of an
/// e-license file under "seal").
pub(crate) fn signature_json(d: &yinxin::seal::ofd::SignatureVerdict) -> serde_json::Value {
    let mut j = json!({
        "signature": d.signature,
        "kind": d.kind.map(|k| k.as_str()),
        "es_id": d.es_id,
        "seal_name": d.seal_name,
        "signed_at": d.signed_at.map(rfc3339),
        "references": d.references,
        "data_hash": d.data_hash,
        "signature_valid": d.signature_valid,
        "seal_valid": d.seal_valid,
        "signer_trusted": d.signer_trusted,
        "valid": d.valid,
        "verdict": verdict::word(d.valid),
        "not_checked": d.not_checked(),
        "errors": d.errors.iter().map(|(c, m)| json!({"code": c, "message": m})).collect::<Vec<_>>(),
        "warnings": d.warnings.iter().map(|(c, m)| json!({"code": c, "message": m})).collect::<Vec<_>>(),
        "unprotected_files": d.unprotected_files,
        "time_stamp": d.time_stamp.map(|t| t.as_str()),
        "time_stamped_at": d.time_stamped_at.map(rfc3339),
    });
    if let Some((code, message)) = &d.error {
        put(&mut j, "error", json!(code));
        put(&mut j, "message", json!(message));
    }
    j
}
