//! Issuing licenses through the registry: `license issue --registry` and `license issue-batch`.
//!
//! Each batch runs in one registry transaction: status slots are allocated, the licenses are
//! signed with them (on every core), the records are committed, then the credential files are
//! written, and only then is `<license identifier> <status index>` printed: that line is the
//! acknowledgement that the issuance is durable.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use yinxin::ErrorCode;
use yinxin::crypto::{PublicKey, SoftwareKey};
use yinxin::license::{IssueOptions, IssuedLicense, LicenseData, LicenseIssuer, StatusReference};
use yinxin_registry::{IssuedRecord, Registry, RegistryError, SqliteRegistry, StatusSlot};

use crate::commands::authority::load_issuer;
use crate::commands::key::load_private_key;
use crate::commands::key::{load_holder_key, parse_holder_key};
use crate::commands::registry::{DEFAULT_URI_BASE, open, registry_failure};
use crate::failure::{EXIT_INVALID, Failure};
use crate::input::Input;

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
    /// One license per line, in the JSON shape of the reference licenses
    /// (docs/license-json.md). A line may carry its own holder key as "holder_key": a PEM
    /// text or the path of a key file (relative to the input file's directory).
    #[arg(long)]
    input: String,
    /// The holder's public key for lines without their own (no "holder_key", no key in
    /// --holder-key-dir).
    #[arg(long)]
    holder_key: Option<String>,
    /// A directory of holder keys named `<holder_code>.pem`, for lines without "holder_key".
    #[arg(long)]
    holder_key_dir: Option<PathBuf>,
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

/// One license to issue: its input line (1-based), data, options and holder key.
struct Item {
    line: usize,
    data: LicenseData,
    options: IssueOptions,
    holder: PublicKey,
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
    items: &[Item],
) -> Result<Vec<(IssuedRecord, IssuedLicense)>, RegistryError> {
    let mut issued: Vec<IssuedLicense> = Vec::new();
    let records = reg.issue_batch(items.len(), &mut |slots: &[StatusSlot]| {
        let sign = |(item, slot): (&Item, &StatusSlot)| {
            let mut options = item.options.clone();
            options.status = Some(StatusReference { index: slot.index, uri: slot.uri.clone() });
            authority
                .issuer
                .issue(&item.data, &item.holder, &options)
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
                holder_code: item.data.meta.holder_code.clone(),
                doc_type: license.doc_type.clone(),
                slot: slot.clone(),
                actor: authority.actor.clone(),
            })
            .collect())
    })?;
    Ok(records.into_iter().zip(issued).collect())
}

/// Where `issue-batch` writes a license's credential.
fn credential_path(out_dir: &Path, identifier: &str) -> PathBuf {
    out_dir.join(format!("{identifier}.cbor"))
}

/// Writes the credentials of a committed chunk and acknowledges each one.
fn write_and_ack(out_dir: &Path, done: &[(IssuedRecord, IssuedLicense)]) -> Result<(), Failure> {
    for (record, license) in done {
        let path = credential_path(out_dir, &record.identifier);
        crate::commands::output::write_new(&path, &license.bytes, false, false)?;
    }
    for (record, _) in done {
        outln!("{} {}", record.identifier, record.slot.index);
    }
    Ok(())
}

/// One license for `license issue --registry`.
pub struct OneLicense<'a> {
    /// The authority directory.
    pub authority: &'a Path,
    /// The registry database and the status URI base of a new one.
    pub registry: &'a Path,
    /// Status lists of a new registry are published under this URI.
    pub uri_base: &'a str,
    /// The license data, read from `source`.
    pub data: LicenseData,
    /// Where the license data came from, for messages.
    pub source: &'a str,
    /// Issuance options (the status slot is the registry's).
    pub options: IssueOptions,
    /// The holder's key.
    pub holder: PublicKey,
    /// The credential file, and whether it may be replaced.
    pub out: &'a Path,
    /// Replace `out` if it exists.
    pub force: bool,
}

