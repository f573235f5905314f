//! `yinxin present` (the holder's QR code) and `yinxin verify` (the counter).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use time::Duration;
use yinxin::ErrorCode;
use yinxin::present::{Disclosure, PresentError, ReplayGuard, present, qr_text};

use crate::commands::key::load_private_key;
use crate::commands::qr_image::{Format, emit, read_image};
use crate::commands::time_arg;
use crate::failure::{EXIT_INVALID, EXIT_UNREADABLE, Failure};
use crate::input::Input;

#[derive(Args)]
pub struct PresentArgs {
    /// The license credential (from `license issue`).
    #[arg(long)]
    license: String,
    /// The holder's private key (the one the license is bound to).
    #[arg(long)]
    holder_key: String,
    /// Element identifiers to disclose, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        required_unless_present = "disclose_all",
        conflicts_with = "disclose_all"
    )]
    disclose: Vec<String>,
    /// Disclose every element.
    #[arg(long)]
    disclose_all: bool,
    /// Use the mdoc-style form (ISO 18013-5 items and the issuer certificate), for verifiers
    /// that read only mdoc structures; far larger. By default the smallest form that holds
    /// exactly the chosen elements (a pre-signed set or the tree form).
    #[arg(long)]
    mdoc: bool,
    /// Creation time (RFC 3339, or a date taken as midnight Beijing time), default now.
    #[arg(long)]
    at: Option<String>,
    /// Output form.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write here instead of stdout (required for png; never over an existing file without
    /// --force).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace --out if it exists.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// The QR text (YX1:…).
    qr_text: Option<String>,
    /// Read the QR code from an image (PNG, JPEG, WebP or GIF).
    #[arg(long, conflicts_with_all = ["qr_text", "stdin"])]
    image: Option<PathBuf>,
    /// Read the QR text from standard input.
    #[arg(long, conflicts_with = "qr_text")]
    stdin: bool,
    /// Trusted root certificate(s), PEM; repeatable (e.g. one per region). Not needed with
    /// --trust-list.
    #[arg(long, required_unless_present = "trust_lists")]
    trust: Vec<String>,
    #[command(flatten)]
    lists: crate::commands::verifying::TrustListArgs,
    /// Status List Tokens to check the license's status against (repeatable).
    #[arg(long = "status-list")]
    status_lists: Vec<String>,
    /// Verification time (RFC 3339, or a date taken as midnight Beijing time), default now.
    #[arg(long)]
    at: Option<String>,
    /// Freshness window in seconds (1 to 86400).
    #[arg(long, default_value_t = 300, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..=86_400))]
    window: i64,
    /// Keep the replay guard in this file between runs (a second verification of the same code
    /// then fails with present.replayed). Counters may share the file: it is locked
    /// (`<file>.lock`) from reading to writing back.
    #[arg(long)]
    replay_cache: Option<PathBuf>,
    /// Accept a license whose status cannot be established (default: refuse).
    #[arg(long)]
    accept_unknown_status: bool,
    /// Issuer certificates (PEM) for compact codes, which name their issuer by key id; the
    /// issuers of the --status-list tokens are known already. Repeatable.
    #[arg(long = "issuer-cert")]
    issuer_certs: Vec<String>,
    /// Print {"valid", "verdict", "error"?, "message"?, "doc_type", "status", "issuer", "disclosed",
    /// "created", "age_s", "request_bound"} ("status": valid, revoked, suspended, unknown or
    /// none).
    #[arg(long)]
    json: bool,
    /// The request this counter showed (its QR text file, from `request make`): a code that
    /// answers it is accepted with "request_bound": true; a code answering another request is
    /// refused.
    #[arg(long, requires = "verifier_key")]
    request: Option<String>,
    /// The counter's own verifier key (the one that signed --request).
    #[arg(long, requires = "request")]
    verifier_key: Option<String>,
}

pub fn run_present(args: &PresentArgs) -> Result<ExitCode, Failure> {
    let license = Input::Credential.read(&args.license)?;
    let holder = load_private_key(&args.holder_key)?;
    let at = time_arg::at(args.at.as_deref())?;
    let names: Vec<&str> = args.disclose.iter().map(String::as_str).collect();
    let disclose = if args.disclose_all { Disclosure::All } else { Disclosure::Elements(&names) };
    let p = if args.mdoc {
        yinxin::present::present_mdoc_form(&license, &holder, disclose, at)
    } else {
        present(&license, &holder, disclose, at)
    }
    .map_err(|e| Failure::unreadable(&e, &args.license))?;
    let text = qr_text::encode(&p).map_err(|e| Failure::unreadable(&e, "encode"))?;
    if matches!(args.format, Format::Png) && args.out.is_none() {
        return Err(Failure::usage("--format png needs --out FILE"));
    }
    emit(&text, args.format, args.out.as_deref(), args.force)?;
    eprintln!(
        "{} characters, QR version {} at error correction M",
        text.len(),
        crate::commands::qr_image::version(&text)?
    );
    Ok(ExitCode::SUCCESS)
}

