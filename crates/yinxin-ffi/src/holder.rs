//! The holder's side: the key (a platform keystore through [`HolderKey`], or a software key)
//! and the [`Wallet`] of licenses that builds presentation QR codes: a thin wrapper over the
//! core's [`yinxin::Wallet`].

use std::sync::Arc;

use yinxin::crypto::{Algorithm, PublicKey, SignError, Signer, SoftwareKey, Verifier as _, der_to_raw};
use yinxin::present::Disclosure;
use yinxin::wallet::WalletError;

use crate::{YinxinError, at};

/// The holder's key, implemented by the app over Android Keystore or the iOS Secure Enclave
/// (both offer P-256: algorithm `es256`).
#[uniffi::export(with_foreign)]
pub trait HolderKey: Send + Sync {
    /// `es256` (ECDSA P-256 with SHA-256), `sm2` or `ed25519`.
    fn algorithm(&self) -> String;
    /// The public key as SubjectPublicKeyInfo DER (Android: `PublicKey.getEncoded()`; iOS:
    /// the X9.63 point wrapped in SPKI).
    fn public_key(&self) -> Vec<u8>;
    /// Signs `message` (the whole message; the algorithm hashes it: `SHA256withECDSA`,
    /// `ecdsaSignatureMessageX962SHA256`). DER (X9.62) or raw `r‖s` signatures are accepted.
    fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>, YinxinError>;
}

/// A [`HolderKey`] as the core library's [`Signer`]; every signature is checked against the
/// public key before it is used, so a keystore answering with another key is caught here.
struct ForeignSigner {
    key: Arc<dyn HolderKey>,
    public: PublicKey,
}

impl ForeignSigner {
    fn new(key: Arc<dyn HolderKey>) -> Result<Self, YinxinError> {
        let alg: Algorithm = key.algorithm().parse().map_err(YinxinError::config)?;
        let public = PublicKey::from_pem_or_der(&key.public_key()).map_err(|e| YinxinError::HolderKey {
            code: "ffi.holder_key_public".into(),
            reason: format!("the holder key's public key is unreadable: {e}"),
        })?;
        if public.algorithm() != alg {
            return Err(YinxinError::HolderKey {
                code: "ffi.holder_key_algorithm".into(),
                reason: format!("the holder key says {alg} but its public key is {}", public.algorithm()),
            });
        }
        Ok(Self { key, public })
    }
}

impl Signer for ForeignSigner {
    fn algorithm(&self) -> Algorithm {
        self.public.algorithm()
    }

    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let sig = self.key.sign(message.to_vec()).map_err(|e| SignError::Signer(e.to_string()))?;
        let raw = if sig.len() == self.public.algorithm().raw_signature_len() {
            sig
        } else {
            der_to_raw(self.public.algorithm(), &sig).map_err(|_| SignError::Malformed)?
        };
        self.public.verify(message, &raw).map_err(|_| {
            SignError::Signer("the holder key's signature does not verify with its public key".into())
        })?;
        Ok(raw)
    }
}

/// A pre-signed disclosure set of a license (small QR codes).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DisclosureSet {
    /// Its name (`counter_check`, `age_and_class`, `full`…).
    pub name: String,
    /// The element identifiers it shows.
    pub elements: Vec<String>,
}

/// What the wallet shows of a stored license (read without a trust anchor: the holder's own).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LicenseSummary {
    /// The license identifier.
    pub identifier: String,
    /// The docType.
    pub doc_type: String,
    /// The license name (营业执照, 机动车驾驶证…).
    pub license_name: Option<String>,
    /// The holder's name.
    pub holder_name: Option<String>,
    /// Last day of validity (`YYYY-MM-DD`), none for long-term licenses.
    pub valid_until: Option<String>,
    /// Every element identifier.
    pub elements: Vec<String>,
    /// The pre-signed disclosure sets.
    pub disclosure_sets: Vec<DisclosureSet>,
}

impl From<yinxin::wallet::LicenseSummary> for LicenseSummary {
    fn from(s: yinxin::wallet::LicenseSummary) -> Self {
        Self {
            identifier: s.identifier,
            doc_type: s.doc_type,
            license_name: s.license_name,
            holder_name: s.holder_name,
            valid_until: s.valid_until,
            elements: s.elements,
            disclosure_sets: s
                .disclosure_sets
                .into_iter()
                .map(|d| DisclosureSet { name: d.name, elements: d.elements })
                .collect(),
        }
    }
}

/// The wallet's key: one copy of it, whichever kind.
enum WalletKey {
    Software(SoftwareKey),
    Keystore(ForeignSigner),
}

impl Signer for WalletKey {
    fn algorithm(&self) -> Algorithm {
        match self {
            Self::Software(k) => k.algorithm(),
            Self::Keystore(k) => k.algorithm(),
        }
    }