/// `license issue --registry`: one license, recorded before it is written. Returns the
/// credential and its status slot; the caller prints the acknowledgement.
pub fn issue_one(one: OneLicense<'_>) -> Result<(IssuedLicense, StatusSlot), Failure> {
    let authority = Authority::load(one.authority, None)?;
    let mut reg = open(one.registry, one.uri_base)?;
    let id = one.data.meta.license_identifier.clone();
    if reg.license(&id).map_err(|e| registry_failure(&e, one.registry.display()))?.is_some() {
        return Err(registry_failure(&RegistryError::Duplicate(id), one.registry.display()));
    }
    let item = Item { line: 0, data: one.data, options: one.options, holder: one.holder };
    let done = issue_chunk(&mut reg, &authority, std::slice::from_ref(&item))
        .map_err(|e| registry_failure(&e, one.source))?;
    let (record, license) = done.into_iter().next().ok_or_else(|| Failure::usage("nothing was issued"))?;
    crate::commands::output::write_new(one.out, &license.bytes, one.force, false)?;
    Ok((license, record.slot))
}

/// After this many lines in a row failed with the same code before anything was issued, the
/// cause is not in the lines (a wrong authority, the wrong input): `issue-batch` stops.
const STOP_AFTER_SAME_ERROR: usize = 10;
/// Refused line numbers listed in the summary at most.
const SUMMARY_LINES: usize = 20;

/// What usually makes every line of a batch fail with `code`.
fn likely_cause(code: &str) -> &'static str {
    match code {
        "registry.duplicate" => {
            "was this input issued already? `yinxin registry list` shows what the registry holds"
        }
        "license.issuer_code_mismatch" | "license.certificate_not_valid" => {
            "is --authority the one that issues these licenses?"
        }
        c if c.starts_with("io.") || c.starts_with("crypto.") => "check the holder keys the lines name",
        _ => "fix what the first line's error says, then run the batch again",
    }
}

/// Counts what a batch did, reports each refusal with its line, and decides when to stop.
#[derive(Default)]
struct Tally {
    issued: usize,
    refused: Vec<usize>,
    streak: Option<(&'static str, usize)>,
    /// Warnings by code: how many licenses, and the first one's message (said once at the end,
    /// not once per line).
    warnings: std::collections::BTreeMap<&'static str, (usize, String)>,
}

impl Tally {
    /// Reports a refused line; fails when the same error has refused every line so far.
    fn refuse(&mut self, line: usize, code: &'static str, message: &str) -> Result<(), Failure> {
        eprintln!("error[{code}]: line {line}: {message}");
        self.refused.push(line);
        let count = match self.streak {
            Some((c, n)) if c == code => n + 1,
            _ => 1,
        };
        self.streak = Some((code, count));
        if self.issued == 0 && count >= STOP_AFTER_SAME_ERROR {
            return Err(Failure {
                code,
                message: format!(
                    "the first {count} lines all failed with {code}, so the cause is not in single \
                     lines ({}); stopped at line {line}, nothing was issued",
                    likely_cause(code)
                ),
                exit: EXIT_INVALID,
            });
        }
        Ok(())
    }

    /// Counts licenses issued (and acknowledged) and their warnings.
    fn issued(&mut self, done: &[(IssuedRecord, IssuedLicense)]) {
        self.issued += done.len();
        if !done.is_empty() {
            self.streak = None;
        }
        for w in done.iter().flat_map(|(_, license)| &license.warnings) {
            self.warn(w.code(), w.to_string());
        }
    }

    fn warn(&mut self, code: &'static str, message: String) {
        self.warnings.entry(code).or_insert((0, message)).0 += 1;
    }

    /// The closing summary on stderr: each kind of warning once, then the counts.
    fn summary(&self, out_dir: &Path, stopped: bool) {
        for (code, (count, first)) in &self.warnings {
            let licenses = if *count == 1 { "1 license".to_owned() } else { format!("{count} licenses") };
            eprintln!("warning[{code}]: {licenses}, e.g.: {first}");
        }
        let mut lines: Vec<String> =
            self.refused.iter().take(SUMMARY_LINES).map(ToString::to_string).collect();
        if self.refused.len() > SUMMARY_LINES {
            lines.push(format!("and {} more", self.refused.len() - SUMMARY_LINES));
        }
        let refused = if self.refused.is_empty() {
            "none refused".to_owned()
        } else {
            format!("{} refused (lines {})", self.refused.len(), lines.join(", "))
        };
        let stopped = if stopped { "; stopped early (the error below says why)" } else { "" };
        eprintln!(
            "issued {} licenses, {refused}{stopped}. Acknowledgements (\"<identifier> <status index>\", one per \
             durable issuance) are on standard output; credentials are in {}.",
            self.issued,
            out_dir.display()
        );
    }
}

/// Where a line's holder key comes from.
struct HolderKeys<'a> {
    args: &'a BatchArgs,
    base: PathBuf,
    loaded: std::collections::HashMap<PathBuf, PublicKey>,
}

