//! Issuing licenses through the registry: `license issue --registry` and `license issue-batch`.
//!
//! Each batch runs in one registry transaction: status slots are allocated, the licenses are
//! signed with them (on every core), the records are committed, then the credential files are
//! written, and only then is `<license identifier> <status index>` printed: that line is the
//! acknowledgement that the issuance is durable.

use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use yinxin::ErrorCode;
use yinxin::crypto::{PublicKey, SoftwareKey};
use yinxin::license::{IssueOptions, IssuedLicense, LicenseData, LicenseIssuer, StatusReference};
use yinxin_registry::{IssuedRecord, Registry, RegistryError, SqliteRegistry, StatusSlot};

use crate::commands::authority::load_issuer;
use crate::commands::key::load_private_key;
use crate::commands::license::load_holder_key;
use crate::commands::registry::{DEFAULT_URI_BASE, open, registry_failure};
use crate::failure::{EXIT_INVALID, Failure};

/// Licenses per transaction in `issue-batch`.
const BATCH: usize = 256;

#[derive(Args)]
pub struct BatchArgs {
    /// The authority directory (from `authority init`).
    #[arg(long)]
    authority: PathBuf,
    /// The registry database (created if missing).
    #[arg(long)]
    registry: PathBuf,
    /// One license per line, in the JSON shape of the reference licenses.
    #[arg(long)]
    input: String,
    /// The holder's public key for every license of the batch.
    #[arg(long)]
    holder_key: String,
    /// Where to write `<license identifier>.cbor` files.
    #[arg(long)]
    out_dir: PathBuf,
    /// Status lists of a new registry are published under this URI.
    #[arg(long, default_value = DEFAULT_URI_BASE)]
    status_uri_base: String,
    /// Who issues (audit log); default $USER.
    #[arg(long)]
    actor: Option<String>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// The issuing side: the authority's key and certificate.
pub struct Authority {
    issuer: LicenseIssuer<SoftwareKey>,
    actor: String,
}

impl Authority {
    /// Loads `dir` (from `authority init`).
    pub fn load(dir: &Path, actor: Option<&str>) -> Result<Self, Failure> {
        let authority = load_issuer(dir)?;
        let key = load_private_key(&dir.join("issuer.key.pem").to_string_lossy())?;
        let issuer = LicenseIssuer::new(key, vec![authority.certificate().clone()])
            .map_err(|e| Failure::unreadable(&e, dir.display()))?;
        let actor =
            actor.map(str::to_owned).or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "cli".into());
        Ok(Self { issuer, actor })
    }
}

/// Issues `items` in one registry transaction; returns the credentials, committed.
fn issue_chunk(
    reg: &mut SqliteRegistry,
    authority: &Authority,
    items: &[(LicenseData, IssueOptions)],
    holder: &PublicKey,
) -> Result<Vec<(IssuedRecord, IssuedLicense)>, RegistryError> {
    let mut issued: Vec<IssuedLicense> = Vec::new();
    let records = reg.issue_batch(items.len(), &mut |slots: &[StatusSlot]| {
        let sign = |(item, slot): (&(LicenseData, IssueOptions), &StatusSlot)| {
            let mut options = item.1.clone();
            options.status = Some(StatusReference { index: slot.index, uri: slot.uri.clone() });
            authority
                .issuer
                .issue(&item.0, holder, &options)
                .map_err(|e| RegistryError::Issue { code: e.code(), message: e.to_string() })
        };
        // Sign on every core: signatures are the cost of a batch.
        let threads = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, 8);
        let per = items.len().div_ceil(threads).max(1);
        let results: Vec<Result<IssuedLicense, RegistryError>> = std::thread::scope(|s| {
            let handles: Vec<_> = items
                .chunks(per)
                .zip(slots.chunks(per))
                .map(|(it, sl)| s.spawn(move || it.iter().zip(sl).map(sign).collect::<Vec<_>>()))
                .collect();
            handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
        });
        issued = results.into_iter().collect::<Result<_, _>>()?;
        if issued.len() != slots.len() {
            return Err(RegistryError::Issue {
                code: "license.encode",
                message: "a signing thread failed".into(),
            });
        }
        Ok(issued
            .iter()
            .zip(items)
            .zip(slots)
            .map(|((license, item), slot)| IssuedRecord {
                identifier: license.identifier.to_string(),
                holder_code: item.0.meta.holder_code.clone(),
                doc_type: license.doc_type.clone(),
                slot: slot.clone(),
                actor: authority.actor.clone(),
            })
            .collect())
    })?;
    Ok(records.into_iter().zip(issued).collect())
}

/// Writes the credentials of a committed chunk and acknowledges each one.
fn write_and_ack(out_dir: &Path, done: &[(IssuedRecord, IssuedLicense)]) -> Result<(), Failure> {
    for (record, license) in done {
        let path = out_dir.join(format!("{}.cbor", record.identifier));
        std::fs::write(&path, &license.bytes).map_err(|e| Failure::io(&e, path.display()))?;
    }
    for (record, _) in done {
        outln!("{} {}", record.identifier, record.slot.index);
    }
    Ok(())
}

