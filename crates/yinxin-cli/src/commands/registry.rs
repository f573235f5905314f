//! `yinxin registry`, and the registry side of `yinxin license` and `yinxin status publish`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use time::{Duration, OffsetDateTime};
use yinxin::authority::ListValidity;
use yinxin::status::Status;
use yinxin::trust::Certificate;
use yinxin_registry::{AnyRegistry, Registry, RegistryConfig, RegistryError};

use crate::commands::authority::load_authority;
use crate::commands::time_arg::rfc3339;
use crate::failure::{EXIT_INVALID, Failure};

/// `status publish --valid-hours` at most (a year): a list lives no longer than that.
const MAX_VALID_HOURS: i64 = 24 * 366;

#[derive(Subcommand)]
pub enum RegistryCommand {
    /// List the registered licenses.
    List(ListArgs),
    /// Check the registry's integrity and invariants. Exit 0 when consistent, 1 otherwise.
    Check(CheckArgs),
    /// Show the audit log: every issuance and status change, oldest first.
    Log(LogArgs),
    /// Apply the schema migrations of a PostgreSQL registry (`--to URL`), and with `--from
    /// REG.db` copy a SQLite registry into it (refused when the target holds licenses).
    Migrate(MigrateArgs),
}

#[derive(Args)]
pub struct MigrateArgs {
    /// A SQLite registry to copy: every list, license, status and audit entry, with the same
    /// indices and the audit log in the same order.
    #[arg(long)]
    from: Option<PathBuf>,
    /// The PostgreSQL registry, postgres://user@host:port/db (migrated to the newest schema).
    #[arg(long)]
    to: String,
    /// Print {"schema_versions_applied", "copied", "problems"}.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct LogArgs {
    /// The registry: a SQLite file, or postgres://user@host:port/db.
    #[arg(long)]
    registry: PathBuf,
    /// Only this license (or seal) identifier.
    #[arg(long)]
    id: Option<String>,
    /// Only entries after this audit sequence number (e.g. the last one you saw).
    #[arg(long, default_value_t = 0)]
    after: i64,
    /// One JSON object per entry: {"sequence", "identifier", "from", "to", "actor", "reason",
    /// "at"}.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ListArgs {
    /// The registry: a SQLite file, or postgres://user@host:port/db.
    #[arg(long)]
    registry: PathBuf,
    /// One JSON object per license.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct CheckArgs {
    /// The registry: a SQLite file, or postgres://user@host:port/db.
    #[arg(long)]
    registry: PathBuf,
}

/// `yinxin license revoke|suspend|reinstate`.
#[derive(Args)]
pub struct ChangeArgs {
    /// The registry: a SQLite file, or postgres://user@host:port/db.
    #[arg(long)]
    registry: PathBuf,
    /// The license identifier.
    #[arg(long)]
    id: String,
    /// Why (kept in the audit log; required, not empty).
    #[arg(long)]
    reason: String,
    /// Who (kept in the audit log); default $USER.
    #[arg(long)]
    actor: Option<String>,
    /// Print {"identifier", "status", "sequence", "published": false} (verifiers see the change
    /// once the lists are published again) instead of the
    /// tab-separated line `<identifier> <STATUS> <audit sequence>`.
    #[arg(long)]
    json: bool,
}

/// `yinxin status publish`.
#[derive(Args)]
pub struct PublishArgs {
    /// The registry: a SQLite file, or postgres://user@host:port/db.
    #[arg(long)]
    registry: PathBuf,
    /// The authority directory whose issuer key signs the lists.
    #[arg(long)]
    authority: PathBuf,
    /// Directory to write the signed lists to (`<list number>.cwt`).
    #[arg(long)]
    out: PathBuf,
    /// `ttl` claim: seconds verifiers may cache a list.
    #[arg(long, default_value_t = 3600)]
    ttl: u64,
    /// `exp` claim: hours until the lists expire. Verifiers treat an expired list as status
    /// unknown: publish again well before then, on a schedule (e.g. hourly from cron).
    #[arg(long, default_value_t = 48, allow_negative_numbers = true)]
    valid_hours: i64,
}

pub fn run(cmd: RegistryCommand) -> Result<ExitCode, Failure> {
    match cmd {
        RegistryCommand::List(args) => list(&args),
        RegistryCommand::Check(args) => check(&args),
        RegistryCommand::Log(args) => log(&args),
        RegistryCommand::Migrate(args) => migrate(&args),
    }
}

