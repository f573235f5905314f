//! `yinxin license`: issue and verify e-license credentials.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use yinxin::ErrorCode;
use yinxin::crypto::{PublicKey, Signer as _};
use yinxin::license::{
    ElementValue, IssueOptions, LicenseData, LicenseError, LicenseIssuer, LicenseVerifier, untrusted,
};
use yinxin::status::{Status, StatusListCache, StatusListToken};
use yinxin::trust::TrustStore;

use crate::commands::authority::load_issuer;
use crate::commands::key::load_private_key;
use crate::commands::time_arg;
use crate::failure::{EXIT_INVALID, EXIT_UNREADABLE, Failure, read_input};

#[derive(Subcommand)]
pub enum LicenseCommand {
    /// Issue a license credential (ISO 18013-5 IssuerSigned, CBOR) from license JSON.
    Issue(IssueArgs),
    /// Verify a license credential. Exit 0 valid, 1 invalid, 2 unreadable.
    Verify(VerifyArgs),
    /// Issue one license per input line through the registry; prints `<identifier> <status
    /// index>` for each once it is durably committed.
    IssueBatch(crate::commands::issue::BatchArgs),
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
    /// Issuance time (RFC 3339), default now.
    #[arg(long)]
    at: Option<String>,
    /// Record the issuance in this registry (created if missing) and give the license a status
    /// list entry; prints `<identifier> <status index>` once committed.
    #[arg(long)]
    registry: Option<PathBuf>,
    /// Status lists of a new registry are published under this URI.
    #[arg(long, default_value = crate::commands::registry::DEFAULT_URI_BASE)]
    status_uri_base: String,
    /// Do not pre-sign the license's disclosure sets as compact QR claims.
    #[arg(long)]
    no_qr_sets: bool,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// The credential (CBOR; `-` for stdin).
    file: String,
    /// Trusted root certificate(s), PEM.
    #[arg(long)]
    trust: String,
    /// Verification time (RFC 3339), default now.
    #[arg(long)]
    at: Option<String>,
    /// Print {"valid", "error"?, "doc_type", "elements"}.
    #[arg(long)]
    json: bool,
    /// A Status List Token (signed by an authority under --trust) to check the license's
    /// status against; repeatable. Without it, status is not checked.
    #[arg(long = "status-list")]
    status_lists: Vec<String>,
    /// Accept a license whose status cannot be established (default: refuse).
    #[arg(long)]
    accept_unknown_status: bool,
}

pub fn run(cmd: LicenseCommand) -> Result<ExitCode, Failure> {
    match cmd {
        LicenseCommand::Issue(args) => issue(&args),
        LicenseCommand::Verify(args) => verify(&args),
        LicenseCommand::IssueBatch(args) => crate::commands::issue::batch(&args),
        LicenseCommand::Revoke(args) => crate::commands::registry::change(&args, Status::Invalid),
        LicenseCommand::Suspend(args) => crate::commands::registry::change(&args, Status::Suspended),
        LicenseCommand::Reinstate(args) => crate::commands::registry::change(&args, Status::Valid),
    }
}

/// A public key file, or the public half of a private key file.
pub fn load_holder_key(path: &str) -> Result<PublicKey, Failure> {
    let bytes = read_input(path)?;
    match PublicKey::from_pem_or_der(&bytes) {
        Ok(k) => Ok(k),
        Err(public_err) => match yinxin::crypto::SoftwareKey::from_pem_or_der(&bytes) {
            Ok(k) => Ok(k.public_key().clone()),
            Err(_) => Err(Failure::unreadable(&public_err, path)),
        },
    }
}

