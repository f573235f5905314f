//! `yinxin wallet`: the holder's encrypted store (issue 19) from the command line. Every
//! command opens the wallet with the showing PIN, read from standard input (`--pin-stdin` says
//! so; the PIN is never taken from an argument, which other users of the machine could see).
//!
//! The software fallback protects the wallet's key with the PIN through Argon2id (the CLI has
//! no platform keystore). Exit codes: 0 done; 1 a wrong PIN or a locked wallet
//! (`wallet.pin_wrong`, `wallet.locked` saying until when); 2 bad usage or unreadable input.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use time::OffsetDateTime;
use yinxin::license::untrusted;
use yinxin::present::request::request_from_text;
use yinxin::present::{Disclosure, qr_text};
use yinxin::text::rfc3339;
use yinxin::trust::parse_pem_certificates;
use yinxin::wallet::WalletError;
use yinxin::wallet::store::{CreateOptions, Passphrase, Pin, Protection, Suite, UnlockedWallet, WalletStore};

use crate::commands::key::load_private_key;
use crate::commands::qr_image::{Format, emit};
use crate::commands::time_arg;
use crate::commands::verdict::element_text;
use crate::failure::{EXIT_INVALID, Failure};
use crate::input::Input;

#[derive(Subcommand)]
pub enum WalletCommand {
    /// Create a wallet in a new or empty directory.
    Init(InitArgs),
    /// Import a license and the holder key it is bound to (every signed part is verified).
    Add(AddArgs),
    /// List the licenses: identifier, docType, holder, issuer, last day of validity.
    List(ListArgs),
    /// Show every element of one license.
    Show(LicenseArgs),
    /// Remove a license and its key.
    Remove(LicenseArgs),
    /// Show a license as a QR code (the PIN is the consent); the consent log records it.
    Present(PresentArgs),
    /// The consent log: what was shown, when, to whom, why.
    History(ListArgs),
    /// Delegate a legal entity's license to an agent's device key (经办人): which elements,
    /// until when; the agent's wallet takes it with `wallet add … --delegation`.
    Delegate(DelegateArgs),
    /// Write an encrypted backup (standard input: the PIN, then a backup passphrase of at
    /// least 12 characters).
    Backup(BackupArgs),
    /// Restore a backup into a new directory (standard input: the backup passphrase, then the
    /// new showing PIN).
    Restore(RestoreArgs),
}

#[derive(Args)]
pub struct Common {
    /// The wallet directory.
    #[arg(long)]
    dir: PathBuf,
    /// Read the showing PIN (six digits) from the first line of standard input. PINs are
    /// never taken from arguments: standard input is where every wallet command reads it, with
    /// or without this flag, which says so explicitly.
    #[arg(long)]
    pin_stdin: bool,
    /// The time of the operation (RFC 3339, or a date taken as midnight Beijing time),
    /// default now.
    #[arg(long)]
    at: Option<String>,
}

#[derive(Args)]
pub struct InitArgs {
    #[command(flatten)]
    common: Common,
    /// Seal with SM4-GCM instead of ChaCha20-Poly1305 (GM-only deployments).
    #[arg(long)]
    gm: bool,
    /// Roots (PEM) under which verifier certificates of requests are accepted; repeatable.
    #[arg(long = "verifier-anchor")]
    verifier_anchors: Vec<String>,
    /// Elements never given to a request without reader authentication (comma-separated);
    /// default holder_code,resident_id_number.
    #[arg(long, value_delimiter = ',')]
    sensitive: Option<Vec<String>>,
}

#[derive(Args)]
pub struct AddArgs {
    #[command(flatten)]
    common: Common,
    /// The license credential (CBOR, from `license issue`).
    license: String,
    /// The holder's private key (PEM or DER) the license is bound to; with --delegation, the
    /// agent's key the delegation names.
    #[arg(long)]
    holder_key: String,
    /// An agent's copy of a legal entity's license: the entity's delegation (from `wallet
    /// delegate`).
    #[arg(long)]
    delegation: Option<String>,
}