/// The optional per-line key field.
#[derive(serde::Deserialize)]
struct LineKey {
    holder_key: Option<String>,
}

impl HolderKeys<'_> {
    /// The holder key for a line: its "holder_key" (PEM text or a path), else
    /// `--holder-key-dir/<holder_code>.pem`, else `--holder-key`.
    fn for_line(&mut self, json: &[u8], holder_code: &str) -> Result<PublicKey, Failure> {
        let field = serde_json::from_slice::<LineKey>(json).ok().and_then(|k| k.holder_key);
        if let Some(text) = field.as_deref().filter(|t| t.trim_start().starts_with("-----BEGIN")) {
            return parse_holder_key(text.as_bytes(), "holder_key");
        }
        let path = match (field, &self.args.holder_key_dir, &self.args.holder_key) {
            (Some(p), _, _) => self.base.join(p),
            (None, Some(dir), _) => dir.join(format!("{holder_code}.pem")),
            (None, None, Some(p)) => PathBuf::from(p),
            (None, None, None) => {
                return Err(Failure::usage(
                    "no holder key: give the line a \"holder_key\", or use --holder-key or --holder-key-dir",
                ));
            }
        };
        if let Some(key) = self.loaded.get(&path) {
            return Ok(key.clone());
        }
        let key = load_holder_key(&path.to_string_lossy())?;
        if self.loaded.len() < 4096 {
            self.loaded.insert(path, key.clone());
        }
        Ok(key)
    }
}

/// `license issue-batch`.
pub fn batch(args: &BatchArgs) -> Result<ExitCode, Failure> {
    let authority = Authority::load(&args.authority, args.actor.as_deref())?;
    let base = Path::new(&args.input).parent().map(Path::to_path_buf).unwrap_or_default();
    let mut keys = HolderKeys { args, base, loaded: std::collections::HashMap::new() };
    if let Some(p) = &args.holder_key {
        // Unreadable before anything is issued, not on every line.
        let key = load_holder_key(p)?;
        keys.loaded.insert(PathBuf::from(p), key);
    }
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
    let mut tally = Tally::default();
    let result = read_lines(args, reader, &mut keys, &mut reg, &authority, &mut tally, &bar);
    bar.finish_and_clear();
    tally.summary(&args.out_dir, result.is_err());
    result?;
    Ok(if tally.refused.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_INVALID) })
}

