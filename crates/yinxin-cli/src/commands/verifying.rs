//! The verifying commands' options as one core [`yinxin::Verifier`]: `--trust` anchors,
//! `--status-list` tokens (each verified under the anchors, its signer then a known issuer),
//! `--issuer-cert`, `--intermediates`, `--accept-unknown-status`, `--window` and a replay guard.
//! `license verify`, `verify`, `seal verify`, `seal inspect` and `ofd verify` all build theirs
//! here.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use time::{Duration, OffsetDateTime};
use yinxin::fetch::SourceOutcome;
use yinxin::present::ReplayGuard;
use yinxin::trust::list::TrustListError;
use yinxin::{ErrorCode, Verifier};

use crate::failure::{EXIT_INVALID, EXIT_UNREADABLE, Failure};
use crate::input::Input;

/// Trust from trust lists: `--trust-list`, `--list-anchor`, `--cache` (`verify` and
/// `license verify`).
#[derive(Args, Default)]
pub struct TrustListArgs {
    /// A trust list, by URL (fetched) or file; repeatable (e.g. Sichuan's and Chongqing's).
    /// The authorities it lists are trusted for the license types it allows them, and the
    /// status list a license names is fetched by its URI.
    #[arg(long = "trust-list", value_name = "URL_OR_FILE")]
    pub trust_lists: Vec<String>,
    /// A list operator's root certificate (PEM): which trust lists to believe; repeatable.
    #[arg(long = "list-anchor", value_name = "ROOT.pem")]
    pub list_anchors: Vec<String>,
    /// Keep fetched trust and status lists in DIR and use them offline until they expire
    /// (also the record of trust list issues accepted, against rollback).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Use a trust list this many hours past its next update (default 0).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(i64).range(0..=24 * 366))]
    pub trust_list_grace_hours: i64,
}

/// What a verifying command was told.
#[derive(Default)]
pub struct Options<'a> {
    /// `--trust ROOT.pem`, repeated.
    pub trust: &'a [String],
    /// `--intermediates CA.pem`.
    pub intermediates: Option<&'a str>,
    /// `--status-list FILE`, repeated.
    pub status_lists: &'a [String],
    /// `--issuer-cert FILE`, repeated.
    pub issuer_certs: &'a [String],
    /// `--accept-unknown-status`.
    pub accept_unknown_status: bool,
    /// `--strict` (seals: the maker's certificate valid at the seal's createDate too).
    pub strict_seals: bool,
    /// `--tsa-trust TSA.pem`, repeated.
    pub tsa_trust: &'a [String],
    /// `--window`.
    pub window: Option<Duration>,
    /// A replay guard loaded from `--replay-cache`.
    pub replay: Option<Arc<ReplayGuard>>,
    /// `--trust-list`, `--list-anchor`, `--cache`.
    pub lists: Option<&'a TrustListArgs>,
}