#[derive(Args)]
pub struct DelegateArgs {
    #[command(flatten)]
    common: Common,
    /// The license identifier.
    #[arg(long)]
    license: String,
    /// The agent's device key (public, PEM or DER).
    #[arg(long)]
    agent_key: String,
    /// The agent's name.
    #[arg(long)]
    agent_name: String,
    /// The agent's resident identity number.
    #[arg(long)]
    agent_id: String,
    /// The elements the agent may show, comma-separated (license_identifier is always added).
    #[arg(long, value_delimiter = ',', required = true)]
    elements: Vec<String>,
    /// Days the delegation lasts (1 to 36500).
    #[arg(long, allow_negative_numbers = true, value_parser = time_arg::days())]
    days: i64,
    /// Where to write the delegation.
    #[arg(long)]
    out: PathBuf,
    /// Replace --out if it exists.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
pub struct ListArgs {
    #[command(flatten)]
    common: Common,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct LicenseArgs {
    #[command(flatten)]
    common: Common,
    /// The license identifier (as `wallet list` prints it).
    #[arg(long)]
    license: String,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct PresentArgs {
    #[command(flatten)]
    common: Common,
    /// The license identifier.
    #[arg(long)]
    license: String,
    /// Element identifiers to disclose, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        required_unless_present_any = ["disclose_all", "request"],
        conflicts_with_all = ["disclose_all", "request"]
    )]
    disclose: Vec<String>,
    /// Disclose every element.
    #[arg(long, conflicts_with = "request")]
    disclose_all: bool,
    /// Answer a verifier's request (its QR text file): the wallet checks who asks (under the
    /// verifier anchors of `wallet init`), prints the verifier, the elements and the purpose on
    /// stderr, and shows exactly those elements in a code only that verifier accepts. The PIN
    /// is the consent.
    #[arg(long)]
    request: Option<String>,
    /// Output form.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write here instead of stdout (required for png).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace --out if it exists.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
pub struct BackupArgs {
    #[command(flatten)]
    common: Common,
    /// The backup file to write.
    #[arg(long)]
    out: PathBuf,
    /// Replace --out if it exists.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    common: Common,
    /// The backup file.
    #[arg(long)]
    from: String,
}

pub fn run(cmd: WalletCommand) -> Result<ExitCode, Failure> {
    match cmd {
        WalletCommand::Init(a) => init(&a),
        WalletCommand::Add(a) => add(&a),
        WalletCommand::List(a) => list(&a),
        WalletCommand::Show(a) => show(&a),
        WalletCommand::Remove(a) => remove(&a),
        WalletCommand::Present(a) => present(&a),
        WalletCommand::History(a) => history(&a),
        WalletCommand::Delegate(a) => delegate(&a),
        WalletCommand::Backup(a) => backup(&a),
        WalletCommand::Restore(a) => restore(&a),
    }
}

/// The failure of a wallet error: a wrong PIN or a lock-out is a failed check (exit 1), the
/// rest is unusable input (exit 2).
pub fn failure(e: &WalletError, context: impl std::fmt::Display) -> Failure {
    match e {
        WalletError::PinWrong { .. } | WalletError::Locked { .. } => Failure::invalid(e, context),
        _ => Failure::unreadable(e, context),
    }
}

/// The first `N` lines of standard input, each without its line end.
fn stdin_lines<const N: usize>() -> Result<[String; N], Failure> {
    let bytes = Input::Secret.read("-")?;
    let text = String::from_utf8(bytes).map_err(|_| Failure::usage("standard input is not text"))?;
    let lines: Vec<String> = text.lines().take(N).map(|l| l.trim_end_matches('\r').to_owned()).collect();
    lines.try_into().map_err(|_| {
        Failure::usage(if N == 1 {
            "standard input must hold the PIN".to_owned()
        } else {
            format!("standard input must hold {N} lines (see --help)")
        })
    })
}

fn pin_of(line: &str) -> Result<Pin, Failure> {
    Pin::new(line).map_err(|e| Failure::unreadable(&e, "standard input"))
}

fn open(common: &Common) -> Result<(UnlockedWallet, Pin, OffsetDateTime), Failure> {
    let at = time_arg::at(common.at.as_deref())?;
    let [pin] = stdin_lines()?;
    let pin = pin_of(&pin)?;
    let dir = common.dir.display().to_string();
    let store = WalletStore::open(&common.dir, None).map_err(|e| failure(&e, &dir))?;
    let wallet = store.unlock(&pin, at).map_err(|e| failure(&e, &dir))?;
    Ok((wallet, pin, at))
}

fn init(args: &InitArgs) -> Result<ExitCode, Failure> {
    let [pin] = stdin_lines()?;
    let pin = pin_of(&pin)?;
    let mut anchors = Vec::new();
    for path in &args.verifier_anchors {
        let pem = Input::Certificates.read(path)?;
        let certs = parse_pem_certificates(&pem).map_err(|e| Failure::unreadable(&e, path))?;
        anchors.extend(certs.iter().map(|c| c.der().to_vec()));
    }
    let mut options = CreateOptions {
        suite: if args.gm { Suite::Sm4Gcm } else { Suite::ChaCha20Poly1305 },
        protection: Protection::default(),
        verifier_anchors: anchors,
        ..CreateOptions::default()
    };
    if let Some(sensitive) = &args.sensitive {
        options.sensitive.clone_from(sensitive);
    }
    let suite = options.suite;
    let dir = args.common.dir.display().to_string();
    WalletStore::create(&args.common.dir, &pin, options).map_err(|e| failure(&e, &dir))?;
    eprintln!("created a wallet in {dir} ({}, key from the PIN through Argon2id)", suite.name());
    Ok(ExitCode::SUCCESS)
}

fn add(args: &AddArgs) -> Result<ExitCode, Failure> {
    let credential = Input::Credential.read(&args.license)?;
    let key = load_private_key(&args.holder_key)?;
    let delegation = args.delegation.as_deref().map(|p| Input::Credential.read(p)).transpose()?;
    let (wallet, _, at) = open(&args.common)?;
    let summary = match delegation {
        Some(d) => wallet.add_delegated(credential, &key, d, at),
        None => wallet.add(credential, &key, at),
    }
    .map_err(|e| failure(&e, &args.license))?;
    outln!("{}", summary.identifier);
    Ok(ExitCode::SUCCESS)
}

fn list(args: &ListArgs) -> Result<ExitCode, Failure> {
    let (wallet, _, _) = open(&args.common)?;
    let listing = wallet.licenses().map_err(|e| failure(&e, args.common.dir.display()))?;
    for name in &listing.damaged {
        crate::commands::license::warn(
            "wallet.record_damaged",
            &format!("{name} is damaged or was altered; the other licenses are unaffected"),
        );
    }
    if args.json {
        let items: Vec<serde_json::Value> = listing
            .licenses
            .iter()
            .map(|l| {
                serde_json::json!({
                    "id": l.identifier,
                    "doc_type": l.doc_type,
                    "holder_name": l.holder_name,
                    "issuer": l.issuer,
                    "valid_until": l.valid_until,
                })
            })
            .collect();
        outln!("{}", serde_json::Value::Array(items));
    } else {
        for l in &listing.licenses {
            outln!(
                "{}\t{}\t{}\t{}\tvalid until {}",
                l.identifier,
                l.license_name.as_deref().unwrap_or(&l.doc_type),
                l.holder_name.as_deref().unwrap_or("-"),
                l.issuer.as_deref().unwrap_or("-"),
                l.valid_until.as_deref().unwrap_or("长期 (long-term)")
            );
        }
        if listing.licenses.is_empty() {
            eprintln!("the wallet holds no license");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn show(args: &LicenseArgs) -> Result<ExitCode, Failure> {
    let (wallet, _, at) = open(&args.common)?;
    let credential = wallet.credential(&args.license).map_err(|e| failure(&e, &args.license))?;
    let report = untrusted::inspect(&credential, at).map_err(|e| Failure::unreadable(&e, &args.license))?;
    let doc = report.first().ok_or_else(|| Failure::usage("the credential holds no document"))?;
    if args.json {
        let elements: serde_json::Map<String, serde_json::Value> =
            doc.elements.values().flat_map(|m| m.iter().map(|(k, v)| (k.clone(), v.to_json()))).collect();
        outln!("{}", serde_json::json!({"id": args.license, "doc_type": doc.doc_type, "elements": elements}));
    } else {
        outln!("{}  ({})", args.license, doc.doc_type);
        for m in doc.elements.values() {
            for (k, v) in m {
                outln!("  {k}: {}", element_text(v));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn remove(args: &LicenseArgs) -> Result<ExitCode, Failure> {
    let (wallet, _, _) = open(&args.common)?;
    if !wallet.remove(&args.license).map_err(|e| failure(&e, &args.license))? {
        let e = WalletError::UnknownLicense(args.license.clone());
        return Err(Failure::unreadable(&e, args.common.dir.display()));
    }
    eprintln!("removed {} and its key", args.license);
    Ok(ExitCode::SUCCESS)
}

fn present(args: &PresentArgs) -> Result<ExitCode, Failure> {
    if matches!(args.format, Format::Png) && args.out.is_none() {
        return Err(Failure::usage("--format png needs --out FILE"));
    }
    let request = match &args.request {
        Some(path) => {
            let text = String::from_utf8(Input::QrText.read(path)?)
                .map_err(|_| Failure::usage("--request: the request is not text"))?;
            Some(request_from_text(&text).map_err(|e| Failure::unreadable(&e, path))?)
        }
        None => None,
    };
    let (wallet, pin, at) = open(&args.common)?;
    let code = match (&request, &args.request) {
        (Some(bytes), Some(path)) => {
            let verified = wallet.verify_request(bytes, at).map_err(|e| failure(&e, path))?;
            match verified.verifier() {
                Some(v) => eprintln!(
                    "request from {}{} (verified)",
                    v.name,
                    v.code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default()
                ),
                None => eprintln!("request from an unidentified verifier (not signed)"),
            }
            eprintln!("asks for: {}", verified.elements().join(", "));
            eprintln!("purpose: {}", verified.purpose());
            wallet.present_for_request(&pin, &args.license, &verified, at)
        }
        _ => {
            let names: Vec<&str> = args.disclose.iter().map(String::as_str).collect();
            let disclose = if args.disclose_all { Disclosure::All } else { Disclosure::Elements(&names) };
            wallet.present(&pin, &args.license, disclose, at)
        }
    }
    .map_err(|e| failure(&e, &args.license))?;
    let text = qr_text::encode(&code).map_err(|e| Failure::unreadable(&e, "encode"))?;
    emit(&text, args.format, args.out.as_deref(), args.force)?;
    Ok(ExitCode::SUCCESS)
}

fn history(args: &ListArgs) -> Result<ExitCode, Failure> {
    let (wallet, _, _) = open(&args.common)?;
    let (entries, damaged) = wallet.history().map_err(|e| failure(&e, args.common.dir.display()))?;
    for name in &damaged {
        crate::commands::license::warn("wallet.record_damaged", &format!("{name} is damaged or was altered"));
    }
    if args.json {
        let items: Vec<serde_json::Value> = entries
            .iter()
            .map(|e| {
                serde_json::json!({
                    "at": rfc3339(e.at),
                    "license": e.license,
                    "elements": e.elements,
                    "verifier": e.verifier.as_ref().map(|v| serde_json::json!({
                        "name": v.name, "code": v.code, "key_id": v.key_id,
                    })),
                    "purpose": e.purpose,
                })
            })
            .collect();
        outln!("{}", serde_json::Value::Array(items));
    } else {
        for e in &entries {
            let to =
                e.verifier.as_ref().map_or_else(|| "whoever scanned the code".to_owned(), |v| v.name.clone());
            outln!(
                "{}\t{}\tto {to}\t{}{}",
                rfc3339(e.at),
                e.license,
                e.elements.join(","),
                e.purpose.as_deref().map(|p| format!("\tfor {p}")).unwrap_or_default()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn backup(args: &BackupArgs) -> Result<ExitCode, Failure> {
    let [pin, passphrase] = stdin_lines()?;
    let passphrase = Passphrase::new(&passphrase).map_err(|e| Failure::unreadable(&e, "standard input"))?;
    let at = time_arg::at(args.common.at.as_deref())?;
    let dir = args.common.dir.display().to_string();
    let store = WalletStore::open(&args.common.dir, None).map_err(|e| failure(&e, &dir))?;
    let wallet = store.unlock(&pin_of(&pin)?, at).map_err(|e| failure(&e, &dir))?;
    let bytes = wallet.backup(&passphrase).map_err(|e| failure(&e, &dir))?;
    crate::commands::output::write_new(&args.out, &bytes, args.force, true)?;
    eprintln!("wrote an encrypted backup of {dir} to {} ({} bytes)", args.out.display(), bytes.len());
    Ok(ExitCode::SUCCESS)
}

fn restore(args: &RestoreArgs) -> Result<ExitCode, Failure> {
    let [passphrase, pin] = stdin_lines()?;
    let passphrase = Passphrase::new(&passphrase).map_err(|e| Failure::unreadable(&e, "standard input"))?;
    let pin = pin_of(&pin)?;
    let bytes = Input::WalletBackup.read(&args.from)?;
    let dir = args.common.dir.display().to_string();
    let restored = WalletStore::restore(&args.common.dir, &bytes, &passphrase, &pin, Protection::default())
        .map_err(|e| failure(&e, &args.from))?;
    for name in &restored.damaged {
        crate::commands::license::warn(
            "wallet.record_damaged",
            &format!("{name} of the backup did not open; left out"),
        );
    }
    eprintln!(
        "restored {} licenses and {} consent log entries into {dir}",
        restored.licenses, restored.history
    );
    Ok(if restored.damaged.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_INVALID) })
}

fn delegate(args: &DelegateArgs) -> Result<ExitCode, Failure> {
    let agent = crate::commands::key::load_public_key(&args.agent_key)?;
    let (wallet, pin, at) = open(&args.common)?;
    let until = time_arg::after(at, time::Duration::days(args.days), "--days")?;
    let delegation = wallet
        .delegate(&pin, &args.license, &agent, &args.agent_name, &args.agent_id, &args.elements, until, at)
        .map_err(|e| failure(&e, &args.license))?;
    crate::commands::output::write_new(&args.out, &delegation, args.force, false)?;
    eprintln!(
        "delegated {} to {} ({}) until {}: {}",
        args.license,
        args.agent_name,
        args.agent_id,
        rfc3339(until),
        args.elements.join(",")
    );
    Ok(ExitCode::SUCCESS)
}
