//! Reading input files within a documented size per kind of input.
//!
//! Every file the CLI reads is one [`Input`] kind with a cap that matches what the library
//! accepts for it. A file is read through `take(cap + 1)`, so a device such as `/dev/zero` or an
//! endless pipe stops at the cap instead of filling memory; going past the cap is refused with
//! the kind's own code (`limit.credential`, `limit.certificate`, …) and says which limit it was.

use std::io::Read;

use crate::failure::{EXIT_UNREADABLE, Failure};

/// What a file is, and so how large it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// A private or public key (PEM or DER).
    Key,
    /// A signature file.
    Signature,
    /// Certificates: one, or a PEM bundle of trust anchors or intermediates.
    Certificates,
    /// A license credential or another ISO 18013-5 mdoc (CBOR).
    Credential,
    /// A Status List Token or a bare status list.
    StatusList,
    /// A seal (.esl) or a seal signature (SES_Signature).
    Seal,
    /// An OFD package.
    Ofd,
    /// A picture of a QR code (PNG, JPEG, WebP, GIF).
    Image,
    /// A seal's picture.
    SealPicture,
    /// A license in JSON (and one line of a batch).
    LicenseJson,
    /// A portrait for a license.
    Portrait,
    /// A document to sign, or whose signature is checked.
    Document,
    /// QR text read from standard input.
    QrText,
    /// A replay cache file.
    ReplayCache,
    /// A signed trust list (VICAL).
    TrustList,
    /// PINs and passphrases on standard input (`--pin-stdin`).
    Secret,
    /// A wallet backup.
    WalletBackup,
}

impl Input {
    /// The most bytes a file of this kind may have.
    pub fn limit(self) -> u64 {
        use yinxin::{license, present, seal, status};
        let mib = 1024 * 1024;
        match self {
            Self::Key | Self::Signature => 64 * 1024,
            // 64 certificates of at most 16 KiB, as base64 PEM with headers.
            Self::Certificates => 2 * mib,
            Self::Credential | Self::Portrait => license::MAX_CREDENTIAL_SIZE as u64,
            Self::StatusList => status::MAX_TOKEN_SIZE as u64,
            Self::Seal => seal::MAX_SEAL_SIZE as u64,
            Self::Ofd => seal::ofd::OfdLimits::default().max_package_bytes,
            Self::Image => present::qr_image::MAX_IMAGE_BYTES as u64,
            // Room for the certificates of the seal in MAX_SEAL_SIZE.
            Self::SealPicture => seal::MAX_SEAL_SIZE as u64 / 2,
            // JSON escapes can double the text; the credential limit applies at issuance.
            Self::LicenseJson => 2 * license::MAX_CREDENTIAL_SIZE as u64,
            Self::Document => 256 * mib,
            Self::QrText => 64 * 1024,
            Self::ReplayCache => 16 * mib,
            Self::TrustList => yinxin::trust::list::MAX_TRUST_LIST_SIZE as u64,
            Self::Secret => 4 * 1024,
            Self::WalletBackup => yinxin::wallet::store::MAX_BACKUP,
        }
    }

    /// The stable code for going past the limit.
    pub fn code(self) -> &'static str {
        match self {
            Self::Key => "limit.key",
            Self::Signature => "limit.signature",
            Self::Certificates => "limit.certificate",
            Self::Credential => "limit.credential",
            Self::StatusList => "limit.status_list",
            Self::Seal => "limit.seal",
            Self::Ofd => "limit.ofd",
            Self::Image => "limit.image",
            Self::SealPicture => "limit.seal_picture",
            Self::LicenseJson => "limit.license_json",
            Self::Portrait => "limit.portrait",
            Self::Document => "limit.document",
            Self::QrText => "limit.qr_text",
            Self::ReplayCache => "limit.replay_cache",
            Self::TrustList => "limit.trust_list",
            Self::Secret => "limit.secret",
            Self::WalletBackup => "limit.wallet_backup",
        }
    }

    /// What the file is, in words.
    fn what(self) -> &'static str {
        match self {
            Self::Key => "a key file",
            Self::Signature => "a signature",
            Self::Certificates => "a certificate file",
            Self::Credential => "a credential",
            Self::StatusList => "a status list",
            Self::Seal => "a seal or seal signature",
            Self::Ofd => "an OFD package",
            Self::Image => "an image",
            Self::SealPicture => "a seal picture",
            Self::LicenseJson => "a license in JSON",
            Self::Portrait => "a portrait",
            Self::Document => "a document",
            Self::QrText => "a QR text",
            Self::ReplayCache => "a replay cache",
            Self::TrustList => "a trust list",
            Self::Secret => "a PIN or passphrase input",
            Self::WalletBackup => "a wallet backup",
        }
    }

    /// The failure for `path` going past the limit.
    pub fn too_large(self, path: &str) -> Failure {
        Failure {
            code: self.code(),
            message: format!(
                "{path}: larger than {}, the most {} may be",
                size_text(self.limit()),
                self.what()
            ),
            exit: EXIT_UNREADABLE,
        }
    }

    /// Reads `path` (standard input for `-`), refusing it past the limit without reading
    /// more than one byte beyond it.
    pub fn read(self, path: &str) -> Result<Vec<u8>, Failure> {
        let limit = self.limit();
        let mut buf = Vec::new();
        let read = if path == "-" {
            std::io::stdin()
                .lock()
                .take(limit + 1)
                .read_to_end(&mut buf)
                .map_err(|e| Failure::io(&e, "<stdin>"))
        } else {
            let file = std::fs::File::open(path).map_err(|e| Failure::io(&e, path))?;
            // A regular file says its size: refused before anything is read.
            if file.metadata().is_ok_and(|m| m.is_file() && m.len() > limit) {
                return Err(self.too_large(path));
            }
            file.take(limit + 1).read_to_end(&mut buf).map_err(|e| Failure::io(&e, path))
        };
        read?;
        if buf.len() as u64 > limit {
            return Err(self.too_large(path));
        }
        Ok(buf)
    }

    /// Reads a file as bytes, or as hex text with `hex` (twice the limit in characters, with
    /// room for line breaks).
    pub fn read_maybe_hex(self, path: &str, hex: bool) -> Result<Vec<u8>, Failure> {
        if !hex {
            return self.read(path);
        }
        let mut buf = Vec::new();
        let limit = self.limit().saturating_mul(2).saturating_add(self.limit() / 16);
        let file: Box<dyn Read> = if path == "-" {
            Box::new(std::io::stdin().lock())
        } else {
            Box::new(std::fs::File::open(path).map_err(|e| Failure::io(&e, path))?)
        };
        file.take(limit + 1).read_to_end(&mut buf).map_err(|e| Failure::io(&e, path))?;
        if buf.len() as u64 > limit {
            return Err(self.too_large(path));
        }
        let text = String::from_utf8(buf).map_err(|_| Failure::usage("--hex: the file is not text"))?;
        let compact: String = text.split_whitespace().collect();
        hex::decode(compact).map_err(|e| Failure::usage(format!("--hex: {e}")))
    }
}

/// A size as people read it: `64 KiB`, `1 MiB`, `512 MiB`.
pub fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_is_read_only_up_to_the_limit() {
        let e = Input::Key.read("/dev/zero").unwrap_err();
        assert_eq!(e.code, "limit.key");
        assert_eq!(e.message, "/dev/zero: larger than 64 KiB, the most a key file may be");
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size_text(64 * 1024), "64 KiB");
        assert_eq!(size_text(512 << 20), "512 MiB");
        assert_eq!(size_text(1000), "1000 bytes");
    }
}
