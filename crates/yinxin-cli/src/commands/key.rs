//! `yinxin key`: generate keys, show public keys, sign and verify files.

use std::path::Path;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use yinxin::crypto::{Algorithm, PublicKey, SignatureFormat, Signer, SoftwareKey, Verifier};

use crate::failure::{EXIT_INVALID, Failure};
use crate::input::Input;

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Generate a private key and write it as PKCS#8 PEM (file mode 0600).
    Generate(GenerateArgs),
    /// Print the public key (SPKI PEM) of a private key file (PKCS#8 or SEC1, PEM or DER).
    Public(PublicArgs),
    /// Sign a file; the signature goes to --out, or to stdout as hex.
    Sign(SignArgs),
    /// Verify a signature over a file. Exit 0 valid, 1 invalid, 2 unreadable.
    Verify(VerifyArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum AlgArg {
    Ed25519,
    Es256,
    Sm2,
    Es384,
}

impl From<AlgArg> for Algorithm {
    fn from(a: AlgArg) -> Self {
        match a {
            AlgArg::Ed25519 => Algorithm::Ed25519,
            AlgArg::Es256 => Algorithm::Es256,
            AlgArg::Sm2 => Algorithm::Sm2Sm3,
            AlgArg::Es384 => Algorithm::Es384,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// DER SEQUENCE { r, s } (X.509, GB/T 38540, OpenSSL); Ed25519: the 64 bytes.
    Der,
    /// r ‖ s, 64 bytes (96 for ES384) (COSE).
    Raw,
}

impl From<FormatArg> for SignatureFormat {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Der => SignatureFormat::Der,
            FormatArg::Raw => SignatureFormat::Raw,
        }
    }
}

#[derive(Args)]
pub struct GenerateArgs {
    /// The algorithm.
    #[arg(long, value_enum)]
    alg: AlgArg,
    /// Where to write the PKCS#8 PEM private key.
    #[arg(long)]
    out: String,
    /// Overwrite an existing file.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
pub struct PublicArgs {
    /// The private key file.
    key: String,
}

#[derive(Args)]
pub struct SignArgs {
    /// The private key file.
    #[arg(long)]
    key: String,
    /// The signature encoding.
    #[arg(long, value_enum, default_value = "der")]
    format: FormatArg,
    /// Write the signature (binary) here instead of printing hex (never over an existing file
    /// without --force).
    #[arg(long)]
    out: Option<String>,
    /// Replace --out if it exists.
    #[arg(long)]
    force: bool,
    /// The file to sign (`-` for standard input).
    file: String,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// The public key (SPKI PEM or DER).
    #[arg(long = "pub")]
    public: String,
    /// The signature file (binary).
    #[arg(long, required_unless_present = "sig_hex")]
    sig: Option<String>,
    /// The signature as hex.
    #[arg(long, conflicts_with = "sig")]
    sig_hex: Option<String>,
    /// The signature encoding.
    #[arg(long, value_enum, default_value = "der")]
    format: FormatArg,
    /// The signed file (`-` for standard input).
    file: String,
}

pub fn run(cmd: KeyCommand) -> Result<ExitCode, Failure> {
    match cmd {
        KeyCommand::Generate(args) => generate(&args),
        KeyCommand::Public(args) => public(&args),
        KeyCommand::Sign(args) => sign(&args),
        KeyCommand::Verify(args) => verify(&args),
    }
}

/// Reads a private key file.
pub fn load_private_key(path: &str) -> Result<SoftwareKey, Failure> {
    SoftwareKey::from_pem_or_der(&Input::Key.read(path)?).map_err(|e| Failure::unreadable(&e, path))
}

/// Reads a public key file.
pub fn load_public_key(path: &str) -> Result<PublicKey, Failure> {
    PublicKey::from_pem_or_der(&Input::Key.read(path)?).map_err(|e| Failure::unreadable(&e, path))
}

/// Writes a secret file readable by its owner only (refusing an existing file unless `force`).
pub fn write_secret(path: &Path, contents: &[u8], force: bool) -> Result<(), Failure> {
    crate::commands::output::write_new(path, contents, force, true)
}

fn generate(args: &GenerateArgs) -> Result<ExitCode, Failure> {
    let key = SoftwareKey::generate(args.alg.into()).map_err(|e| Failure::unreadable(&e, "generate"))?;
    let pem = key.to_pkcs8_pem().map_err(|e| Failure::unreadable(&e, "encode"))?;
    write_secret(Path::new(&args.out), pem.as_bytes(), args.force)?;
    outln!("{}\t{}\t{}", key.algorithm(), key.key_id(), args.out);
    Ok(ExitCode::SUCCESS)
}

fn public(args: &PublicArgs) -> Result<ExitCode, Failure> {
    let key = load_private_key(&args.key)?;
    let pem = key.public_key().to_spki_pem().map_err(|e| Failure::unreadable(&e, "encode"))?;
    out!("{pem}");
    Ok(ExitCode::SUCCESS)
}

fn sign(args: &SignArgs) -> Result<ExitCode, Failure> {
    let key = load_private_key(&args.key)?;
    let data = Input::Document.read(&args.file)?;
    let sig = key.sign_as(&data, args.format.into()).map_err(|e| Failure::unreadable(&e, "sign"))?;
    match &args.out {
        Some(out) => crate::commands::output::write_new(Path::new(out), &sig, args.force, false)?,
        None => outln!("{}", hex::encode(&sig)),
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(args: &VerifyArgs) -> Result<ExitCode, Failure> {
    let key = load_public_key(&args.public)?;
    let sig = match (&args.sig, &args.sig_hex) {
        (Some(path), _) => Input::Signature.read(path)?,
        (None, Some(h)) => hex::decode(h.trim()).map_err(|e| Failure::usage(format!("--sig-hex: {e}")))?,
        (None, None) => return Err(Failure::usage("--sig or --sig-hex is required")),
    };
    let data = Input::Document.read(&args.file)?;
    match key.verify_as(&data, &sig, args.format.into()) {
        Ok(()) => {
            outln!("valid\t{}\t{}", key.algorithm(), key.key_id());
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let failure = Failure::invalid(&e, &args.file);
            outln!("invalid\t{}", failure.code);
            failure.report();
            Ok(ExitCode::from(EXIT_INVALID))
        }
    }
}

/// A public key file, or the public half of a private key file.
pub fn load_holder_key(path: &str) -> Result<PublicKey, Failure> {
    parse_holder_key(&Input::Key.read(path)?, path)
}

/// A public key (SPKI PEM or DER), or the public half of a private key.
pub fn parse_holder_key(bytes: &[u8], context: &str) -> Result<PublicKey, Failure> {
    match PublicKey::from_pem_or_der(bytes) {
        Ok(k) => Ok(k),
        Err(public_err) => match yinxin::crypto::SoftwareKey::from_pem_or_der(bytes) {
            Ok(k) => Ok(k.public_key().clone()),
            Err(_) => Err(Failure::unreadable(&public_err, context)),
        },
    }
}