pub fn run_verify(args: &VerifyArgs) -> Result<ExitCode, Failure> {
    let at = time_arg::at(args.at.as_deref())?;
    let window = Duration::seconds(args.window);
    let guard = Arc::new(ReplayGuard::new(
        window.saturating_add(yinxin::present::DEFAULT_SKEW),
        yinxin::present::DEFAULT_REPLAY_CAPACITY,
    ));
    let options = crate::commands::verifying::Options {
        trust: &args.trust,
        lists: Some(&args.lists),
        status_lists: &args.status_lists,
        issuer_certs: &args.issuer_certs,
        accept_unknown_status: args.accept_unknown_status,
        window: Some(window),
        replay: Some(guard.clone()),
        ..Default::default()
    };
    let verifier = crate::commands::verifying::build(&options, at)?;
    let text = match (&args.qr_text, &args.image, args.stdin) {
        (Some(t), _, _) => t.clone(),
        (None, Some(path), _) => read_image(path)?,
        (None, None, true) => {
            let bytes = Input::QrText.read("-")?;
            String::from_utf8(bytes)
                .map_err(|_| Failure::usage("--stdin: the QR text is not text"))?
                .trim()
                .to_owned()
        }
        _ => return Err(Failure::usage("give the QR text, --image FILE or --stdin")),
    };
    // Held until this function returns: from reading the cache to writing it back.
    let _lock = args.replay_cache.as_deref().map(crate::commands::replay_cache::lock).transpose()?;
    if let Some(path) = &args.replay_cache {
        crate::commands::replay_cache::load(path, &guard, at)?;
    }
    let binding = match (&args.request, &args.verifier_key) {
        (Some(request), Some(key)) => {
            let text = String::from_utf8(Input::QrText.read(request)?)
                .map_err(|_| Failure::usage("--request: the request is not text"))?;
            let bytes = yinxin::present::request::request_from_text(&text)
                .map_err(|e| Failure::unreadable(&e, request))?;
            let key = crate::commands::key::load_private_key(key)?;
            Some(
                yinxin::present::request::RequestBinding::own(
                    &bytes,
                    Some(yinxin::crypto::Signer::public_key(&key)),
                )
                .map_err(|e| Failure::unreadable(&e, request))?,
            )
        }
        _ => None,
    };
    let result = match &binding {
        Some(b) => verifier.verify_qr_for_request(&text, at, b),
        None => verifier.verify_qr(&text, at),
    };
    if let Some(path) = &args.replay_cache {
        crate::commands::replay_cache::save(path, &guard)?;
    }
    let exit = match &result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) if e.is_unreadable() => ExitCode::from(EXIT_UNREADABLE),
        Err(_) => ExitCode::from(EXIT_INVALID),
    };
    if args.json {
        outln!("{}", yinxin::present::verdict::to_json(&result));
    }
    match &result {
        Ok(v) if !args.json => {
            let outcome = v.license().status_outcome();
            outln!("VALID\t{}\tcreated {}s ago", v.license().doc_type(), v.age().whole_seconds());
            outln!("status\t{}", crate::commands::license::status_line(outcome));
            if let Some(a) = v.agent() {
                outln!("agent\t{} ({}) on behalf of {}", a.name, a.id, a.entity);
            }
            if v.request_bound() {
                outln!("request\tanswers this counter's request");
            }
            if let Some(line) = crate::commands::verdict::trust_list_text(v.license().chain()) {
                outln!("trusted by\t{line}");
            }
            for items in v.license().elements().values() {
                for (k, val) in items {
                    outln!("{k}\t{}", crate::commands::verdict::element_text(val));
                }
            }
        }
        Ok(_) => {}
        Err(e) => {
            if !args.json {
                outln!("INVALID\t{}\t{e}", e.code());
            }
            eprintln!("error[{}]: {e}", e.code());
            if let Some(h) = match e {
                PresentError::License(l) => crate::commands::license::hint(l),
                _ => None,
            } {
                eprintln!("hint: {h}");
            }
        }
    }
    Ok(exit)
}
