//! `yinxin license`: issue and verify e-license credentials.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use yinxin::ErrorCode;
use yinxin::license::{
    ElementValue, IssueOptions, IssuedLicense, LicenseData, LicenseError, VerifiedLicense, untrusted,
};
use yinxin::status::{Status, StatusOutcome};

use crate::commands::authority::load_authority;
use crate::commands::key::load_holder_key;
use crate::commands::time_arg::{self, rfc3339};
use crate::failure::{EXIT_INVALID, EXIT_UNREADABLE, Failure};
use crate::input::Input;

#[derive(Subcommand)]
pub enum LicenseCommand {
    /// Issue a license credential (ISO 18013-5 IssuerSigned, CBOR) from license JSON.
    Issue(IssueArgs),
    /// Verify a license credential, or an e-license file (a sealed OFD with the credential
    /// attached: its seal, the credential and the page's text are checked). Exit 0 valid, 1
    /// invalid, 2 unreadable.
    Verify(VerifyArgs),
    /// Render a license as an e-license file (GB/T 36905): one page with every field, the
    /// identifier and its QR code, the credential attached, sealed by the issuer's seal (its
    /// signer certificate must name the license's issuer).
    Render(crate::commands::license_file::RenderArgs),
    /// Issue one license per input line through the registry; prints `<identifier> <status
    /// index>` for each once it is durably committed.
    IssueBatch(crate::commands::batch::BatchArgs),
    /// Revoke a license (final).
    Revoke(crate::commands::registry::ChangeArgs),
    /// Suspend a license.
    Suspend(crate::commands::registry::ChangeArgs),
    /// Reinstate a suspended license.
    Reinstate(crate::commands::registry::ChangeArgs),
}

#[derive(Args)]
pub struct IssueArgs {
    /// The authority directory (from `authority init`).
    #[arg(long)]
    authority: PathBuf,
    /// The license data, in the JSON shape of the reference licenses.
    #[arg(long)]
    license: String,
    /// The holder's public key (SPKI PEM; a private key file is accepted too).
    #[arg(long)]
    holder_key: String,
    /// Where to write the credential.
    #[arg(long)]
    out: PathBuf,
    /// A portrait image to carry as the `portrait` element (bytes).
    #[arg(long)]
    portrait: Option<String>,
    /// Issuance time (RFC 3339, or a date taken as midnight Beijing time), default now.
    #[arg(long)]
    at: Option<String>,
    /// Record the issuance in this registry (created if missing) and give the license a status
    /// list entry; prints `<identifier> <status index>` once committed.
    #[arg(long)]
    registry: Option<PathBuf>,
    /// Status lists of a new registry are published under this URI (default
    /// `https://status.example.gov.cn/<issuer USCC>/lists`); an existing registry keeps its own.
    #[arg(long)]
    status_uri_base: Option<String>,
    /// Do not pre-sign the license's disclosure sets as compact QR claims.
    #[arg(long)]
    no_qr_sets: bool,
    /// Replace --out if it exists (by default an existing file is never overwritten).
    #[arg(long)]
    force: bool,
    /// Print {"identifier", "doc_type", "bytes", "valid_from", "valid_until", "status"?,
    /// "warnings": [{"code", "message"}]} instead of the tab-separated line.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// The credential (CBOR; `-` for stdin), or an e-license file (OFD).
    file: String,
    /// Trusted root certificate(s), PEM; repeatable (e.g. one per region). Not needed with
    /// --trust-list.
    #[arg(long, required_unless_present = "trust_lists")]
    trust: Vec<String>,
    #[command(flatten)]
    lists: crate::commands::verifying::TrustListArgs,
    /// Intermediate CA certificates (PEM bundle) between a seal maker's certificate and
    /// --trust (e-license files).
    #[arg(long)]
    intermediates: Option<String>,
    /// Verification time (RFC 3339, or a date taken as midnight Beijing time), default now.
    #[arg(long)]
    at: Option<String>,
    /// Print {"valid", "verdict", "error"?, "message"?, "doc_type", "status", "elements"}
    /// ("status": valid, revoked, suspended, unknown or none)..
    #[arg(long)]
    json: bool,
    /// A Status List Token (signed by an authority under --trust) to check the license's
    /// status against; repeatable. A license that names a status list is refused as
    /// license.status_unknown unless its list is given (or --accept-unknown-status).
    #[arg(long = "status-list")]
    status_lists: Vec<String>,
    /// Accept a license whose status cannot be established (default: refuse); the verdict
    /// still says "status": "unknown".
    #[arg(long)]
    accept_unknown_status: bool,
}

