//! `yinxin id`: check identifiers, make new e-license identifiers.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use yinxin::ErrorCode;
use yinxin::id::{LicenseIdentifier, LicenseTypeCode, Uscc, detect};

use crate::failure::{EXIT_INVALID, Failure};

#[derive(Subcommand)]
pub enum IdCommand {
    /// Detect the kind of each value (uscc, resident_id, license_id, unknown) and validate it.
    ///
    /// One line per value: `VALUE<TAB>KIND<TAB>valid`, or `VALUE<TAB>KIND<TAB>invalid<TAB>CODE<TAB>MESSAGE`.
    /// Exit 0 when all are valid, 1 when any is invalid.
    Check(CheckArgs),
    /// Make a new e-license identifier (GB/T 36904), computing its check character.
    NewLicenseId(NewLicenseIdArgs),
}

#[derive(Args)]
pub struct CheckArgs {
    /// One JSON object per line: {"value", "kind", "valid", "error"?}.
    #[arg(long)]
    json: bool,
    /// The values to check.
    #[arg(required = true)]
    values: Vec<String>,
}

#[derive(Args)]
pub struct NewLicenseIdArgs {
    /// License type code: the defining authority's USCC + 3 digits.
    #[arg(long)]
    type_code: String,
    /// The issuing authority's USCC.
    #[arg(long)]
    issuer: String,
    /// Serial number: 7 to 32 characters of 0-9 and A-Z.
    #[arg(long)]
    serial: String,
    /// Version: 3 digits.
    #[arg(long, default_value = "001")]
    version: String,
}

pub fn run(cmd: IdCommand) -> Result<ExitCode, Failure> {
    match cmd {
        IdCommand::Check(args) => Ok(check(&args)),
        IdCommand::NewLicenseId(args) => new_license_id(&args),
    }
}

fn check(args: &CheckArgs) -> ExitCode {
    let mut all_valid = true;
    for value in &args.values {
        let d = detect(value);
        all_valid &= d.error.is_none();
        if args.json {
            let mut obj = serde_json::json!({
                "value": value,
                "kind": d.kind.as_str(),
                "valid": d.error.is_none(),
            });
            if let (Some(e), Some(map)) = (&d.error, obj.as_object_mut()) {
                map.insert("error".into(), e.code().into());
                map.insert("message".into(), e.to_string().into());
            }
            outln!("{obj}");
        } else {
            match &d.error {
                None => outln!("{value}\t{}\tvalid", d.kind.as_str()),
                Some(e) => outln!("{value}\t{}\tinvalid\t{}\t{e}", d.kind.as_str(), e.code()),
            }
        }
    }
    if all_valid { ExitCode::SUCCESS } else { ExitCode::from(EXIT_INVALID) }
}

fn new_license_id(args: &NewLicenseIdArgs) -> Result<ExitCode, Failure> {
    let type_code =
        LicenseTypeCode::parse(&args.type_code).map_err(|e| Failure::unreadable(&e, "--type-code"))?;
    let issuer = Uscc::parse(&args.issuer).map_err(|e| Failure::unreadable(&e, "--issuer"))?;
    let id = LicenseIdentifier::new(type_code, issuer, &args.serial, &args.version)
        .map_err(|e| Failure::unreadable(&e, "--serial/--version"))?;
    outln!("{id}");
    Ok(ExitCode::SUCCESS)
}
