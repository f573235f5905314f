//! `yinxin trust-list make|verify`: a region's list operator signs which authorities it trusts
//! for which license types; anyone checks a list (yinxin's or a real VICAL) against the
//! operator's root.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};
use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode;
use yinxin::trust::list::{
    TrustList, TrustListEntry, TrustListError, TrustListVerifier, VerifiedTrustList, doc_type_of,
    read_unverified, region_subdivision, type_label,
};
use yinxin::trust::{Certificate, TrustStore, parse_pem_certificates};

use crate::commands::key::load_private_key;
use crate::commands::time_arg::{self, rfc3339};
use crate::failure::{EXIT_INVALID, EXIT_UNREADABLE, Failure};
use crate::input::Input;

/// `--next-update-days` at most: a list says when the next one comes within a year.
const MAX_NEXT_UPDATE_DAYS: i64 = 366;

#[derive(Subcommand)]
pub enum TrustListCommand {
    /// Sign a trust list (ISO 18013-5 VICAL) as a region's list operator.
    Make(MakeArgs),
    /// Verify a trust list against the operator's root. Exit 0 valid, 1 invalid, 2 unreadable.
    Verify(VerifyArgs),
}

#[derive(Args)]
pub struct MakeArgs {
    /// The operator's signing key (PEM or DER).
    #[arg(long)]
    signer_key: String,
    /// The operator's signing certificate (the key's).
    #[arg(long)]
    signer_cert: String,
    /// CA certificates between the signing certificate and the operator's root (PEM bundle),
    /// sent in x5chain after it.
    #[arg(long)]
    chain: Option<String>,
    /// The operator's name (vicalProvider), e.g. "四川省电子证照信任列表".
    #[arg(long)]
    provider: String,
    /// The region the operator speaks for: GB/T 2260 division code, e.g. 510000 (Sichuan),
    /// 500000 (Chongqing).
    #[arg(long)]
    region: String,
    /// The issue id: higher than every list issued before (verifiers refuse lower ones).
    #[arg(long)]
    issue_id: u64,
    /// Days until the next issue (nextUpdate); past it verifiers treat the list as stale.
    #[arg(long, value_parser = clap::value_parser!(i64).range(1..=MAX_NEXT_UPDATE_DAYS))]
    next_update_days: i64,
    /// An authority and what it may issue: CERT.pem:TYPE_CODE[,TYPE_CODE…] (license type codes,
    /// or document types such as org.iso.18013.5.1.mDL or cn.gov.eseal). Repeatable.
    #[arg(long = "entry", value_name = "CERT.pem:TYPES")]
    entries: Vec<String>,
    /// Where to write the list. It is replaced atomically (a server may be serving it); an
    /// existing list of the same provider with the same or a higher issue id is kept unless
    /// --force.
    #[arg(long)]
    out: PathBuf,
    /// The list's date (RFC 3339, or a date taken as midnight Beijing time), default now.
    #[arg(long)]
    at: Option<String>,
    /// Replace the output even if it is a newer issue.
    #[arg(long)]
    force: bool,
    /// Print {"out", "provider", "region", "issue_id", "date", "next_update", "entries", "bytes"}.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// The signed list (COSE_Sign1; `-` for stdin).
    list: String,
    /// The list operator's root certificate(s), PEM or DER; repeatable.
    #[arg(long, required = true)]
    anchor: Vec<String>,
    /// Verification time (RFC 3339, or a date taken as midnight Beijing time), default now.
    #[arg(long)]
    at: Option<String>,
    /// Accept the list this many hours past its nextUpdate (default 0).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(i64).range(0..=24 * 366))]
    grace_hours: i64,
    /// Print {"valid", "error"?, "message"?, "provider", "region", "issue_id", "date",
    /// "next_update", "operator", "entries": [{"subject", "uscc"?, "types", …}], "skipped"}.
    #[arg(long)]
    json: bool,
}

pub fn run(cmd: TrustListCommand) -> Result<ExitCode, Failure> {
    match cmd {
        TrustListCommand::Make(args) => make(&args),
        TrustListCommand::Verify(args) => verify(&args),
    }
}

fn certificate(path: &str) -> Result<Certificate, Failure> {
    Certificate::from_pem_or_der(&Input::Certificates.read(path)?).map_err(|e| Failure::unreadable(&e, path))
}