pub fn run(cmd: LicenseCommand) -> Result<ExitCode, Failure> {
    match cmd {
        LicenseCommand::Issue(args) => issue(&args),
        LicenseCommand::Verify(args) => verify(&args),
        LicenseCommand::Render(args) => crate::commands::license_file::render(&args),
        LicenseCommand::IssueBatch(args) => crate::commands::batch::batch(&args),
        LicenseCommand::Revoke(args) => crate::commands::registry::change(&args, Status::Invalid),
        LicenseCommand::Suspend(args) => crate::commands::registry::change(&args, Status::Suspended),
        LicenseCommand::Reinstate(args) => crate::commands::registry::change(&args, Status::Valid),
    }
}

fn issue(args: &IssueArgs) -> Result<ExitCode, Failure> {
    if !args.force && args.out.exists() {
        return Err(crate::commands::output::exists(&args.out));
    }
    let authority = load_authority(&args.authority, None)?;
    let data = LicenseData::from_json(&Input::LicenseJson.read(&args.license)?)
        .map_err(|e| Failure::unreadable(&e, &args.license))?;
    let mut warnings = Vec::new();
    if data.disclosure_sets.is_empty() && !args.no_qr_sets {
        warnings.push((
            "license.no_disclosure_sets",
            format!(
                "{} has no \"disclosure_sets\": every QR code of this license will be a large \
                 general-form code (QR version 37-40, hard to scan); name the element sets \
                 holders show (docs/license-json.md)",
                args.license
            ),
        ));
    }
    let holder = load_holder_key(&args.holder_key)?;
    let mut options = IssueOptions {
        at: args.at.as_deref().map(|s| time_arg::at(Some(s))).transpose()?,
        qr_sets: if args.no_qr_sets { Vec::new() } else { data.qr_sets() },
        ..IssueOptions::default()
    };
    if let Some(p) = &args.portrait {
        options.extra_surface.insert("portrait".into(), ElementValue::Bytes(Input::Portrait.read(p)?));
    }
    if let Some(registry) = &args.registry {
        let (issued, slot) = crate::commands::issue::issue_one(crate::commands::issue::OneLicense {
            authority: &authority,
            registry,
            uri_base: args.status_uri_base.as_deref(),
            data,
            source: &args.license,
            options,
            holder,
            out: &args.out,
            force: args.force,
        })?;
        report_issued(&issued, Some(&slot), warnings, args.json);
        return Ok(ExitCode::SUCCESS);
    }
    let issued =
        authority.issue(&data, &holder, &options).map_err(|e| Failure::unreadable(&e, &args.license))?;
    crate::commands::output::write_new(&args.out, &issued.bytes, args.force, false)?;
    report_issued(&issued, None, warnings, args.json);
    Ok(ExitCode::SUCCESS)
}

/// Prints `warning[<code>]: <message>` on stderr.
pub fn warn(code: &str, message: &str) {
    eprintln!("warning[{code}]: {message}");
}

/// What `license issue` prints: the warnings (the command's own, then the credential's) on
/// stderr, then the tab-separated line (`<id> <status index>` with a registry, as
/// acknowledgement) or the JSON object.
fn report_issued(
    issued: &IssuedLicense,
    slot: Option<&yinxin_registry::StatusSlot>,
    mut warnings: Vec<(&'static str, String)>,
    json: bool,
) {
    warnings.extend(issued.warnings.iter().map(|w| (w.code(), w.to_string())));
    for (code, message) in &warnings {
        warn(code, message);
    }
    if json {
        outln!(
            "{}",
            serde_json::json!({
                "identifier": issued.identifier.to_string(),
                "doc_type": issued.doc_type,
                "bytes": issued.bytes.len(),
                "valid_from": rfc3339(issued.validity.valid_from),
                "valid_until": rfc3339(issued.validity.valid_until),
                "status": slot.map(|s| serde_json::json!({"uri": s.uri, "index": s.index})),
                "warnings": warnings.iter()
                    .map(|(code, message)| serde_json::json!({"code": code, "message": message}))
                    .collect::<Vec<_>>(),
            })
        );
    } else if let Some(s) = slot {
        outln!("{} {}", issued.identifier, s.index);
    } else {
        outln!("{}\t{}\t{} bytes", issued.identifier, issued.doc_type, issued.bytes.len());
    }
}

/// Errors that mean the input is not a credential at all (exit 2) rather than a bad one.
pub fn unreadable(e: &LicenseError) -> bool {
    matches!(
        e,
        LicenseError::Malformed(_)
            | LicenseError::TooLarge(_)
            | LicenseError::TooDeep
            | LicenseError::IssuerAuth(_)
    )
}

/// The verdict's word for the status of a license: what was found when it verified, or what
/// made it fail; `None` when verification failed before status was looked at.
pub fn status_word(result: &Result<VerifiedLicense, LicenseError>) -> Option<&'static str> {
    match result {
        Ok(v) => v.status_outcome().map(StatusOutcome::name),
        Err(e) => e.status_name(),
    }
}