/// `license issue --registry`: one license, recorded before it is written.
pub fn issue_one(
    authority_dir: &Path,
    registry: &Path,
    uri_base: &str,
    data: LicenseData,
    options: IssueOptions,
    holder: &PublicKey,
    out: &Path,
) -> Result<ExitCode, Failure> {
    let authority = Authority::load(authority_dir, None)?;
    let mut reg = open(registry, uri_base)?;
    if reg.license(&data.meta.license_identifier).map_err(|e| registry_failure(&e, "registry"))?.is_some() {
        return Err(registry_failure(
            &RegistryError::Duplicate(data.meta.license_identifier.clone()),
            "registry",
        ));
    }
    let done = issue_chunk(&mut reg, &authority, &[(data, options)], holder)
        .map_err(|e| registry_failure(&e, "issue"))?;
    for (record, license) in &done {
        std::fs::write(out, &license.bytes).map_err(|e| Failure::io(&e, out.display()))?;
        outln!("{} {}", record.identifier, record.slot.index);
    }
    Ok(ExitCode::SUCCESS)
}

/// `license issue-batch`.
pub fn batch(args: &BatchArgs) -> Result<ExitCode, Failure> {
    let authority = Authority::load(&args.authority, args.actor.as_deref())?;
    let holder = load_holder_key(&args.holder_key)?;
    let mut reg = open(&args.registry, &args.status_uri_base)?;
    std::fs::create_dir_all(&args.out_dir).map_err(|e| Failure::io(&e, args.out_dir.display()))?;
    let reader: Box<dyn std::io::BufRead> = if args.input == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(&args.input).map_err(|e| Failure::io(&e, &args.input))?,
        ))
    };
    let total = if args.input == "-" { 0 } else { count_lines(&args.input) };
    let bar = progress(total, args.quiet);
    let mut refused = 0usize;
    let mut chunk: Vec<(LicenseData, IssueOptions)> = Vec::with_capacity(BATCH);
    let mut seen = std::collections::HashSet::new();
    for (n, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| Failure::io(&e, &args.input))?;
        if line.trim().is_empty() {
            continue;
        }
        let data = match LicenseData::from_json(line.as_bytes()) {
            Ok(d) => d,
            Err(e) => {
                refused += 1;
                eprintln!("error[{}]: line {}: {e}", e.code(), n + 1);
                continue;
            }
        };
        let id = data.meta.license_identifier.clone();
        let registered = reg.license(&id).map_err(|e| registry_failure(&e, "registry"))?.is_some();
        if registered || !seen.insert(id.clone()) {
            refused += 1;
            eprintln!("error[registry.duplicate]: line {}: license {id} is already registered", n + 1);
            continue;
        }
        let options = IssueOptions { qr_sets: data.qr_sets(), ..IssueOptions::default() };
        chunk.push((data, options));
        if chunk.len() == BATCH {
            refused += flush(&mut reg, &authority, &holder, &args.out_dir, &mut chunk)?;
            bar.inc(BATCH as u64);
        }
    }
    let last = chunk.len() as u64;
    refused += flush(&mut reg, &authority, &holder, &args.out_dir, &mut chunk)?;
    bar.inc(last);
    bar.finish_and_clear();
    Ok(if refused == 0 { ExitCode::SUCCESS } else { ExitCode::from(EXIT_INVALID) })
}

/// Issues a chunk; if anything in it is refused, issues its items one by one to isolate the
/// refusals. Returns how many were refused.
fn flush(
    reg: &mut SqliteRegistry,
    authority: &Authority,
    holder: &PublicKey,
    out_dir: &Path,
    chunk: &mut Vec<(LicenseData, IssueOptions)>,
) -> Result<usize, Failure> {
    let mut refused = 0;
    if chunk.is_empty() {
        return Ok(0);
    }
    match issue_chunk(reg, authority, chunk, holder) {
        Ok(done) => write_and_ack(out_dir, &done)?,
        Err(_) => {
            for item in chunk.iter() {
                match issue_chunk(reg, authority, std::slice::from_ref(item), holder) {
                    Ok(done) => write_and_ack(out_dir, &done)?,
                    Err(e) => {
                        refused += 1;
                        eprintln!("error[{}]: {} ({})", e.code(), e, item.0.meta.license_identifier);
                    }
                }
            }
        }
    }
    chunk.clear();
    Ok(refused)
}

fn count_lines(path: &str) -> u64 {
    std::fs::File::open(path).map(|f| std::io::BufReader::new(f).lines().count() as u64).unwrap_or(0)
}

fn progress(total: u64, quiet: bool) -> indicatif::ProgressBar {
    if quiet {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(Some(total), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} licenses, {per_sec}, eta {eta}")
    {
        bar.set_style(style);
    }
    bar
}
