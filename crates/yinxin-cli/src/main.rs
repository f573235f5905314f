//! `yinxin`: the command line of the yinxin library.
//!
//! Subcommands by role; `--json` for machine output. Exit codes: 0 = valid / done,
//! 1 = a verification or validation failed, 2 = bad usage or unreadable input. Every error
//! prints its stable code: `error[<code>]: <message>`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// `println!` that stops quietly when stdout is closed (e.g. piped into `head`) instead of
/// panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout().lock(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

/// `print!` with the same behaviour as [`outln!`].
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if write!(std::io::stdout().lock(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

mod commands;
mod failure;
mod input;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// yinxin (印信): trusted electronic licenses and electronic seals.
#[derive(Parser)]
#[command(name = "yinxin", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// National identifiers: USCC, resident identity numbers, e-license identifiers.
    #[command(subcommand)]
    Id(commands::id::IdCommand),
    /// Keys: generate, show the public key, sign, verify.
    #[command(subcommand)]
    Key(commands::key::KeyCommand),
    /// Issuing authorities: root and issuer certificates, end-entity certificates.
    #[command(subcommand)]
    Authority(commands::authority::AuthorityCommand),
    /// E-licenses: issue and verify.
    #[command(subcommand)]
    License(commands::license::LicenseCommand),
    /// Any ISO 18013-5 mdoc: inspect signature and digests without a trust anchor.
    #[command(subcommand)]
    Mdoc(commands::mdoc::MdocCommand),
    /// Status lists (revocation and suspension): decode, look up.
    #[command(subcommand)]
    Status(commands::status::StatusCommand),
    /// The issuer's registry of issued licenses.
    #[command(subcommand)]
    Registry(commands::registry::RegistryCommand),
    /// Trust lists (ISO 18013-5 VICAL): which authorities a region trusts, for which licenses.
    #[command(subcommand)]
    TrustList(commands::trust_list::TrustListCommand),
    /// Electronic seals (GB/T 38540): inspect, make, sign, verify.
    #[command(subcommand)]
    Seal(commands::seal::SealCommand),
    /// OFD documents: verify every signature, sign with a seal.
    #[command(subcommand)]
    Ofd(commands::seal_verify::OfdCommand),
    /// Verifier requests: who asks, for which elements, why (shown to the holder's wallet).
    #[command(subcommand)]
    Request(commands::request::RequestCommand),
    /// The holder's wallet: many licenses encrypted behind the showing PIN, a consent log.
    #[command(subcommand)]
    Wallet(commands::wallet::WalletCommand),
    /// Show a license as a QR code: chosen elements, signed by the holder key.
    Present(commands::present::PresentArgs),
    /// Serve a publication directory (status lists, trust lists) over HTTP(S).
    Serve(commands::serve::ServeArgs),
    /// Verify a QR code at the counter. Exit 0 valid, 1 invalid, 2 unreadable.
    Verify(commands::present::VerifyArgs),
    /// Print the digest of a file in hex.
    Digest(commands::digest::DigestArgs),
    /// Run the whole story in a temporary directory and explain each step.
    Demo(commands::demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout with success; usage errors go to stderr
            // with the stable code every other error carries.
            if !e.use_stderr() {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            let text = e.render().to_string();
            let text = text.strip_prefix("error: ").unwrap_or(&text);
            eprint!("error[cli.usage]: {text}");
            return ExitCode::from(failure::EXIT_UNREADABLE);
        }
    };
    let result = match cli.command {
        Command::Id(cmd) => commands::id::run(cmd),
        Command::Key(cmd) => commands::key::run(cmd),
        Command::Authority(cmd) => commands::authority::run(cmd),
        Command::License(cmd) => commands::license::run(cmd),
        Command::Mdoc(cmd) => commands::mdoc::run(cmd),
        Command::Seal(cmd) => commands::seal::run(cmd),
        Command::Ofd(cmd) => commands::seal_verify::run_ofd(cmd),
        Command::Status(cmd) => commands::status::run(cmd),
        Command::Registry(cmd) => commands::registry::run(cmd),
        Command::TrustList(cmd) => commands::trust_list::run(cmd),
        Command::Wallet(cmd) => commands::wallet::run(cmd),
        Command::Request(cmd) => commands::request::run(cmd),
        Command::Present(args) => commands::present::run_present(&args),
        Command::Verify(args) => commands::present::run_verify(&args),
        Command::Serve(args) => commands::serve::run(&args),
        Command::Digest(args) => commands::digest::run(&args),
        Command::Demo(args) => commands::demo::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(failure) => failure.report(),
    }
}
