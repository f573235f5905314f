//! `yinxin digest`: SM3 or SHA-256 of a file, streamed.

use std::process::ExitCode;

use clap::Args;
use yinxin::crypto::{DigestAlgorithm, Hasher};

use crate::failure::Failure;

#[derive(Args)]
pub struct DigestArgs {
    /// The digest algorithm: sm3 or sha256.
    #[arg(long, value_parser = ["sm3", "sha256"])]
    alg: String,
    /// The file (`-` for standard input).
    file: String,
}

pub fn run(args: &DigestArgs) -> Result<ExitCode, Failure> {
    let alg: DigestAlgorithm = args.alg.parse().map_err(|e| Failure::unreadable(&e, "--alg"))?;
    let mut hasher = Hasher::new(alg);
    let copied = if args.file == "-" {
        std::io::copy(&mut std::io::stdin().lock(), &mut hasher)
    } else {
        std::fs::File::open(&args.file).and_then(|mut f| std::io::copy(&mut f, &mut hasher))
    };
    copied.map_err(|e| Failure::io(&e, &args.file))?;
    outln!("{}", hex::encode(hasher.finalize()));
    Ok(ExitCode::SUCCESS)
}
