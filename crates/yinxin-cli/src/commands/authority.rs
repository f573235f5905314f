//! `yinxin authority`: create an issuing authority (root + issuer) and end-entity certificates.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use time::{Duration, OffsetDateTime};
use yinxin::authority::AuthoritySetup;
use yinxin::crypto::{Signer as _, SoftwareKey};
use yinxin::trust::{Certificate, CertificateAuthority, CertificateProfile, Party};

use crate::commands::key::{AlgArg, load_private_key, write_secret};
use crate::commands::time_arg;
use crate::failure::Failure;
use crate::input::Input;

#[derive(Subcommand)]
pub enum AuthorityCommand {
    /// Create a root CA and an issuing authority in DIR: root.pem, root.key.pem, issuer.pem,
    /// issuer.key.pem (certificates PEM, keys PKCS#8 PEM, mode 0600).
    Init(InitArgs),
    /// Issue an end-entity signing certificate (e.g. for a seal holder) under DIR's authority.
    Cert(CertArgs),
    /// Issue a verifier's certificate (a counter, a service system) under DIR's authority,
    /// stating which license elements it may request from holders (decision 0019). --out-cert
    /// holds the certificate and the authority's certificate after it (the chain a request
    /// carries); wallets accept it under DIR's root (`wallet init --verifier-anchor`).
    VerifierCert(VerifierCertArgs),
}

#[derive(Args)]
pub struct VerifierCertArgs {
    #[command(flatten)]
    cert: CertArgs,
    /// The element identifiers it may request, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    may_request: Vec<String>,
}

#[derive(Args)]
pub struct InitArgs {
    /// Directory to write into (created if missing; existing files are not overwritten).
    #[arg(long)]
    dir: PathBuf,
    /// Signature algorithm of both keys.
    #[arg(long, value_enum)]
    alg: AlgArg,
    /// The issuing authority's name, e.g. 成都市市场监督管理局.
    #[arg(long)]
    name: String,
    /// The issuing authority's USCC.
    #[arg(long)]
    code: String,
    /// Root validity in days (1 to 36500).
    #[arg(long, default_value_t = 7300, allow_negative_numbers = true, value_parser = time_arg::days())]
    root_days: i64,
    /// Issuing authority validity in days (1 to 36500; at most the root's).
    #[arg(long, default_value_t = 3650, allow_negative_numbers = true, value_parser = time_arg::days())]
    issuer_days: i64,
}

#[derive(Args)]
pub struct CertArgs {
    /// The authority directory (from `authority init`).
    #[arg(long)]
    dir: PathBuf,
    /// The subject's name.
    #[arg(long)]
    name: String,
    /// The subject's USCC or resident identity number.
    #[arg(long)]
    code: String,
    /// Where to write the certificate (PEM; never over an existing file without --force).
    #[arg(long)]
    out_cert: PathBuf,
    /// Where to write the new private key (PKCS#8 PEM, mode 0600; never over an existing
    /// file without --force).
    #[arg(long)]
    out_key: PathBuf,
    /// Replace --out-cert and --out-key if they exist.
    #[arg(long)]
    force: bool,
    /// Key algorithm (default: the authority's).
    #[arg(long, value_enum)]
    alg: Option<AlgArg>,
    /// Validity in days (1 to 36500; within the authority's).
    #[arg(long, default_value_t = 730, allow_negative_numbers = true, value_parser = time_arg::days())]
    valid_days: i64,
}

pub fn run(cmd: AuthorityCommand) -> Result<ExitCode, Failure> {
    match cmd {
        AuthorityCommand::Init(args) => init(&args),
        AuthorityCommand::Cert(args) => cert(&args),
        AuthorityCommand::VerifierCert(args) => verifier_cert(&args),
    }
}

/// Writes a certificate, never over an existing file unless `force`.
fn write_public(path: &Path, text: &str, force: bool) -> Result<(), Failure> {
    crate::commands::output::write_new(path, text.as_bytes(), force, false)
}

/// Refuses before any key is made when one of `paths` exists (and not `force`), so that a
/// refused command leaves nothing half written.
fn refuse_existing(paths: &[&Path], force: bool) -> Result<(), Failure> {
    match paths.iter().find(|p| !force && p.exists()) {
        Some(p) => Err(crate::commands::output::exists(p)),
        None => Ok(()),
    }
}