/// `CERT.pem:TYPE[,TYPE…]`, split at the last colon (a path may hold colons, types never do).
fn entry(spec: &str) -> Result<TrustListEntry, Failure> {
    let (path, types) = spec
        .rsplit_once(':')
        .ok_or_else(|| Failure::usage(format!("--entry {spec:?}: give CERT.pem:TYPE_CODE[,TYPE_CODE…]")))?;
    let doc_types = types
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| doc_type_of(t).map_err(|e| Failure::unreadable(&e, format!("--entry {spec}"))))
        .collect::<Result<Vec<_>, _>>()?;
    if doc_types.is_empty() {
        return Err(Failure::usage(format!("--entry {spec:?}: name at least one license type code")));
    }
    Ok(TrustListEntry::for_certificate(&certificate(path)?, doc_types))
}

fn make(args: &MakeArgs) -> Result<ExitCode, Failure> {
    let subdivision = region_subdivision(&args.region).map_err(|e| Failure::unreadable(&e, "--region"))?;
    let date = time_arg::at(args.at.as_deref())?;
    let next_update = time_arg::after(date, Duration::days(args.next_update_days), "--next-update-days")?;
    let mut list = TrustList::new(&args.provider, args.issue_id, date, next_update);
    list.region = Some(args.region.clone());
    for spec in &args.entries {
        let mut e = entry(spec)?;
        e.state_or_province = Some(subdivision.to_owned());
        list.entries.push(e);
    }
    let key = load_private_key(&args.signer_key)?;
    let mut chain = vec![certificate(&args.signer_cert)?];
    if let Some(path) = &args.chain {
        chain.extend(
            parse_pem_certificates(&Input::Certificates.read(path)?)
                .map_err(|e| Failure::unreadable(&e, path))?,
        );
    }
    if !args.force {
        refuse_older_issue(args)?;
    }
    let bytes = list.sign(&key, &chain).map_err(|e| Failure::unreadable(&e, "trust list"))?;
    crate::commands::output::replace_atomically(&args.out, &bytes)?;
    let next = rfc3339(next_update);
    if args.json {
        outln!(
            "{}",
            json!({"out": args.out.display().to_string(), "provider": list.provider, "region": list.region,
                   "issue_id": args.issue_id, "date": rfc3339(date), "next_update": next,
                   "entries": list.entries.len(), "bytes": bytes.len()})
        );
    } else {
        outln!(
            "{}\tissue {}\t{} authorities\tnext update {next}",
            args.out.display(),
            args.issue_id,
            list.entries.len()
        );
    }
    eprintln!(
        "publish it before {next} (e.g. yinxin serve --dir DIR, or any web server): verifiers refuse the \
         list once it is stale, and a new issue needs a higher --issue-id"
    );
    Ok(ExitCode::SUCCESS)
}

/// An existing output from the same provider with the same or a higher issue id is kept:
/// replacing it would publish a rollback.
fn refuse_older_issue(args: &MakeArgs) -> Result<(), Failure> {
    let Ok(existing) = std::fs::read(&args.out) else { return Ok(()) };
    let Ok(old) = read_unverified(&existing) else { return Ok(()) };
    match old.issue_id {
        Some(id) if old.provider == args.provider && id >= args.issue_id => Err(Failure {
            code: "trust_list.issue_id_not_increasing",
            message: format!(
                "{} holds issue {id} of this list; --issue-id {} would not replace it for any verifier \
                 (give a higher one, or --force)",
                args.out.display(),
                args.issue_id
            ),
            exit: EXIT_UNREADABLE,
        }),
        _ => Ok(()),
    }
}

fn verify(args: &VerifyArgs) -> Result<ExitCode, Failure> {
    let at = time_arg::at(args.at.as_deref())?;
    let mut anchors = TrustStore::new();
    for path in &args.anchor {
        for cert in TrustStore::from_pem_or_der(&Input::Certificates.read(path)?)
            .map_err(|e| Failure::unreadable(&e, path))?
            .anchors()
        {
            anchors.add(cert.clone());
        }
    }
    let bytes = Input::TrustList.read(&args.list)?;
    let verifier = TrustListVerifier::new(anchors).with_grace(Duration::hours(args.grace_hours));
    let result = verifier.verify(&bytes, at);
    let shown = match &result {
        Ok(v) => Some(v.list().clone()),
        Err(_) => read_unverified(&bytes).ok(),
    };
    let exit = match &result {
        Ok(_) => 0,
        Err(e) if unreadable(e) => EXIT_UNREADABLE,
        Err(_) => EXIT_INVALID,
    };
    if args.json {
        outln!("{}", verdict_json(&result, shown.as_ref()));
    } else {
        print_text(&result, shown.as_ref(), at);
    }
    if let Err(e) = &result {
        eprintln!("error[{}]: {e}", e.code());
    }
    Ok(ExitCode::from(exit))
}

