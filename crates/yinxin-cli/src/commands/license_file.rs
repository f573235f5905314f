//! E-license files (GB/T 36905) on the command line: `yinxin license render` seals a license
//! as a one-page OFD with the credential attached; `yinxin license verify L.ofd` checks one
//! (CLI contract of issue 17).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;
use time::OffsetDateTime;
use yinxin::ErrorCode;
use yinxin::seal::ofd::elicense::render_license;

use crate::commands::seal::SealSignerArgs;
use crate::commands::seal_verify::signature_json;
use crate::commands::time_arg::rfc3339;
use crate::commands::{output, verdict};
use crate::failure::{EXIT_INVALID, EXIT_UNREADABLE, Failure};
use crate::input::Input;

#[derive(Args)]
pub struct RenderArgs {
    /// The license credential (IssuerSigned CBOR, from `license issue`).
    #[arg(long)]
    license: String,
    /// The issuing authority's seal, its signer (whose certificate must name the license's
    /// issuer) and the sealing time.
    #[command(flatten)]
    signer: SealSignerArgs,
    /// The e-license file to write (never overwritten without --force).
    #[arg(long)]
    out: PathBuf,
    /// Replace --out if it exists.
    #[arg(long)]
    force: bool,
}

pub fn render(args: &RenderArgs) -> Result<ExitCode, Failure> {
    let credential = Input::Credential.read(&args.license)?;
    let (holder, at) = args.signer.load()?;
    let file =
        render_license(&credential, &holder, at).map_err(|e| Failure::unreadable(&e, &args.license))?;
    output::write_new(&args.out, &file.ofd, args.force, false)?;
    outln!("{}\t{} bytes\tsealed with {}", args.out.display(), file.ofd.len(), holder.seal().name());
    outln!("signature\t{}", file.signature);
    outln!("sealed at\t{}", rfc3339(at));
    Ok(ExitCode::SUCCESS)
}

/// Whether the file at `path` is a zip package (an OFD): its first four bytes.
pub fn is_package(path: &str) -> bool {
    use std::io::Read as _;
    let mut magic = [0u8; 4];
    path != "-"
        && std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut magic)).is_ok()
        && magic == *b"PK\x03\x04"
}

/// `license verify` of an e-license file: the license verdict, plus "seal" (the issuer's
/// seal's verdict as `ofd verify` prints it, or the first one), "seals" (every one),
/// "text_matches" and "sealed_by_issuer".
pub fn verify(
    verifier: &yinxin::Verifier,
    path: &str,
    at: OffsetDateTime,
    json_out: bool,
) -> Result<ExitCode, Failure> {
    let bytes = Input::Ofd.read(path)?;
    let report = verifier.verify_license_file(&bytes, at).map_err(|e| Failure::unreadable(&e, path))?;
    let valid = report.is_valid();
    let issuer_seal = report.license.as_ref().ok().and_then(|l| {
        let issuer = l.chain().leaf().party().map(|p| p.code().to_owned());
        report.seals.iter().find(|s| issuer.is_some() && s.signer_party == issuer)
    });
    let seal = issuer_seal.or(report.seals.first());
    let status = crate::commands::license::status_word(&report.license);
    let mut j = match &report.license {
        Ok(l) => json!({
            "doc_type": l.doc_type(),
            "status": status,
            "trust_list": verdict::trust_list_json(l.chain()),
            "elements": l.elements_json(),
        }),
        Err(e) => json!({"doc_type": null, "status": status, "elements": {}, "license_error": e.code()}),
    };
    verdict::put(&mut j, "valid", json!(valid));
    verdict::put(&mut j, "verdict", json!(verdict::word(valid)));
    if let Some(code) = report.error_code() {
        let message = match &report.license {
            Err(e) => e.to_string(),
            Ok(_) => error_message(&report, &code),
        };
        verdict::put(&mut j, "error", json!(code));
        verdict::put(&mut j, "message", json!(message));
    }
    verdict::put(&mut j, "seal", seal.map_or(serde_json::Value::Null, signature_json));
    verdict::put(&mut j, "seals", json!(report.seals.iter().map(signature_json).collect::<Vec<_>>()));
    verdict::put(&mut j, "text_matches", json!(report.text_matches));
    verdict::put(&mut j, "sealed_by_issuer", json!(report.sealed_by_issuer));
    if json_out {
        outln!("{j}");
    } else {
        outln!("{}\t{}", verdict::word(valid), j.get("doc_type").and_then(|d| d.as_str()).unwrap_or("-"));
        if let Ok(l) = &report.license {
            outln!("issuer\t{}", l.chain().leaf().subject());
            outln!("validity\t{}", verdict::validity_text(l.validity()));
        }
        outln!("status\t{}", status.unwrap_or("not checked"));
        for s in &report.seals {
            let name = s.seal_name.as_deref().unwrap_or("-");
            outln!("seal\t{}\t{name}\t{}", verdict::word(s.valid), s.signature);
        }
        outln!("text matches\t{}", verdict::check_text(Some(report.text_matches)));
        outln!("sealed by issuer\t{}", verdict::check_text(Some(report.sealed_by_issuer)));
    }
    match report.error_code() {
        None => Ok(ExitCode::SUCCESS),
        Some(code) => {
            eprintln!("error[{code}]: {}", j.get("message").and_then(|m| m.as_str()).unwrap_or_default());
            let unreadable = report.license.as_ref().is_err_and(crate::commands::license::unreadable);
            Ok(ExitCode::from(if unreadable { EXIT_UNREADABLE } else { EXIT_INVALID }))
        }
    }
}

fn error_message(report: &yinxin::LicenseFileReport, code: &str) -> String {
    match code {
        "ofd.unsigned" => "the file carries no seal signature".into(),
        "license_file.text_mismatch" => {
            "the page does not show what the credential says: its text or images were changed".into()
        }
        "license_file.seal_not_issuers" => "no valid seal of the license's issuer sealed the file".into(),
        _ => report
            .seals
            .iter()
            .find_map(|s| {
                s.error.as_ref().filter(|(c, _)| c == code).map(|(_, m)| format!("{}: {m}", s.signature))
            })
            .unwrap_or_default(),
    }
}
