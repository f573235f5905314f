//! `license issue-batch`: one license per input line, issued a chunk at a time through the
//! core's `Authority::issue_recorded`, each chunk one registry transaction; a chunk with a
//! refused license is issued again one by one so that only that line is refused.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use yinxin::ErrorCode;
use yinxin::authority::Issuance;
use yinxin::crypto::{PublicKey, SoftwareKey};
use yinxin::license::{IssueOptions, LicenseData};
use yinxin_registry::{AnyRegistry, Registry};

use crate::commands::authority::load_authority;
use crate::commands::batch_tally::Tally;
use crate::commands::issue::{credential_path, write_and_ack};
use crate::commands::key::{load_holder_key, parse_holder_key};
use crate::commands::registry::{open, registry_failure};
use crate::failure::{EXIT_INVALID, Failure};
use crate::input::Input;

/// Licenses per transaction in `issue-batch`.
const BATCH: usize = 256;

#[derive(Args)]
pub struct BatchArgs {
    /// The authority directory (from `authority init`).
    #[arg(long)]
    authority: PathBuf,
    /// The registry (created if missing): a SQLite file, or postgres://user@host:port/db.
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
    /// Status lists of a new registry are published under this URI (default
    /// `https://status.example.gov.cn/<issuer USCC>/lists`); an existing registry keeps its own.
    #[arg(long)]
    status_uri_base: Option<String>,
    /// Who issues (audit log); default $USER.
    #[arg(long)]
    actor: Option<String>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
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
    let authority = load_authority(&args.authority, args.actor.as_deref())?;
    let base = Path::new(&args.input).parent().map(Path::to_path_buf).unwrap_or_default();
    let mut keys = HolderKeys { args, base, loaded: std::collections::HashMap::new() };
    if let Some(p) = &args.holder_key {
        // Unreadable before anything is issued, not on every line.
        let key = load_holder_key(p)?;
        keys.loaded.insert(PathBuf::from(p), key);
    }
    let mut reg = open(&args.registry, args.status_uri_base.as_deref(), authority.certificate())?;
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
    reg: &mut AnyRegistry,
    authority: &yinxin::Authority<SoftwareKey>,
    tally: &mut Tally,
    bar: &indicatif::ProgressBar,
) -> Result<(), Failure> {
    let mut chunk = Chunk::default();
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
        chunk.lines.push(line_no);
        chunk.issuances.push(Issuance { data, holder, options });
        if chunk.lines.len() == BATCH {
            flush(reg, authority, &args.out_dir, &mut chunk, tally)?;
            bar.inc(BATCH as u64);
        }
    }
    let last = chunk.lines.len() as u64;
    flush(reg, authority, &args.out_dir, &mut chunk, tally)?;
    bar.inc(last);
    Ok(())
}

/// Licenses read and not yet issued, with their input lines.
#[derive(Default)]
struct Chunk {
    lines: Vec<usize>,
    issuances: Vec<Issuance>,
}

/// Issues a chunk in one transaction; if anything in it is refused, issues its licenses one
/// by one to isolate the refusals.
fn flush(
    reg: &mut AnyRegistry,
    authority: &yinxin::Authority<SoftwareKey>,
    out_dir: &Path,
    chunk: &mut Chunk,
    tally: &mut Tally,
) -> Result<(), Failure> {
    if chunk.issuances.is_empty() {
        return Ok(());
    }
    match authority.issue_recorded(reg, &chunk.issuances) {
        Ok(done) => {
            write_and_ack(out_dir, &done)?;
            tally.issued(&done);
        }
        Err(_) => {
            for (line, issuance) in chunk.lines.iter().zip(&chunk.issuances) {
                match authority.issue_recorded(reg, std::slice::from_ref(issuance)) {
                    Ok(done) => {
                        write_and_ack(out_dir, &done)?;
                        tally.issued(&done);
                    }
                    Err(e) => tally.refuse(
                        *line,
                        e.code(),
                        &format!("{e} ({})", issuance.data.meta.license_identifier),
                    )?,
                }
            }
        }
    }
    chunk.lines.clear();
    chunk.issuances.clear();
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