/// A hint after an error that the user can fix by supplying something.
pub fn hint(e: &LicenseError) -> Option<String> {
    match e {
        LicenseError::StatusUnknown(_) => Some(
            "give the issuer's current status list with --status-list LIST.cwt (written by `yinxin \
             status publish`), or accept unknown status with --accept-unknown-status"
                .into(),
        ),
        LicenseError::IssuerKeyUnknown(kid) => Some(format!(
            "compact codes name the issuer by key id ({kid}) instead of carrying its certificate: \
             supply it with --issuer-cert ISSUER.pem (the authority's issuer.pem), or give a \
             --status-list signed by that issuer"
        )),
        _ => None,
    }
}

fn verify(args: &VerifyArgs) -> Result<ExitCode, Failure> {
    let at = time_arg::at(args.at.as_deref())?;
    let options = crate::commands::verifying::Options {
        trust: &args.trust,
        lists: Some(&args.lists),
        intermediates: args.intermediates.as_deref(),
        status_lists: &args.status_lists,
        accept_unknown_status: args.accept_unknown_status,
        ..Default::default()
    };
    let verifier = crate::commands::verifying::build(&options, at)?;
    if crate::commands::license_file::is_package(&args.file) {
        return crate::commands::license_file::verify(&verifier, &args.file, at, args.json);
    }
    let bytes = Input::Credential.read(&args.file)?;
    // Always with status: a license that names a status list is refused when its status cannot
    // be established, whether or not lists were given.
    let result = verifier.verify_license(&bytes, at);
    let status = status_word(&result);
    let (json, exit) = match &result {
        Ok(v) => (
            serde_json::json!({"valid": true, "verdict": "VALID", "doc_type": v.doc_type(), "status": status, "trust_list": crate::commands::verdict::trust_list_json(v.chain()), "elements": v.elements_json()}),
            ExitCode::SUCCESS,
        ),
        Err(e) => {
            // The docType of a credential that did not verify, from an untrusted read, if any.
            let doc_type =
                untrusted::inspect(&bytes, at).ok().and_then(|r| r.first().map(|d| d.doc_type.clone()));
            let exit = if unreadable(e) { EXIT_UNREADABLE } else { EXIT_INVALID };
            (
                serde_json::json!({"valid": false, "verdict": "INVALID", "error": e.code(), "message": e.to_string(), "doc_type": doc_type, "status": status, "elements": {}}),
                ExitCode::from(exit),
            )
        }
    };
    if args.json {
        outln!("{json}");
    } else {
        match &result {
            Ok(v) => {
                outln!("VALID\t{}", v.doc_type());
                outln!("issuer\t{}", v.chain().leaf().subject());
                if let Some(line) = crate::commands::verdict::trust_list_text(v.chain()) {
                    outln!("trusted by\t{line}");
                }
                outln!("validity\t{}", crate::commands::verdict::validity_text(v.validity()));
                outln!("status\t{}", status_line(v.status_outcome()));
                for (ns, items) in v.elements() {
                    for (id, value) in items {
                        outln!("{ns}\t{id}\t{}", crate::commands::verdict::element_text(value));
                    }
                }
            }
            Err(e) => outln!("INVALID\t{}\t{e}", e.code()),
        }
    }
    if let Err(e) = &result {
        eprintln!("error[{}]: {e}", e.code());
        if let Some(h) = hint(e) {
            eprintln!("hint: {h}");
        }
    }
    Ok(exit)
}

/// The status of a verified license, as a person reads it.
pub fn status_line(outcome: Option<&StatusOutcome>) -> String {
    match outcome {
        Some(StatusOutcome::Known(Status::Valid)) => "valid (checked against its status list)".into(),
        Some(StatusOutcome::NoReference) => "none (the license names no status list)".into(),
        Some(StatusOutcome::Unknown(reason)) => {
            format!("unknown, accepted by --accept-unknown-status ({reason})")
        }
        Some(other) => format!("{}, accepted by --accept-unknown-status", other.name()),
        None => "not checked".into(),
    }
}