/// Reads, checks and issues every line, a chunk at a time.
fn read_lines(
    args: &BatchArgs,
    mut reader: Box<dyn std::io::BufRead>,
    keys: &mut HolderKeys<'_>,
    reg: &mut SqliteRegistry,
    authority: &Authority,
    tally: &mut Tally,
    bar: &indicatif::ProgressBar,
) -> Result<(), Failure> {
    let mut chunk: Vec<Item> = Vec::with_capacity(BATCH);
    let mut seen = std::collections::HashSet::new();
    let mut line_no = 0;
    let mut raw = Vec::new();
    while let Some(line) = next_line(&mut reader, &mut raw, &args.input, line_no + 1)? {
        line_no += 1;
        let Ok(line) = std::str::from_utf8(line) else {
            tally.refuse(line_no, "license.data", "the line is not UTF-8 text")?;
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        let data = match LicenseData::from_json(line.as_bytes()) {
            Ok(d) => d,
            Err(e) => {
                tally.refuse(line_no, e.code(), &e.to_string())?;
                continue;
            }
        };
        if let Err(e) = data.check() {
            tally.refuse(line_no, e.code(), &e.to_string())?;
            continue;
        }
        let id = data.meta.license_identifier.clone();
        let registered = reg.license(&id).map_err(|e| registry_failure(&e, "registry"))?.is_some();
        if registered || !seen.insert(id.clone()) {
            tally.refuse(line_no, "registry.duplicate", &format!("license {id} is already registered"))?;
            continue;
        }
        let path = credential_path(&args.out_dir, &id);
        if path.exists() {
            let e = crate::commands::output::exists(&path);
            tally.refuse(line_no, e.code, &e.message)?;
            continue;
        }
        let holder = match keys.for_line(line.as_bytes(), &data.meta.holder_code) {
            Ok(k) => k,
            Err(e) => {
                tally.refuse(line_no, e.code, &e.message)?;
                continue;
            }
        };
        if data.disclosure_sets.is_empty() {
            tally.warn(
                "license.no_disclosure_sets",
                format!(
                    "line {line_no} has no \"disclosure_sets\": its QR codes will be large general-form \
                     codes (QR version 37-40, hard to scan); name the element sets holders show \
                     (docs/license-json.md)"
                ),
            );
        }
        let options = IssueOptions { qr_sets: data.qr_sets(), ..IssueOptions::default() };
        chunk.push(Item { line: line_no, data, options, holder });
        if chunk.len() == BATCH {
            flush(reg, authority, &args.out_dir, &mut chunk, tally)?;
            bar.inc(BATCH as u64);
        }
    }
    let last = chunk.len() as u64;
    flush(reg, authority, &args.out_dir, &mut chunk, tally)?;
    bar.inc(last);
    Ok(())
}

/// Issues a chunk; if anything in it is refused, issues its items one by one to isolate the
/// refusals.
fn flush(
    reg: &mut SqliteRegistry,
    authority: &Authority,
    out_dir: &Path,
    chunk: &mut Vec<Item>,
    tally: &mut Tally,
) -> Result<(), Failure> {
    if chunk.is_empty() {
        return Ok(());
    }
    match issue_chunk(reg, authority, chunk) {
        Ok(done) => {
            write_and_ack(out_dir, &done)?;
            tally.issued(&done);
        }
        Err(_) => {
            for item in chunk.iter() {
                match issue_chunk(reg, authority, std::slice::from_ref(item)) {
                    Ok(done) => {
                        write_and_ack(out_dir, &done)?;
                        tally.issued(&done);
                    }
                    Err(e) => tally.refuse(
                        item.line,
                        e.code(),
                        &format!("{e} ({})", item.data.meta.license_identifier),
                    )?,
                }
            }
        }
    }
    chunk.clear();
    Ok(())
}

/// The next line of a batch (without its line break) in `buf`, or `None` at the end. A line
/// longer than a license in JSON may be stops the batch: the input is not JSON Lines (e.g.
/// `/dev/zero`), and its end cannot be looked for without reading without bound.
fn next_line<'b>(
    reader: &mut Box<dyn std::io::BufRead>,
    buf: &'b mut Vec<u8>,
    input: &str,
    line_no: usize,
) -> Result<Option<&'b [u8]>, Failure> {
    use std::io::{BufRead as _, Read as _};
    let limit = Input::LicenseJson.limit();
    buf.clear();
    let n = reader
        .by_ref()
        .take(limit + 1)
        .read_until(b'\n', buf)
        .map_err(|e| Failure::io(&e, format!("{input} line {line_no}")))?;
    if n == 0 {
        return Ok(None);
    }
    if buf.len() as u64 > limit && buf.last() != Some(&b'\n') {
        return Err(Input::LicenseJson.too_large(&format!("{input} line {line_no}")));
    }
    let line = buf.strip_suffix(b"\n").unwrap_or(buf);
    Ok(Some(line.strip_suffix(b"\r").unwrap_or(line)))
}

/// Lines in a regular file, for the progress bar (0 for a pipe or a device: unknown), counted
/// a block at a time.
fn count_lines(path: &str) -> u64 {
    use std::io::Read as _;
    let Ok(mut file) = std::fs::File::open(path) else { return 0 };
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return 0;
    }
    let mut block = vec![0u8; 64 * 1024];
    let mut lines = 0u64;
    while let Ok(n) = file.read(&mut block) {
        let Some(read) = block.get(..n).filter(|b| !b.is_empty()) else { break };
        lines += read.iter().filter(|b| **b == b'\n').count() as u64;
    }
    lines
}

fn progress(total: u64, quiet: bool) -> indicatif::ProgressBar {
    if quiet {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(Some(total), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} licenses, {rate}, eta {eta}")
    {
        // Whole licenses per second, as a person reads a rate (indicatif's {per_sec} prints
        // four decimals).
        bar.set_style(style.with_key(
            "rate",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}/s", state.per_sec());
            },
        ));
    }
    bar
}
