//! `yinxin seal` (inspect, make, sign, verify GB/T 38540 seals) and `yinxin ofd verify`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::json;
use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode;
use yinxin::license::StatusReference;
use yinxin::seal::{
    CertList, Seal, SealCheck, SealHolder, SealMaker, SealPicture, SealRequest, SealSignature,
};
use yinxin::trust::Certificate;
use yinxin_registry::{IssuedRecord, Registry as _, RegistryError, StatusSlot};

use crate::commands::key::load_private_key;
use crate::commands::output;
use crate::commands::registry::{open, registry_failure};
use crate::commands::seal_picture::{MAX_PICTURE_BYTES, picture_type};
use crate::commands::time_arg::{self, rfc3339};
use crate::commands::verdict::put;
use crate::failure::{EXIT_UNREADABLE, Failure};
use crate::input::Input;

#[derive(Subcommand)]
pub enum SealCommand {
    /// Show a seal or a seal signature (SES_Signature) of any version; `--picture-out`
    /// extracts the picture. Exit 0 when readable, 2 otherwise.
    Inspect(InspectArgs),
    /// Make a GB/T 38540 (v4) seal, signed by the seal maker (SM2).
    Make(MakeArgs),
    /// Sign a file with a seal: writes a SES_Signature (SignedValue.dat).
    Sign(SignArgs),
    /// Verify a seal signature over a file. Exit 0 valid, 1 invalid, 2 unreadable.
    Verify(crate::commands::seal_verify::VerifyArgs),
}

#[derive(Args)]
pub struct InspectArgs {
    /// The seal (.esl) or SES_Signature (.dat) file.
    file: String,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Write the seal picture to this file (never over an existing file without --force).
    #[arg(long)]
    picture_out: Option<PathBuf>,
    /// Replace --picture-out if it exists.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
pub struct MakeArgs {
    /// The seal maker's SM2 private key: the key of the seal-making system that signs the
    /// seal (the key of --maker-cert, e.g. `authority cert --out-key`), not the holder's.
    #[arg(long)]
    maker_key: String,
    /// The seal maker's certificate (the certificate of --maker-key).
    #[arg(long)]
    maker_cert: String,
    /// The certificate of who may sign with the seal (repeatable): the holder's, whose key
    /// `seal sign --key` uses.
    #[arg(long, required = true)]
    holder_cert: Vec<String>,
    /// The seal name.
    #[arg(long)]
    name: String,
    /// The seal identifier (esID, ASCII).
    #[arg(long)]
    es_id: String,
    /// The seal's picture: a PNG, JPEG, GIF, SVG or OFD file (at most 4 MiB). Its type is
    /// recognised from the content, and it must open.
    #[arg(long)]
    picture: PathBuf,
    /// Picture size in millimetres (1 to 1000).
    #[arg(long, default_value_t = 40, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..=1000))]
    size_mm: i64,
    /// Days of validity from now (or --at), 1 to 36500.
    #[arg(long, allow_negative_numbers = true, value_parser = time_arg::days())]
    valid_days: i64,
    /// Seal type: 1 organisation, 2 personal (1 to 99).
    #[arg(long = "type", default_value_t = 1, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..=99))]
    kind: i64,
    /// Vendor id in the header.
    #[arg(long, default_value = "yinxin")]
    vid: String,
    /// Creation time (RFC 3339, or a date taken as midnight Beijing time), default now.
    #[arg(long)]
    at: Option<String>,
    /// Record the seal in this registry (created if missing) and give it a status list entry,
    /// so that it can be revoked or suspended:
    /// `yinxin license revoke --registry DB --id ESID --reason TEXT`.
    #[arg(long)]
    registry: Option<PathBuf>,
    /// Status lists of a new registry are published under this URI (default
    /// `https://status.example.gov.cn/<issuer USCC>/lists`); an existing registry keeps its own.
    #[arg(long)]
    status_uri_base: Option<String>,
    /// Output file (never overwritten without --force).
    #[arg(long)]
    out: PathBuf,
    /// Replace --out if it exists.
    #[arg(long)]
    force: bool,
}

/// Who signs with a seal, and when: shared by `seal sign`, `ofd sign` and `license render`.
#[derive(Args)]
pub struct SealSignerArgs {
    /// The seal (.esl, GB/T 38540 v4).
    #[arg(long)]
    seal: String,
    /// The signer's SM2 private key.
    #[arg(long)]
    key: String,
    /// The signer's certificate (must be in the seal's list).
    #[arg(long)]
    cert: String,
    /// Signing time (RFC 3339, or a date taken as midnight Beijing time), default now.
    #[arg(long)]
    at: Option<String>,
}

impl SealSignerArgs {
    /// The seal's holder (key and certificate checked against the seal) and the signing time.
    pub fn load(&self) -> Result<(SealHolder, OffsetDateTime), Failure> {
        let seal = Input::Seal.read(&self.seal)?;
        let key = load_private_key(&self.key)?;
        let cert = load_cert(&self.cert)?;
        let at = time_arg::at(self.at.as_deref())?;
        let holder =
            SealHolder::new(&seal, Box::new(key), cert).map_err(|e| Failure::invalid(&e, &self.seal))?;
        Ok((holder, at))
    }