fn init(args: &InitArgs) -> Result<ExitCode, Failure> {
    let party: Party = args.code.parse().map_err(|e| Failure::unreadable(&e, "--code"))?;
    if party.uscc().is_none() {
        return Err(Failure::usage("--code: an issuing authority is named by its USCC"));
    }
    std::fs::create_dir_all(&args.dir).map_err(|e| Failure::io(&e, args.dir.display()))?;
    let files = ["root.pem", "root.key.pem", "issuer.pem", "issuer.key.pem"].map(|f| args.dir.join(f));
    refuse_existing(&files.each_ref().map(PathBuf::as_path), false)?;
    let now = OffsetDateTime::now_utc();
    let setup = AuthoritySetup::generate(
        args.alg.into(),
        &args.name,
        &party,
        now - Duration::minutes(5),
        time_arg::after(now, Duration::days(args.root_days), "--root-days")?,
        time_arg::after(now, Duration::days(args.issuer_days.min(args.root_days)), "--issuer-days")?,
    )
    .map_err(|e| Failure::unreadable(&e, "authority"))?;
    let (root, issuer) = (&setup.root, setup.issuer.certificate());
    let root_pem = root.signer().to_pkcs8_pem().map_err(|e| Failure::unreadable(&e, "encode"))?;
    let issuer_pem = setup.issuer.signer().to_pkcs8_pem().map_err(|e| Failure::unreadable(&e, "encode"))?;
    write_secret(&args.dir.join("root.key.pem"), root_pem.as_bytes(), false)?;
    write_public(&args.dir.join("root.pem"), &root.certificate().to_pem(), false)?;
    write_secret(&args.dir.join("issuer.key.pem"), issuer_pem.as_bytes(), false)?;
    write_public(&args.dir.join("issuer.pem"), &issuer.to_pem(), false)?;
    outln!("root\t{}\t{}", root.certificate().subject(), args.dir.join("root.pem").display());
    outln!("issuer\t{}\t{}", issuer.subject(), args.dir.join("issuer.pem").display());
    Ok(ExitCode::SUCCESS)
}

/// The issuing authority of a directory made by `authority init`.
pub fn load_issuer(dir: &Path) -> Result<CertificateAuthority<SoftwareKey>, Failure> {
    let cert_path = dir.join("issuer.pem");
    let cert = Certificate::from_pem_or_der(&Input::Certificates.read(&cert_path.to_string_lossy())?)
        .map_err(|e| Failure::unreadable(&e, cert_path.display()))?;
    let key = load_private_key(&dir.join("issuer.key.pem").to_string_lossy())?;
    CertificateAuthority::from_parts(cert, key).map_err(|e| Failure::unreadable(&e, dir.display()))
}

/// The license-issuing side of a directory made by `authority init`, recording registry changes
/// under `actor` (default `$USER`).
pub fn load_authority(dir: &Path, actor: Option<&str>) -> Result<yinxin::Authority<SoftwareKey>, Failure> {
    let issuer = load_issuer(dir)?;
    let key = SoftwareKey::from_pkcs8_der(
        &issuer.signer().to_pkcs8_der().map_err(|e| Failure::unreadable(&e, "key"))?,
    )
    .map_err(|e| Failure::unreadable(&e, "key"))?;
    let actor =
        actor.map(str::to_owned).or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "cli".into());
    Ok(yinxin::Authority::new(key, vec![issuer.certificate().clone()])
        .map_err(|e| Failure::unreadable(&e, dir.display()))?
        .with_actor(actor))
}

fn cert(args: &CertArgs) -> Result<ExitCode, Failure> {
    refuse_existing(&[&args.out_key, &args.out_cert], args.force)?;
    let authority = load_issuer(&args.dir)?;
    let party: Party = args.code.parse().map_err(|e| Failure::unreadable(&e, "--code"))?;
    let alg = args.alg.map_or_else(|| authority.signer().algorithm(), Into::into);
    let key = SoftwareKey::generate(alg).map_err(|e| Failure::unreadable(&e, "generate"))?;
    let now = OffsetDateTime::now_utc();
    let not_after = time_arg::after(now, Duration::days(args.valid_days), "--valid-days")?
        .min(authority.certificate().not_after());
    let cert = authority
        .issue(
            key.public_key(),
            &args.name,
            &party,
            CertificateProfile::EndEntity,
            now - Duration::minutes(5),
            not_after,
        )
        .map_err(|e| Failure::unreadable(&e, "certificate"))?;
    let pem = key.to_pkcs8_pem().map_err(|e| Failure::unreadable(&e, "encode"))?;
    write_secret(&args.out_key, pem.as_bytes(), args.force)?;
    write_public(&args.out_cert, &cert.to_pem(), args.force)?;
    outln!("{}\t{}", cert.subject(), args.out_cert.display());
    Ok(ExitCode::SUCCESS)
}

fn verifier_cert(args: &VerifierCertArgs) -> Result<ExitCode, Failure> {
    let a = &args.cert;
    refuse_existing(&[&a.out_key, &a.out_cert], a.force)?;
    let authority = load_issuer(&a.dir)?;
    let party: Party = a.code.parse().map_err(|e| Failure::unreadable(&e, "--code"))?;
    let alg = a.alg.map_or_else(|| authority.signer().algorithm(), Into::into);
    let key = SoftwareKey::generate(alg).map_err(|e| Failure::unreadable(&e, "generate"))?;
    let now = OffsetDateTime::now_utc();
    let not_after = time_arg::after(now, Duration::days(a.valid_days), "--valid-days")?
        .min(authority.certificate().not_after());
    let cert = authority
        .issue_verifier(
            key.public_key(),
            &a.name,
            &party,
            &args.may_request,
            now - Duration::minutes(5),
            not_after,
        )
        .map_err(|e| Failure::unreadable(&e, "certificate"))?;
    let pem = key.to_pkcs8_pem().map_err(|e| Failure::unreadable(&e, "encode"))?;
    write_secret(&a.out_key, pem.as_bytes(), a.force)?;
    write_public(&a.out_cert, &format!("{}{}", cert.to_pem(), authority.certificate().to_pem()), a.force)?;
    outln!("{}\t{}\tmay request {}", cert.subject(), a.out_cert.display(), args.may_request.join(","));
    Ok(ExitCode::SUCCESS)
}