fn migrate(args: &MigrateArgs) -> Result<ExitCode, Failure> {
    if !yinxin_registry::is_postgres_url(Path::new(&args.to)) {
        return Err(Failure::usage("--to takes a postgres://user@host:port/db URL"));
    }
    let applied =
        yinxin_registry::postgres::migrate_url(&args.to).map_err(|e| registry_failure(&e, "--to"))?;
    let mut copied = None;
    let mut problems = Vec::new();
    if let Some(from) = &args.from {
        if yinxin_registry::is_postgres_url(from) {
            return Err(Failure::usage("--from takes a SQLite registry file"));
        }
        let source = yinxin_registry::SqliteRegistry::open_existing(from)
            .map_err(|e| registry_failure(&e, from.display()))?;
        let mut target = yinxin_registry::PostgresRegistry::open(&args.to, source.config())
            .map_err(|e| registry_failure(&e, "--to"))?;
        if target.config() != source.config() {
            return Err(Failure::usage(format!(
                "the target registry was created for lists under {}, the source's are under {}",
                target.config().uri_base,
                source.config().uri_base
            )));
        }
        let n = target.import(&source).map_err(|e| registry_failure(&e, "--to"))?;
        problems = target.check_consistency().map_err(|e| registry_failure(&e, "check"))?;
        copied = Some(n);
    }
    if args.json {
        outln!(
            "{}",
            serde_json::json!({"schema_versions_applied": applied, "copied": copied, "problems": problems})
        );
    } else {
        outln!(
            "schema: {}",
            if applied.is_empty() { "up to date".to_owned() } else { format!("applied {applied:?}") }
        );
        if let Some(n) = copied {
            outln!(
                "copied {n} licenses from {}",
                args.from.as_deref().map(Path::display).map(|d| d.to_string()).unwrap_or_default()
            );
        }
        for p in &problems {
            outln!("{p}");
        }
    }
    Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_INVALID) })
}

/// A registry failure for the CLI: unknown licenses and broken databases are unreadable input
/// (exit 2); refused transitions and duplicates are failed checks (exit 1).
pub fn registry_failure(e: &RegistryError, context: impl std::fmt::Display) -> Failure {
    match e {
        RegistryError::Transition { .. } | RegistryError::Duplicate(_) => Failure::invalid(e, context),
        _ => Failure::unreadable(e, context),
    }
}

/// Opens the registry at `path` (a SQLite file, or a `postgres://user@host:port/db` URL),
/// creating it if missing. A new registry publishes its lists
/// under `uri_base`, by default under the issuer's own code
/// (`https://status.example.gov.cn/<USCC>/lists`) so that two authorities never share a URI; an
/// existing one keeps the base it was created with.
pub fn open(path: &Path, uri_base: Option<&str>, issuer: &Certificate) -> Result<AnyRegistry, Failure> {
    let config = match uri_base {
        Some(base) => RegistryConfig::new(base),
        None => RegistryConfig::for_authority(&yinxin::status::issuer_id(Some(issuer))),
    };
    AnyRegistry::open(path, &config).map_err(|e| registry_failure(&e, shown(path)))
}

fn open_existing(path: &Path) -> Result<AnyRegistry, Failure> {
    AnyRegistry::open_existing(path).map_err(|e| registry_failure(&e, shown(path)))
}

/// A registry location for messages: a URL without its password.
pub fn shown(path: &Path) -> String {
    yinxin_registry::postgres::redact(&path.to_string_lossy())
}