    fn public_key(&self) -> &PublicKey {
        match self {
            Self::Software(k) => k.public_key(),
            Self::Keystore(k) => k.public_key(),
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        match self {
            Self::Software(k) => k.sign(message),
            Self::Keystore(k) => k.sign(message),
        }
    }
}

/// The wallet's errors as the bindings have always named them: `ffi.unknown_license` and the
/// holder key's failures (`HolderKey`) kept for apps that match on them.
fn wallet_error(e: WalletError) -> YinxinError {
    match e {
        WalletError::UnknownLicense(id) => {
            YinxinError::config_text("ffi.unknown_license", format!("no license {id} in the wallet"))
        }
        WalletError::Present(yinxin::present::PresentError::Sign(s)) => {
            YinxinError::HolderKey { code: yinxin::ErrorCode::code(&s).to_owned(), reason: s.to_string() }
        }
        WalletError::License(e) => YinxinError::unreadable(e),
        other => YinxinError::invalid(other),
    }
}

/// The holder's wallet: its key and its licenses (kept in memory; the app persists the
/// credentials and the software key itself).
#[derive(uniffi::Object)]
pub struct Wallet {
    inner: yinxin::Wallet<WalletKey>,
}

impl Wallet {
    fn with_key(key: WalletKey) -> Arc<Self> {
        Arc::new(Self { inner: yinxin::Wallet::new(key) })
    }

    fn show(
        &self,
        identifier: &str,
        disclose: Disclosure<'_>,
        at_unix: Option<i64>,
    ) -> Result<String, YinxinError> {
        self.inner.present_qr(identifier, disclose, at(at_unix)?).map_err(wallet_error)
    }
}

#[uniffi::export]
impl Wallet {
    /// A wallet with a new software key (`es256`, `sm2` or `ed25519`).
    #[uniffi::constructor]
    pub fn with_software_key(algorithm: String) -> Result<Arc<Self>, YinxinError> {
        let alg: Algorithm = algorithm.parse().map_err(YinxinError::config)?;
        let key = SoftwareKey::generate(alg).map_err(YinxinError::config)?;
        Ok(Self::with_key(WalletKey::Software(key)))
    }

    /// A wallet with a saved software key (PKCS#8 DER or PEM, from `software_key_pkcs8`).
    #[uniffi::constructor]
    pub fn from_software_key(pkcs8: Vec<u8>) -> Result<Arc<Self>, YinxinError> {
        let key = SoftwareKey::from_pem_or_der(&pkcs8).map_err(YinxinError::unreadable)?;
        Ok(Self::with_key(WalletKey::Software(key)))
    }

    /// A wallet whose key lives in the platform keystore.
    #[uniffi::constructor]
    pub fn with_holder_key(key: Arc<dyn HolderKey>) -> Result<Arc<Self>, YinxinError> {
        Ok(Self::with_key(WalletKey::Keystore(ForeignSigner::new(key)?)))
    }

    /// The holder's public key (SPKI DER): what the issuer binds licenses to.
    pub fn holder_public_key(&self) -> Result<Vec<u8>, YinxinError> {
        self.inner.holder_key().to_spki_der().map_err(YinxinError::config)
    }

    /// The software key (PKCS#8 DER) for the app to keep in its secure storage; an error for a
    /// keystore key, which never leaves the keystore.
    pub fn software_key_pkcs8(&self) -> Result<Vec<u8>, YinxinError> {
        match self.inner.signer() {
            WalletKey::Software(k) => Ok(k.to_pkcs8_der().map_err(YinxinError::config)?.to_vec()),
            WalletKey::Keystore(_) => {
                Err(YinxinError::config_text("ffi.keystore_key", "the key is in the platform keystore"))
            }
        }
    }

    /// Stores a license (replacing one with the same identifier) and returns its summary. A
    /// license bound to another holder key is refused (`wallet.holder_key_mismatch`).
    pub fn add_license(&self, credential: Vec<u8>) -> Result<LicenseSummary, YinxinError> {
        self.inner.add_license(credential).map(Into::into).map_err(wallet_error)
    }

    /// The stored licenses.
    pub fn licenses(&self) -> Vec<LicenseSummary> {
        self.inner.licenses().map(|l| l.into_iter().map(Into::into).collect()).unwrap_or_default()
    }

    /// The credential of a stored license.
    pub fn license(&self, identifier: String) -> Result<Vec<u8>, YinxinError> {
        self.inner.credential(&identifier).map_err(wallet_error)
    }

    /// Removes a license; false when there was none.
    pub fn remove_license(&self, identifier: String) -> bool {
        self.inner.remove_license(&identifier).unwrap_or(false)
    }

    /// QR text showing the chosen elements of a stored license, signed by the holder key now
    /// (or at `at_unix`): the smallest form holding exactly these elements (a pre-signed
    /// disclosure set, or the tree form for any subset: at most 642 characters for one business
    /// license element, about 1,030 for all of it).
    pub fn present(
        &self,
        identifier: String,
        elements: Vec<String>,
        at_unix: Option<i64>,
    ) -> Result<String, YinxinError> {
        let names: Vec<&str> = elements.iter().map(String::as_str).collect();
        self.show(&identifier, Disclosure::Elements(&names), at_unix)
    }

    /// QR text showing every element of a stored license.
    pub fn present_all(&self, identifier: String, at_unix: Option<i64>) -> Result<String, YinxinError> {
        self.show(&identifier, Disclosure::All, at_unix)
    }
}
