//! `yinxin status`: read status lists (a bare StatusList or a Status List Token).

use std::process::ExitCode;

use clap::{Args, Subcommand};
use yinxin::status::{Status, StatusList, StatusListToken, TokenClaims, is_token};

use crate::commands::time_arg::rfc3339;
use crate::failure::Failure;
use crate::input::Input;

#[derive(Subcommand)]
pub enum StatusCommand {
    /// Decode a CBOR StatusList or a Status List CWT (detected). Exit 2 on malformed input.
    Decode(DecodeArgs),
    /// Print the status of one entry: VALID, INVALID, SUSPENDED or the number.
    Get(GetArgs),
    /// Sign every status list of a registry with the authority's issuer key.
    Publish(crate::commands::registry::PublishArgs),
}

#[derive(Args)]
pub struct DecodeArgs {
    /// The file (`-` for stdin).
    file: String,
    /// The file is hex text.
    #[arg(long)]
    hex: bool,
    /// Print `{"bits", "size", "non_zero": {"<index>": status}}` (and the token's claims).
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct GetArgs {
    /// The file (`-` for stdin).
    file: String,
    /// The entry's index.
    index: u64,
    /// The file is hex text.
    #[arg(long)]
    hex: bool,
}

pub fn run(cmd: StatusCommand) -> Result<ExitCode, Failure> {
    match cmd {
        StatusCommand::Decode(args) => decode(&args),
        StatusCommand::Get(args) => get(&args),
        StatusCommand::Publish(args) => crate::commands::registry::publish(&args),
    }
}

/// The list in a file, and the token claims if the file is a token (not verified here).
fn load(path: &str, hex: bool) -> Result<(StatusList, Option<TokenClaims>), Failure> {
    let bytes = Input::StatusList.read_maybe_hex(path, hex)?;
    if is_token(&bytes) {
        let (claims, list) =
            StatusListToken::read_unverified(&bytes).map_err(|e| Failure::unreadable(&e, path))?;
        Ok((list, Some(claims)))
    } else {
        Ok((StatusList::from_cbor(&bytes).map_err(|e| Failure::unreadable(&e, path))?, None))
    }
}

fn decode(args: &DecodeArgs) -> Result<ExitCode, Failure> {
    let (list, claims) = load(&args.file, args.hex)?;
    if args.json {
        let non_zero: serde_json::Map<String, serde_json::Value> =
            list.non_zero().map(|(i, v)| (i.to_string(), serde_json::Value::from(v))).collect();
        let mut obj = serde_json::json!({"bits": list.bits(), "size": list.len(), "non_zero": non_zero});
        if let (Some(c), Some(map)) = (&claims, obj.as_object_mut()) {
            map.insert(
                "token".into(),
                serde_json::json!({
                    "sub": c.sub,
                    "iat": c.iat.unix_timestamp(),
                    "exp": c.exp.map(|t| t.unix_timestamp()),
                    "ttl": c.ttl,
                    "signature_checked": false,
                }),
            );
        }
        outln!("{obj}");
    } else {
        if let Some(c) = &claims {
            let exp = c.exp.map_or_else(|| "no expiry".to_owned(), |t| format!("expires {}", rfc3339(t)));
            let ttl = c.ttl.map_or_else(|| "no ttl".to_owned(), |s| format!("cache for {s} s"));
            outln!("token\tsub {}\tissued {}\t{exp}\t{ttl}\t(signature not checked)", c.sub, rfc3339(c.iat));
        }
        outln!("bits\t{}\nsize\t{}", list.bits(), list.len());
        for (i, v) in list.non_zero() {
            outln!("{i}\t{}", Status::from_value(v).name());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn get(args: &GetArgs) -> Result<ExitCode, Failure> {
    let (list, _) = load(&args.file, args.hex)?;
    let status = list.status(args.index).map_err(|e| Failure::unreadable(&e, &args.file))?;
    outln!("{}", status.name());
    Ok(ExitCode::SUCCESS)
}