fn list(args: &ListArgs) -> Result<ExitCode, Failure> {
    let reg = open_existing(&args.registry)?;
    for r in reg.licenses().map_err(|e| registry_failure(&e, "list"))? {
        if args.json {
            outln!(
                "{}",
                serde_json::json!({
                    "license_identifier": r.identifier,
                    "status": r.status.name(),
                    "status_list": r.slot.uri,
                    "index": r.slot.index,
                    "holder_code": r.holder_code,
                    "doc_type": r.doc_type,
                    "issued_at": r.issued_at.unix_timestamp(),
                    "updated_at": r.updated_at.unix_timestamp(),
                })
            );
        } else {
            outln!("{}\t{}\t{}\t{}", r.identifier, r.status.name(), r.slot.uri, r.slot.index);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn check(args: &CheckArgs) -> Result<ExitCode, Failure> {
    let reg = open_existing(&args.registry)?;
    let problems = reg.check_consistency().map_err(|e| registry_failure(&e, "check"))?;
    for p in &problems {
        outln!("{p}");
    }
    if problems.is_empty() {
        outln!("consistent");
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(EXIT_INVALID))
    }
}

/// Applies a status change; prints `<id> <STATUS> <audit sequence>` once committed, and on
/// stderr what the number is and that verifiers see the change only once the lists are
/// published again.
pub fn change(args: &ChangeArgs, to: Status) -> Result<ExitCode, Failure> {
    if args.reason.trim().is_empty() {
        return Err(registry_failure(&RegistryError::ReasonMissing, "--reason"));
    }
    let mut reg = open_existing(&args.registry)?;
    let actor = args.actor.clone().or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "cli".into());
    let entry =
        reg.set_status(&args.id, to, &actor, &args.reason).map_err(|e| registry_failure(&e, &args.id))?;
    if args.json {
        outln!(
            "{}",
            serde_json::json!({
                "identifier": entry.identifier,
                "status": entry.to.name(),
                "sequence": entry.sequence,
                "published": false,
            })
        );
    } else {
        outln!("{}\t{}\t{}", entry.identifier, entry.to.name(), entry.sequence);
    }
    eprintln!(
        "recorded as audit log entry {} (yinxin registry log --registry {} --id {}).\n\
         Verifiers see the change only once the status lists are published again: \
         yinxin status publish --registry {} --authority DIR --out DIR",
        entry.sequence,
        shown(&args.registry),
        entry.identifier,
        shown(&args.registry)
    );
    Ok(ExitCode::SUCCESS)
}

fn log(args: &LogArgs) -> Result<ExitCode, Failure> {
    let reg = open_existing(&args.registry)?;
    let print = |e: &yinxin_registry::AuditEntry| {
        let from = e.from.map(|s| s.name());
        if args.json {
            outln!(
                "{}",
                serde_json::json!({
                    "sequence": e.sequence,
                    "identifier": e.identifier,
                    "from": from,
                    "to": e.to.name(),
                    "actor": e.actor,
                    "reason": e.reason,
                    "at": rfc3339(e.at),
                })
            );
        } else {
            let change =
                from.map_or_else(|| format!("issued {}", e.to.name()), |f| format!("{f} -> {}", e.to.name()));
            outln!(
                "{}\t{}\t{}\t{change}\t{}\t{}",
                e.sequence,
                rfc3339(e.at),
                e.identifier,
                e.actor,
                e.reason
            );
        }
    };
    if let Some(id) = &args.id {
        if reg.license(id).map_err(|e| registry_failure(&e, "log"))?.is_none() {
            return Err(registry_failure(&RegistryError::NotFound(id.clone()), "log"));
        }
        reg.audit(id)
            .map_err(|e| registry_failure(&e, "log"))?
            .iter()
            .filter(|e| e.sequence > args.after)
            .for_each(print);
        return Ok(ExitCode::SUCCESS);
    }
    // A page at a time: a registry of a million licenses has a million issuance entries.
    let mut after = args.after;
    loop {
        let page = reg.audit_log(after, 1000).map_err(|e| registry_failure(&e, "log"))?;
        let Some(last) = page.last() else { break };
        after = last.sequence;
        page.iter().for_each(print);
    }
    Ok(ExitCode::SUCCESS)
}

/// Signs every list of the registry into `out`.
pub fn publish(args: &PublishArgs) -> Result<ExitCode, Failure> {
    let reg = open_existing(&args.registry)?;
    let authority = load_authority(&args.authority, None)?;
    std::fs::create_dir_all(&args.out).map_err(|e| Failure::io(&e, args.out.display()))?;
    let now = OffsetDateTime::now_utc();
    if args.valid_hours <= 0 || args.valid_hours > MAX_VALID_HOURS {
        return Err(Failure::usage(format!(
            "--valid-hours {}: give 1 to {MAX_VALID_HOURS} hours (a list must not be expired when published)",
            args.valid_hours
        )));
    }
    let expires = crate::commands::time_arg::after(now, Duration::hours(args.valid_hours), "--valid-hours")?;
    let validity = ListValidity {
        ttl: Duration::seconds(i64::try_from(args.ttl).unwrap_or(i64::MAX)),
        valid_for: Duration::hours(args.valid_hours),
    };
    let published = authority.publish(&reg, validity, now).map_err(|e| Failure::unreadable(&e, "publish"))?;
    for list in published {
        let name: String = list
            .uri
            .rsplit('/')
            .next()
            .unwrap_or("list")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let path = args.out.join(format!("{name}.cwt"));
        crate::commands::output::replace_atomically(&path, &list.token)?;
        outln!("{}\t{}\t{} bytes\t{} set", list.uri, path.display(), list.token.len(), list.set);
    }
    eprintln!(
        "the lists expire {} ({} h from now): verifiers then answer status unknown. Publish again \
         before then, on a schedule (e.g. hourly), and after every revocation or suspension.",
        rfc3339(expires),
        args.valid_hours
    );
    Ok(ExitCode::SUCCESS)
}
