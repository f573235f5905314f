//! `yinxin ofd sign`: adds a seal signature to an OFD document (CLI contract of issue 17).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;
use yinxin::seal::ofd::{OfdLimits, OfdSignError, Stamp, sign_ofd};

use crate::commands::output;
use crate::commands::seal::SealSignerArgs;
use crate::commands::time_arg::rfc3339;
use crate::failure::Failure;
use crate::input::Input;

#[derive(Args)]
pub struct OfdSignArgs {
    /// The OFD document to sign (any producer's, signed or not).
    file: String,
    #[command(flatten)]
    signer: SealSignerArgs,
    /// The page the seal appears on, from 1.
    #[arg(long, default_value_t = 1)]
    page: u32,
    /// Left edge of the seal on the page, in millimetres from the page's left edge (default:
    /// 20 mm from the right edge; give --x and --y together).
    #[arg(long, requires = "y", allow_negative_numbers = true)]
    x: Option<f64>,
    /// Top edge of the seal, in millimetres from the page's top edge (default: 30 mm above the
    /// bottom edge).
    #[arg(long, requires = "x", allow_negative_numbers = true)]
    y: Option<f64>,
    /// Width of the seal in millimetres (the height keeps the seal picture's proportions;
    /// default: the picture's own size).
    #[arg(long)]
    size: Option<f64>,
    /// The signed document (never overwritten without --force).
    #[arg(long)]
    out: PathBuf,
    /// Replace --out if it exists.
    #[arg(long)]
    force: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn sign(args: &OfdSignArgs) -> Result<ExitCode, Failure> {
    let document = Input::Ofd.read(&args.file)?;
    let (holder, at) = args.signer.load()?;
    let stamp = Stamp { page: args.page, x_mm: args.x, y_mm: args.y, size_mm: args.size };
    let signed = sign_ofd(&document, &holder, &stamp, at, OfdLimits::default()).map_err(|e| match &e {
        OfdSignError::Seal(_) => Failure::invalid(&e, args.signer.seal_path()),
        _ => Failure::unreadable(&e, &args.file),
    })?;
    output::write_new(&args.out, &signed.ofd, args.force, false)?;
    let signature = signed.signature.as_str();
    let signed = signed.ofd.as_slice();
    // How many signatures the document now has.
    let verdicts = yinxin::seal::ofd::verify_ofd(
        signed,
        &yinxin::seal::SealVerifier::without_trust_anchors(),
        OfdLimits::default(),
        at,
    )
    .map_err(|e| Failure::unreadable(&e, args.out.display()))?;
    if args.json {
        outln!(
            "{}",
            json!({
                "out": args.out.display().to_string(),
                "bytes": signed.len(),
                "signature": signature,
                "signatures": verdicts.len(),
                "es_id": holder.seal().es_id(),
                "seal_name": holder.seal().name(),
                "page": args.page,
                "signed_at": rfc3339(at),
            })
        );
    } else {
        outln!("{}\t{} bytes\t{}", args.out.display(), signed.len(), holder.seal().name());
        outln!(
            "signature\t{signature} (page {}, {} signature(s) in the document)",
            args.page,
            verdicts.len()
        );
        outln!("signed at\t{}", rfc3339(at));
    }
    Ok(ExitCode::SUCCESS)
}