    /// The seal file's path, for messages.
    pub fn seal_path(&self) -> &str {
        &self.seal
    }
}

#[derive(Args)]
pub struct SignArgs {
    #[command(flatten)]
    signer: SealSignerArgs,
    /// The data to sign.
    #[arg(long)]
    data: String,
    /// propertyInfo (default: the data file's name).
    #[arg(long)]
    property_info: Option<String>,
    /// Output file (SignedValue.dat; never overwritten without --force).
    #[arg(long)]
    out: PathBuf,
    /// Replace --out if it exists.
    #[arg(long)]
    force: bool,
}

pub fn run(cmd: SealCommand) -> Result<ExitCode, Failure> {
    match cmd {
        SealCommand::Inspect(a) => inspect(&a),
        SealCommand::Make(a) => make(&a),
        SealCommand::Sign(a) => sign(&a),
        SealCommand::Verify(a) => crate::commands::seal_verify::verify(&a),
    }
}

fn load_cert(path: &str) -> Result<Certificate, Failure> {
    Certificate::from_pem_or_der(&Input::Certificates.read(path)?).map_err(|e| Failure::unreadable(&e, path))
}

fn seal_json(seal: &Seal, check: &SealCheck) -> serde_json::Value {
    let cert_list = match seal.cert_list() {
        CertList::Certificates(c) => json!({"certificates": c.len()}),
        CertList::Digests(d) => json!({"digests": d.len()}),
        CertList::NotCertificates(text) => json!({"not_certificates": text}),
        _ => json!(null),
    };
    json!({
        "version": seal.version().number(),
        "vid": seal.vid(),
        "es_id": seal.es_id(),
        "name": seal.name(),
        "type": seal.kind(),
        "created": rfc3339(seal.created()),
        "valid_start": rfc3339(seal.valid_start()),
        "valid_end": rfc3339(seal.valid_end()),
        "picture": {
            "type": seal.picture().kind,
            "width_mm": seal.picture().width_mm,
            "height_mm": seal.picture().height_mm,
            "bytes": seal.picture().data.len(),
        },
        "cert_list": cert_list,
        "extensions": seal.extensions().iter().map(|e| json!({"oid": e.oid, "critical": e.critical})).collect::<Vec<_>>(),
        "status": seal.status().map(|s| json!({"uri": s.uri, "index": s.index})),
        "maker_signature": check.maker_signature,
    })
}

fn inspect(args: &InspectArgs) -> Result<ExitCode, Failure> {
    let bytes = Input::Seal.read(&args.file)?;
    // No anchors, status not asked for: what the seal says, and whether its maker signed it.
    let v = yinxin::Verifier::builder()
        .accept_unknown_status(true)
        .build()
        .map_err(|e| Failure::usage(e.to_string()))?;
    let (seal, mut report) = match Seal::from_der(&bytes) {
        Ok(seal) => {
            let check = v.check_seal(&seal, seal.valid_start());
            let report = seal_json(&seal, &check);
            (seal, report)
        }
        Err(seal_err) => match SealSignature::from_der(&bytes) {
            Ok(sig) => {
                let seal = sig.seal().clone();
                let check = v.check_seal_signature(&sig, None, OffsetDateTime::now_utc());
                let mut report = seal_json(&seal, &check);
                put(
                    &mut report,
                    "signature",
                    json!({
                        "signed_at": sig.signed_at().map(rfc3339),
                        "property_info": sig.property_info(),
                        "data_hash": hex::encode(sig.data_hash()),
                        "signature_valid": check.signature == Some(true),
                        "time_stamp": sig.has_time_stamp(),
                    }),
                );
                (seal, report)
            }
            Err(_) => return Err(Failure::unreadable(&seal_err, &args.file)),
        },
    };
    if let Some(out) = &args.picture_out {
        output::write_new(out, &seal.picture().data, args.force, false)?;
        if let Some(picture) = report.get_mut("picture") {
            put(picture, "written_to", json!(out.display().to_string()));
        }
    }
    if args.json {
        outln!("{report}");
    } else if let Some(map) = report.as_object() {
        for (k, v) in map {
            outln!("{k}\t{}", crate::commands::verdict::text(v));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn make(args: &MakeArgs) -> Result<ExitCode, Failure> {
    let key = load_private_key(&args.maker_key)?;
    let maker_cert = load_cert(&args.maker_cert)?;
    let holders = args.holder_cert.iter().map(|p| load_cert(p)).collect::<Result<Vec<_>, _>>()?;
    if !args.force && args.out.exists() {
        return Err(output::exists(&args.out));
    }
    let picture_path = args.picture.display().to_string();
    let size = std::fs::metadata(&args.picture).map_err(|e| Failure::io(&e, &picture_path))?.len();
    if size > MAX_PICTURE_BYTES {
        return Err(Failure {
            code: "seal.picture_invalid",
            message: format!(
                "{picture_path}: {size} bytes; a seal picture is at most {MAX_PICTURE_BYTES} bytes"
            ),
            exit: EXIT_UNREADABLE,
        });
    }
    let data = Input::SealPicture.read(&picture_path)?;
    let picture = SealPicture {
        kind: picture_type(&data, &picture_path)?.to_owned(),
        data,
        width_mm: args.size_mm,
        height_mm: args.size_mm,
    };
    let at = time_arg::at(args.at.as_deref())?;
    let valid_end = time_arg::after(at, Duration::days(args.valid_days), "--valid-days")?;
    let maker = SealMaker::new(Box::new(key), maker_cert.clone())
        .map_err(|e| Failure::unreadable(&e, &args.maker_key))?;
    let request = |status: Option<StatusReference>| SealRequest {
        es_id: args.es_id.clone(),
        name: args.name.clone(),
        kind: args.kind,
        holder_certificates: holders.clone(),
        picture: picture.clone(),
        created: at,
        valid_start: at,
        valid_end,
        vid: args.vid.clone(),
        status,
    };
    let (seal, slot) = match &args.registry {
        None => (maker.make(&request(None)).map_err(|e| Failure::unreadable(&e, "seal"))?, None),
        Some(path) => {
            let mut reg = open(path, args.status_uri_base.as_deref(), &maker_cert)?;
            if reg.license(&args.es_id).map_err(|e| registry_failure(&e, "registry"))?.is_some() {
                return Err(registry_failure(&RegistryError::Duplicate(args.es_id.clone()), "registry"));
            }
            let mut made = Vec::new();
            let holder_code = holders.first().map(|c| c.subject().to_owned()).unwrap_or_default();
            let records = reg
                .issue_batch(1, &mut |slots: &[StatusSlot]| {
                    let mut records = Vec::new();
                    for slot in slots {
                        let seal = maker
                            .make(&request(Some(StatusReference {
                                uri: slot.uri.clone(),
                                index: slot.index,
                            })))
                            .map_err(|e| RegistryError::Issue { code: e.code(), message: e.to_string() })?;
                        made.push(seal);
                        records.push(IssuedRecord {
                            identifier: args.es_id.clone(),
                            holder_code: holder_code.clone(),
                            doc_type: "seal.gbt38540".into(),
                            slot: slot.clone(),
                            actor: "yinxin seal make".into(),
                        });
                    }
                    Ok(records)
                })
                .map_err(|e| registry_failure(&e, "seal make"))?;
            let seal = made.pop().ok_or_else(|| Failure::usage("the registry made no seal"))?;
            (seal, records.into_iter().next().map(|r| r.slot))
        }
    };
    output::write_new(&args.out, &seal, args.force, false)?;
    match slot {
        Some(s) => outln!("{}\t{} bytes\tstatus {} #{}", args.es_id, seal.len(), s.uri, s.index),
        None => outln!("{}\t{} bytes", args.es_id, seal.len()),
    }
    Ok(ExitCode::SUCCESS)
}

fn sign(args: &SignArgs) -> Result<ExitCode, Failure> {
    let (holder, at) = args.signer.load()?;
    let data = Input::Document.read(&args.data)?;
    let property = args.property_info.clone().unwrap_or_else(|| {
        Path::new(&args.data)
            .file_name()
            .map_or_else(|| args.data.clone(), |n| n.to_string_lossy().into_owned())
    });
    let signed = holder.sign(&data, at, &property).map_err(|e| Failure::unreadable(&e, &args.data))?;
    output::write_new(&args.out, &signed, args.force, false)?;
    outln!("{}\t{} bytes\tsigned at {}", args.out.display(), signed.len(), rfc3339(at));
    Ok(ExitCode::SUCCESS)
}
