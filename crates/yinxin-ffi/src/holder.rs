//! The holder's side: the key (a platform keystore through [`HolderKey`], or a software key)
//! and the [`Wallet`] of licenses that builds presentation QR codes.

use std::sync::{Arc, Mutex};

use yinxin::crypto::{Algorithm, PublicKey, SignError, Signer, SoftwareKey, Verifier as _, der_to_raw};
use yinxin::license::untrusted;
use yinxin::present::{Disclosure, compact_sets, present, qr_text};

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

/// What the wallet shows of a stored license (read without verifying it: the holder's own).
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

/// The wallet's key: one copy of it, whichever kind.
enum WalletKey {
    Software(SoftwareKey),
    Keystore(ForeignSigner),
}

impl WalletKey {
    fn signer(&self) -> &dyn Signer {
        match self {
            Self::Software(k) => k,
            Self::Keystore(k) => k,
        }
    }
}

struct Stored {
    summary: LicenseSummary,
    credential: Vec<u8>,
}

/// The holder's wallet: its key and its licenses (kept in memory; the app persists the
/// credentials and the software key itself).
#[derive(uniffi::Object)]
pub struct Wallet {
    key: WalletKey,
    licenses: Mutex<Vec<Stored>>,
}

fn text(v: Option<&yinxin::license::ElementValue>) -> Option<String> {
    v.and_then(|e| match e.to_json() {
        serde_json::Value::String(s) => Some(s),
        _ => None,
    })
}

fn summary(credential: &[u8]) -> Result<LicenseSummary, YinxinError> {
    let now = time::OffsetDateTime::now_utc();
    let report = untrusted::inspect(credential, now).map_err(YinxinError::unreadable)?;
    let doc = report.into_iter().next().ok_or_else(|| YinxinError::Unreadable {
        code: "ffi.no_document".into(),
        reason: "no document in the credential".into(),
    })?;
    let meta = doc.elements.get(yinxin::license::META_NAMESPACE);
    let get = |id: &str| text(meta.and_then(|m| m.get(id)));
    let identifier = get("license_identifier").ok_or_else(|| YinxinError::Unreadable {
        code: "ffi.no_identifier".into(),
        reason: "the credential has no license_identifier".into(),
    })?;
    let sets = compact_sets(credential).map_err(YinxinError::unreadable)?;
    Ok(LicenseSummary {
        identifier,
        doc_type: doc.doc_type.clone(),
        license_name: get("license_name"),
        holder_name: get("holder_name"),
        valid_until: get("valid_until"),
        elements: doc.elements.values().flat_map(|m| m.keys().cloned()).collect(),
        disclosure_sets: sets.into_iter().map(|(name, elements)| DisclosureSet { name, elements }).collect(),
    })
}

impl Wallet {
    fn with_key(key: WalletKey) -> Arc<Self> {
        Arc::new(Self { key, licenses: Mutex::new(Vec::new()) })
    }

    fn credential(&self, identifier: &str) -> Result<Vec<u8>, YinxinError> {
        let guard = self
            .licenses
            .lock()
            .map_err(|_| YinxinError::config_text("ffi.poisoned", "wallet lock poisoned"))?;
        guard.iter().find(|s| s.summary.identifier == identifier).map(|s| s.credential.clone()).ok_or_else(
            || {
                YinxinError::config_text(
                    "ffi.unknown_license",
                    format!("no license {identifier} in the wallet"),
                )
            },
        )
    }

    fn show(
        &self,
        identifier: &str,
        disclose: Disclosure<'_>,
        at_unix: Option<i64>,
    ) -> Result<String, YinxinError> {
        let credential = self.credential(identifier)?;
        let p = present(&credential, self.key.signer(), disclose, at(at_unix)?).map_err(|e| match e {
            yinxin::present::PresentError::Sign(s) => {
                YinxinError::HolderKey { code: s_code(&s), reason: s.to_string() }
            }
            other => YinxinError::invalid(other),
        })?;
        qr_text::encode(&p).map_err(YinxinError::invalid)
    }
}

fn s_code(e: &SignError) -> String {
    yinxin::ErrorCode::code(e).to_owned()
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
        self.key.signer().public_key().to_spki_der().map_err(YinxinError::config)
    }

    /// The software key (PKCS#8 DER) for the app to keep in its secure storage; an error for a
    /// keystore key, which never leaves the keystore.
    pub fn software_key_pkcs8(&self) -> Result<Vec<u8>, YinxinError> {
        match &self.key {
            WalletKey::Software(k) => Ok(k.to_pkcs8_der().map_err(YinxinError::config)?.to_vec()),
            WalletKey::Keystore(_) => {
                Err(YinxinError::config_text("ffi.keystore_key", "the key is in the platform keystore"))
            }
        }
    }

    /// Stores a license (replacing one with the same identifier) and returns its summary.
    pub fn add_license(&self, credential: Vec<u8>) -> Result<LicenseSummary, YinxinError> {
        let summary = summary(&credential)?;
        let mut guard = self
            .licenses
            .lock()
            .map_err(|_| YinxinError::config_text("ffi.poisoned", "wallet lock poisoned"))?;
        guard.retain(|s| s.summary.identifier != summary.identifier);
        guard.push(Stored { summary: summary.clone(), credential });
        Ok(summary)
    }

    /// The stored licenses.
    pub fn licenses(&self) -> Vec<LicenseSummary> {
        self.licenses.lock().map(|g| g.iter().map(|s| s.summary.clone()).collect()).unwrap_or_default()
    }

    /// The credential of a stored license.
    pub fn license(&self, identifier: String) -> Result<Vec<u8>, YinxinError> {
        self.credential(&identifier)
    }

    /// Removes a license; false when there was none.
    pub fn remove_license(&self, identifier: String) -> bool {
        self.licenses
            .lock()
            .map(|mut g| {
                let before = g.len();
                g.retain(|s| s.summary.identifier != identifier);
                g.len() != before
            })
            .unwrap_or(false)
    }

    /// QR text showing the chosen elements of a stored license, signed by the holder key now
    /// (or at `at_unix`). A pre-signed disclosure set with exactly these elements gives a small
    /// code; any other subset works too, with a larger one.
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