fn issue(args: &IssueArgs) -> Result<ExitCode, Failure> {
    let authority = load_issuer(&args.authority)?;
    let data = LicenseData::from_json(&read_input(&args.license)?)
        .map_err(|e| Failure::unreadable(&e, &args.license))?;
    let holder = load_holder_key(&args.holder_key)?;
    let mut options = IssueOptions {
        at: args.at.as_deref().map(|s| time_arg::at(Some(s))).transpose()?,
        qr_sets: if args.no_qr_sets { Vec::new() } else { data.qr_sets() },
        ..IssueOptions::default()
    };
    if let Some(p) = &args.portrait {
        options.extra_surface.insert("portrait".into(), ElementValue::Bytes(read_input(p)?));
    }
    if let Some(registry) = &args.registry {
        return crate::commands::issue::issue_one(
            &args.authority,
            registry,
            &args.status_uri_base,
            data,
            options,
            &holder,
            &args.out,
        );
    }
    let chain = vec![authority.certificate().clone()];
    let key = load_private_key(&args.authority.join("issuer.key.pem").to_string_lossy())?;
    let issuer = LicenseIssuer::new(key, chain).map_err(|e| Failure::unreadable(&e, "authority"))?;
    let issued =
        issuer.issue(&data, &holder, &options).map_err(|e| Failure::unreadable(&e, &args.license))?;
    std::fs::write(&args.out, &issued.bytes).map_err(|e| Failure::io(&e, args.out.display()))?;
    outln!("{}\t{}\t{} bytes", issued.identifier, issued.doc_type, issued.bytes.len());
    Ok(ExitCode::SUCCESS)
}

/// Loads a trust store from a PEM file.
pub fn load_trust(path: &str) -> Result<TrustStore, Failure> {
    TrustStore::from_pem_or_der(&read_input(path)?).map_err(|e| Failure::unreadable(&e, path))
}

/// Reads signed status list files, verifies each against `trust` at `at` and caches them.
pub fn load_status_lists(
    paths: &[String],
    trust: &TrustStore,
    at: time::OffsetDateTime,
) -> Result<StatusListCache, Failure> {
    let cache = StatusListCache::new();
    for path in paths {
        let token = read_input(path)?;
        let list = StatusListToken::verify_with_trust(&token, trust, at)
            .map_err(|e| Failure::unreadable(&e, path))?;
        cache.insert(list, at);
    }
    Ok(cache)
}

/// Errors that mean the input is not a credential at all (exit 2) rather than a bad one.
fn unreadable(e: &LicenseError) -> bool {
    matches!(
        e,
        LicenseError::Malformed(_)
            | LicenseError::TooLarge(_)
            | LicenseError::TooDeep
            | LicenseError::IssuerAuth(_)
    )
}

fn verify(args: &VerifyArgs) -> Result<ExitCode, Failure> {
    let trust = load_trust(&args.trust)?;
    let at = time_arg::at(args.at.as_deref())?;
    let bytes = read_input(&args.file)?;
    let verifier =
        LicenseVerifier::new(trust.clone()).with_unknown_status_accepted(args.accept_unknown_status);
    let result = if args.status_lists.is_empty() {
        verifier.verify(&bytes, at)
    } else {
        verifier.verify_with_status(&bytes, at, &load_status_lists(&args.status_lists, &trust, at)?)
    };
    let (json, exit) = match &result {
        Ok(v) => (
            serde_json::json!({"valid": true, "doc_type": v.doc_type(), "elements": v.elements_json()}),
            ExitCode::SUCCESS,
        ),
        Err(e) => {
            // The docType of a credential that did not verify, from an untrusted read, if any.
            let doc_type =
                untrusted::inspect(&bytes, at).ok().and_then(|r| r.first().map(|d| d.doc_type.clone()));
            let exit = if unreadable(e) { EXIT_UNREADABLE } else { EXIT_INVALID };
            (
                serde_json::json!({"valid": false, "error": e.code(), "message": e.to_string(), "doc_type": doc_type, "elements": {}}),
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
                outln!("validity\t{}", v.validity().to_json());
                for (ns, items) in v.elements() {
                    for (id, value) in items {
                        outln!("{ns}\t{id}\t{}", value.to_json());
                    }
                }
            }
            Err(e) => outln!("INVALID\t{}\t{e}", e.code()),
        }
    }
    if let Err(e) = &result {
        eprintln!("error[{}]: {e}", e.code());
    }
    Ok(exit)
}