/// The verifier the options describe, its status lists verified at `at`.
pub fn build(o: &Options<'_>, at: OffsetDateTime) -> Result<Verifier, Failure> {
    let mut builder =
        Verifier::builder().accept_unknown_status(o.accept_unknown_status).strict_seals(o.strict_seals);
    let from_lists = o.lists.is_some_and(|l| !l.trust_lists.is_empty());
    if o.trust.is_empty() && !from_lists && !o.status_lists.is_empty() {
        return Err(Failure::usage("--status-list needs --trust (or --trust-list) to verify the lists"));
    }
    for path in o.trust {
        builder = builder
            .trust_anchors_pem(&Input::Certificates.read(path)?)
            .map_err(|e| Failure::unreadable(&e, path))?;
    }
    for path in o.tsa_trust {
        builder = builder
            .tsa_anchors_pem(&Input::Certificates.read(path)?)
            .map_err(|e| Failure::unreadable(&e, path))?;
    }
    if let Some(path) = o.intermediates {
        builder = builder
            .intermediates_pem(&Input::Certificates.read(path)?)
            .map_err(|e| Failure::unreadable(&e, path))?;
    }
    if let Some(window) = o.window {
        builder = builder.window(window);
    }
    if let Some(guard) = &o.replay {
        builder = builder.replay_guard(guard.clone());
    }
    let mut list_files = Vec::new();
    if let Some(lists) = o.lists {
        builder = trust_lists(builder, lists, &mut list_files)?;
    }
    let verifier = builder.build().map_err(|e| match e {
        yinxin::VerifierError::Window(_) | yinxin::VerifierError::Config(_) => Failure::usage(e.to_string()),
        other => Failure::unreadable(&other, "--cache"),
    })?;
    for path in &list_files {
        let bytes = Input::TrustList.read(path)?;
        verifier.add_trust_list(&bytes, at).map_err(|e| list_failure(&e, path))?;
    }
    refresh(&verifier, at)?;
    for path in o.status_lists {
        let token = Input::StatusList.read(path)?;
        verifier.add_status_list(&token, at).map_err(|e| Failure::unreadable(&e, path))?;
    }
    for path in o.issuer_certs {
        for cert in yinxin::trust::parse_pem_certificates(&Input::Certificates.read(path)?)
            .map_err(|e| Failure::unreadable(&e, path))?
        {
            verifier.add_issuer_certificate(cert);
        }
    }
    Ok(verifier)
}

fn trust_lists(
    mut builder: yinxin::VerifierBuilder,
    lists: &TrustListArgs,
    files: &mut Vec<String>,
) -> Result<yinxin::VerifierBuilder, Failure> {
    if !lists.trust_lists.is_empty() && lists.list_anchors.is_empty() {
        return Err(Failure::usage(
            "--trust-list needs --list-anchor ROOT.pem: the root of the operator that signs the list",
        ));
    }
    for path in &lists.list_anchors {
        builder = builder
            .list_operators_pem(&Input::Certificates.read(path)?)
            .map_err(|e| Failure::unreadable(&e, path))?;
    }
    builder = builder.trust_list_grace(Duration::hours(lists.trust_list_grace_hours));
    for source in &lists.trust_lists {
        if source.starts_with("http://") || source.starts_with("https://") {
            builder = builder.trust_list_url(source.clone());
        } else {
            files.push(source.clone());
        }
    }
    // Licenses trusted through lists name status lists by URI: fetch them (and keep copies).
    if !lists.trust_lists.is_empty() || lists.cache.is_some() {
        builder = builder.fetch_over_http();
    }
    if let Some(dir) = &lists.cache {
        builder = builder.cache_dir(dir.clone());
    }
    Ok(builder)
}

/// A trust list that is refused stops the command: without it the verdict would blame the
/// license ("untrusted root") for what is the list's fault.
fn list_failure(e: &TrustListError, source: &str) -> Failure {
    let unreadable = matches!(e, TrustListError::TooLarge(_) | TrustListError::Malformed(_));
    Failure {
        code: e.code(),
        message: format!("{source}: {e}"),
        exit: if unreadable { EXIT_UNREADABLE } else { EXIT_INVALID },
    }
}

/// Fetches the trust lists given by URL. A source that fails while an earlier copy is in use
/// is a warning; one that leaves nothing to trust stops the command.
fn refresh(verifier: &Verifier, at: OffsetDateTime) -> Result<(), Failure> {
    for report in verifier.refresh_trust_lists(at, true) {
        if let SourceOutcome::Failed { code, message, cached } = report.outcome {
            if cached {
                eprintln!("warning[{code}]: {}: {message}; using the copy kept from before", report.url);
            } else {
                let exit = if code.starts_with("trust_list.") { EXIT_INVALID } else { EXIT_UNREADABLE };
                return Err(Failure { code, message: format!("{}: {message}", report.url), exit });
            }
        }
    }
    Ok(())
}
