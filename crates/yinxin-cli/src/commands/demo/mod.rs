//! `yinxin demo`: the whole story, step by step, in a temporary directory.
//!
//! It grows with the library: the national identifiers every license names, the signatures
//! authorities sign with, then an authority issuing both reference licenses and a verifier
//! checking them, status lists, QR presentations, and electronic seals.

mod licenses;
mod present;
mod seal;
mod status;
mod wallet;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use yinxin::ErrorCode;
use yinxin::crypto::{Algorithm, PublicKey, Signer, SoftwareKey, Verifier};
use yinxin::id::{LicenseIdentifier, LicenseTypeCode, ResidentId, Uscc, detect};

use crate::commands::key::write_secret;
use crate::failure::Failure;

#[derive(Args)]
pub struct DemoArgs {
    /// Keep the files in this directory instead of a temporary one (a new or empty directory,
    /// unless --force: the demo writes keys, licenses and seals there).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Write into a --dir that holds files already, replacing the demo's own.
    #[arg(long, requires = "dir")]
    force: bool,
}

/// The business license fixture's issuer, type code and holder; the driving license holder.
const ISSUER: &str = "11510000MB0123456W";
const TYPE_CODE: &str = "11100000000013338W001";
const ENTITY: &str = "91510100MA61ABCDE3";
const PERSON: &str = "510104199003071237";
const SERIAL: &str = "510100202411220001";

pub(crate) fn step(n: u32, title: &str) {
    outln!("\n== {n}. {title}");
}

pub(crate) fn fail<E: ErrorCode + std::fmt::Display>(e: E) -> Failure {
    Failure::unreadable(&e, "demo")
}

pub fn run(args: &DemoArgs) -> Result<ExitCode, Failure> {
    let temp;
    let dir: &Path = match &args.dir {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(|e| Failure::io(&e, d.display()))?;
            let mut entries = std::fs::read_dir(d).map_err(|e| Failure::io(&e, d.display()))?;
            if !args.force && entries.next().is_some() {
                return Err(Failure {
                    code: "io.exists",
                    message: format!(
                        "{} is not empty; the demo writes keys, licenses and seals there (give a new \
                         directory, or --force to replace the demo's files in it)",
                        d.display()
                    ),
                    exit: crate::failure::EXIT_UNREADABLE,
                });
            }
            d
        }
        None => {
            temp = tempfile::tempdir().map_err(|e| Failure::io(&e, "temporary directory"))?;
            temp.path()
        }
    };
    if args.dir.is_some() {
        outln!("yinxin demo (working in {}; the files stay there)", dir.display());
    } else {
        outln!(
            "yinxin demo (working in {}, deleted at the end; `yinxin demo --dir DIR` keeps the files)",
            dir.display()
        );
    }
    identifiers()?;
    signatures(dir)?;
    let (n, mut story) = licenses::run(dir, 6)?;
    let n = status::run(&mut story, n + 1)?;
    let n = present::run(&story, n + 1)?;
    let n = wallet::run(dir, &story, n + 1)?;
    seal::run(dir, n + 1)?;
    outln!("\nDone.");
    Ok(ExitCode::SUCCESS)
}

fn identifiers() -> Result<(), Failure> {
    step(1, "The parties: an issuing authority, a company, a person (GB 32100, GB 11643)");
    let issuer = Uscc::parse(ISSUER).map_err(fail)?;
    outln!("issuer USCC     {issuer}  (division {}, valid check character)", issuer.division_code());
    let entity = Uscc::parse(ENTITY).map_err(fail)?;
    outln!("company USCC    {entity}  (authority code {})", entity.registration_authority());
    let person = ResidentId::parse(PERSON).map_err(fail)?;
    outln!("resident ID     {person}  (born {}, {})", person.birth_date(), person.sex());

    step(2, "A new e-license identifier (GB/T 36904, check character ISO 7064 MOD 37,36)");
    let type_code = LicenseTypeCode::parse(TYPE_CODE).map_err(fail)?;
    let id = LicenseIdentifier::new(type_code, issuer, SERIAL, "001").map_err(fail)?;
    outln!("license id      {id}");

    step(3, "A typing mistake is caught, with a stable error code");
    let typo = id.to_string().replacen("5101002024", "5101002042", 1);
    for value in [typo.as_str(), "510104199003071238", "91510100MA61ABCDE4"] {
        let d = detect(value);
        let verdict =
            d.error.as_ref().map_or_else(|| "valid".to_owned(), |e| format!("invalid: {}", e.code()));
        outln!("{value}  {}  {verdict}", d.kind.as_str());
    }
    Ok(())
}

fn signatures(dir: &Path) -> Result<(), Failure> {
    step(4, "Authority keys: Ed25519, ECDSA P-256, SM2/SM3 (PKCS#8 PEM, mode 0600)");
    let message = format!("{ISSUER} signs {PERSON}");
    let mut signed = Vec::new();
    for alg in Algorithm::ALL {
        let key = SoftwareKey::generate(alg).map_err(fail)?;
        let path = dir.join(format!("authority-{alg}.key.pem"));
        let pem = key.to_pkcs8_pem().map_err(fail)?;
        write_secret(&path, pem.as_bytes(), true)?;
        let sig = key.sign(message.as_bytes()).map_err(fail)?;
        outln!("{:<8} key id {}  -> {}", alg.name(), key.key_id(), path.display());
        signed.push((key.public_key().clone(), sig));
    }

    step(5, "Each signature verifies; a changed message or signature does not");
    for (public, sig) in &signed {
        verify_line(public, message.as_bytes(), sig, "original");
        verify_line(public, format!("{message}.").as_bytes(), sig, "message changed");
        let mut bad = sig.clone();
        if let Some(b) = bad.get_mut(10) {
            *b ^= 1;
        }
        verify_line(public, message.as_bytes(), &bad, "signature changed");
    }
    Ok(())
}

fn verify_line(public: &PublicKey, message: &[u8], sig: &[u8], what: &str) {
    let verdict = match public.verify(message, sig) {
        Ok(()) => "valid".to_owned(),
        Err(e) => format!("REFUSED {}", e.code()),
    };
    outln!("{:<8} {what:<18} {verdict}", public.algorithm().name());
}