/// Errors that mean the input is not a trust list at all (exit 2), as opposed to a list that
/// fails verification (exit 1).
fn unreadable(e: &TrustListError) -> bool {
    matches!(
        e,
        TrustListError::TooLarge(_) | TrustListError::Malformed(_) | TrustListError::TooManyEntries(_)
    )
}

fn entry_json(e: &TrustListEntry) -> Value {
    let types: Vec<&str> = e.doc_types.iter().map(|t| type_label(t)).collect();
    let mut m = Map::new();
    let cert = Certificate::from_der(&e.certificate).ok();
    let subject = cert.as_ref().map_or_else(|| e.issuing_authority.clone(), |c| Some(c.subject().to_owned()));
    m.insert("subject".into(), json!(subject));
    if let Some(uscc) = cert.as_ref().and_then(|c| c.party()).and_then(|p| p.uscc()) {
        m.insert("uscc".into(), json!(uscc.to_string()));
    }
    m.insert("types".into(), json!(types));
    m.insert("doc_types".into(), json!(e.doc_types));
    m.insert("name".into(), json!(e.issuing_authority));
    if let Some(c) = &cert {
        m.insert("not_after".into(), json!(rfc3339(c.not_after())));
    }
    Value::Object(m)
}

fn verdict_json(result: &Result<VerifiedTrustList, TrustListError>, list: Option<&TrustList>) -> Value {
    let mut m = Map::new();
    m.insert("valid".into(), json!(result.is_ok()));
    m.insert("provider".into(), json!(list.map(|l| l.provider.clone())));
    m.insert("region".into(), json!(list.and_then(|l| l.region.clone())));
    m.insert("issue_id".into(), json!(list.and_then(|l| l.issue_id)));
    m.insert("date".into(), json!(list.map(|l| rfc3339(l.date))));
    m.insert("next_update".into(), json!(list.and_then(|l| l.next_update).map(rfc3339)));
    match result {
        Ok(verified) => {
            let usable: Vec<&[u8]> = verified.authorities().iter().map(|a| a.certificate.der()).collect();
            // Entries of the list that are used, in list order (a certificate listed twice once).
            let mut seen = Vec::new();
            let entries: Vec<Value> = verified
                .list()
                .entries
                .iter()
                .filter(|e| usable.contains(&e.certificate.as_slice()))
                .filter(|e| {
                    let first = !seen.contains(&e.certificate);
                    seen.push(e.certificate.clone());
                    first
                })
                .map(entry_json)
                .collect();
            m.insert("entries".into(), Value::from(entries));
            m.insert("operator".into(), json!(verified.operator().leaf().subject()));
            let skipped: Vec<Value> = verified
                .skipped()
                .iter()
                .map(|s| json!({"index": s.index, "name": s.name, "error": s.error.code(), "message": s.error.to_string()}))
                .collect();
            m.insert("skipped".into(), Value::from(skipped));
        }
        Err(e) => {
            m.insert("error".into(), json!(e.code()));
            m.insert("message".into(), json!(e.to_string()));
            let entries: Vec<Value> =
                list.map(|l| l.entries.iter().map(entry_json).collect()).unwrap_or_default();
            m.insert("entries".into(), Value::from(entries));
        }
    }
    Value::Object(m)
}

fn print_text(
    result: &Result<VerifiedTrustList, TrustListError>,
    list: Option<&TrustList>,
    at: OffsetDateTime,
) {
    let title = list.map_or_else(String::new, |l| {
        format!(
            "trust list from {}{}, issue {}",
            l.provider,
            l.region.as_deref().map(|r| format!(" (region {r})")).unwrap_or_default(),
            l.issue_id.map_or_else(|| "without id".to_owned(), |i| i.to_string())
        )
    });
    match result {
        Ok(_) => outln!("VALID\t{title}"),
        Err(e) => outln!("INVALID\t{}\t{e}", e.code()),
    }
    let Some(l) = list else { return };
    outln!("date\t{}", rfc3339(l.date));
    match l.next_update {
        Some(t) if t < at => outln!("next update\t{} (passed)", rfc3339(t)),
        Some(t) => outln!("next update\t{}", rfc3339(t)),
        None => outln!("next update\tnot given"),
    }
    if let Ok(v) = result {
        outln!("operator\t{}", v.operator().leaf().subject());
        for a in v.authorities() {
            let types: Vec<&str> = a.doc_types.iter().map(|t| type_label(t)).collect();
            let uscc = a.certificate.party().map_or("-", |p| p.code());
            outln!("authority\t{}\t{uscc}\t{}", a.certificate.subject(), types.join(","));
        }
        for s in v.skipped() {
            outln!(
                "skipped\t{}\t{}\t{} ({})",
                s.index,
                s.name.as_deref().unwrap_or("-"),
                s.error,
                s.error.code()
            );
        }
    }
}
