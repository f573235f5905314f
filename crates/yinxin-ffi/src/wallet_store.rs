//! The holder's encrypted store through the bindings (issue 19): many licenses behind the
//! showing PIN, a platform keystore protecting the storage key ([`StorageKey`], implemented by
//! the app), requests with reader authentication and consent, agents' delegations. A thin
//! wrapper over the core's `wallet::store`.

use std::sync::Arc;

use yinxin::crypto::{PublicKey, SoftwareKey};
use yinxin::present::Disclosure;
use yinxin::present::request::request_from_text;
use yinxin::wallet::WalletError;
use yinxin::wallet::store::{self, CreateOptions, Passphrase, Pin, Protection, StorageKeyGuard, Suite};

use crate::holder::LicenseSummary;
use crate::{YinxinError, at};

/// The platform keystore as the wallet store uses it: the app wraps the store's data key under
/// a key that never leaves secure hardware (Android Keystore AES-GCM, iOS Secure Enclave) and
/// unwraps it again.
#[uniffi::export(with_foreign)]
pub trait StorageKey: Send + Sync {
    /// The data key, wrapped (encrypted and authenticated) by the keystore.
    fn wrap(&self, key: Vec<u8>) -> Result<Vec<u8>, YinxinError>;
    /// The data key again, from what `wrap` returned.
    fn unwrap(&self, wrapped: Vec<u8>) -> Result<Vec<u8>, YinxinError>;
}

struct Guard(Arc<dyn StorageKey>);

impl StorageKeyGuard for Guard {
    fn wrap(&self, key: &[u8]) -> Result<Vec<u8>, String> {
        self.0.wrap(key.to_vec()).map_err(|e| e.to_string())
    }

    fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, String> {
        self.0.unwrap(wrapped.to_vec()).map_err(|e| e.to_string())
    }
}

fn guard(key: Option<Arc<dyn StorageKey>>) -> Option<Arc<dyn StorageKeyGuard>> {
    key.map(|k| Arc::new(Guard(k)) as Arc<dyn StorageKeyGuard>)
}

fn protection(key: Option<Arc<dyn StorageKey>>) -> Protection {
    guard(key).map_or_else(Protection::default, Protection::Keystore)
}

/// A wrong PIN or a lock-out is a failed check (`Invalid`); unreadable files and input are
/// `Unreadable`; the rest is configuration.
fn err(e: WalletError) -> YinxinError {
    match e {
        WalletError::PinWrong { .. }
        | WalletError::Locked { .. }
        | WalletError::HolderKeyMismatch
        | WalletError::Request(_)
        | WalletError::Present(_) => YinxinError::invalid(e),
        WalletError::Damaged(_)
        | WalletError::RecordDamaged(_)
        | WalletError::TooLarge { .. }
        | WalletError::Backup(_)
        | WalletError::License(_) => YinxinError::unreadable(e),
        other => YinxinError::config(other),
    }
}

fn pin(text: &str) -> Result<Pin, YinxinError> {
    Pin::new(text).map_err(err)
}

/// How a new wallet is made.
#[derive(Debug, Clone, uniffi::Record)]
pub struct WalletStoreOptions {
    /// Seal with SM4-GCM (GM-only deployments) instead of ChaCha20-Poly1305.
    pub gm: bool,
    /// The roots (PEM, possibly several) under which verifier certificates are accepted.
    pub verifier_anchors_pem: String,
    /// Elements never given to an unsigned request; `None`: the holder code and the resident
    /// ID number.
    pub sensitive: Option<Vec<String>>,
}

/// A wallet directory (locked).
#[derive(uniffi::Object)]
pub struct WalletStore {
    inner: store::WalletStore,
}

/// The licenses of a wallet, and the record files that did not open.
#[derive(Debug, Clone, uniffi::Record)]
pub struct WalletListing {
    /// The licenses that opened.
    pub licenses: Vec<LicenseSummary>,
    /// Names of damaged or altered record files (each refused on its own).
    pub damaged: Vec<String>,
}

/// What a verified request asks, to show the holder before the PIN.
#[derive(Debug, Clone, uniffi::Record)]
pub struct RequestInfo {
    /// Whether a verifier certificate under the wallet's anchors signed it.
    pub authenticated: bool,
    /// Who asks (the certificate's name), when authenticated.
    pub verifier_name: Option<String>,
    /// Its USCC, when the certificate names one.
    pub verifier_code: Option<String>,
    /// The elements asked for.
    pub elements: Vec<String>,
    /// Why.
    pub purpose: String,
}

/// One entry of the consent log.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ConsentRecord {
    /// When (Unix seconds).
    pub at_unix: i64,
    /// Which license.
    pub license: String,
    /// The elements shown (or delegated).
    pub elements: Vec<String>,
    /// To whom, for a request or a delegation.
    pub verifier_name: Option<String>,
    /// Its USCC.
    pub verifier_code: Option<String>,
    /// The stated purpose.
    pub purpose: Option<String>,
}

#[uniffi::export]
impl WalletStore {
    /// Creates a wallet in `dir` (new or empty) with the showing PIN `pin` (six digits). With
    /// `storage_key` the platform keystore protects the data key; without, a key derived from
    /// the PIN (Argon2id) does.
    #[uniffi::constructor]
    pub fn create(
        dir: String,
        pin_text: String,
        options: WalletStoreOptions,
        storage_key: Option<Arc<dyn StorageKey>>,
    ) -> Result<Arc<Self>, YinxinError> {
        let anchors = if options.verifier_anchors_pem.trim().is_empty() {
            Vec::new()
        } else {
            yinxin::trust::parse_pem_certificates(options.verifier_anchors_pem.as_bytes())
                .map_err(YinxinError::unreadable)?
                .iter()
                .map(|c| c.der().to_vec())
                .collect()
        };
        let mut create = CreateOptions {
            suite: if options.gm { Suite::Sm4Gcm } else { Suite::ChaCha20Poly1305 },
            protection: protection(storage_key),
            verifier_anchors: anchors,
            ..CreateOptions::default()
        };
        if let Some(s) = options.sensitive {
            create.sensitive = s;
        }
        let inner = store::WalletStore::create(dir, &pin(&pin_text)?, create).map_err(err)?;
        Ok(Arc::new(Self { inner }))
    }

    /// The wallet in `dir`; `storage_key` for a wallet the keystore protects.
    #[uniffi::constructor]
    pub fn open(dir: String, storage_key: Option<Arc<dyn StorageKey>>) -> Result<Arc<Self>, YinxinError> {
        Ok(Arc::new(Self { inner: store::WalletStore::open(dir, guard(storage_key)).map_err(err)? }))
    }

    /// Restores a backup into `dir` (new or empty) with `passphrase`; `pin_text` becomes the
    /// showing PIN.
    #[uniffi::constructor]
    pub fn restore(
        dir: String,
        backup: Vec<u8>,
        passphrase: String,
        pin_text: String,
        storage_key: Option<Arc<dyn StorageKey>>,
    ) -> Result<Arc<Self>, YinxinError> {
        let pass = Passphrase::new(&passphrase).map_err(err)?;
        let restored =
            store::WalletStore::restore(dir, &backup, &pass, &pin(&pin_text)?, protection(storage_key))
                .map_err(err)?;
        Ok(Arc::new(Self { inner: restored.store }))
    }

    /// Opens the wallet with the showing PIN (a wrong one is counted on disk; five lock it).
    pub fn unlock(&self, pin_text: String, at_unix: Option<i64>) -> Result<Arc<UnlockedWallet>, YinxinError> {
        let w = self.inner.unlock(&pin(&pin_text)?, at(at_unix)?).map_err(err)?;
        Ok(Arc::new(UnlockedWallet { inner: w }))
    }

    /// Wrong PINs since the last right one.
    pub fn failed_attempts(&self) -> Result<u32, YinxinError> {
        Ok(self.inner.attempts().map_err(err)?.failed)
    }

    /// Until when (Unix seconds) the wallet is locked, if it is at `at_unix`.
    pub fn locked_until(&self, at_unix: Option<i64>) -> Result<Option<i64>, YinxinError> {
        Ok(self.inner.attempts().map_err(err)?.locked_at(at(at_unix)?).map(|t| t.unix_timestamp()))
    }
}

/// An unlocked wallet. Showing a license asks for the PIN again.
#[derive(uniffi::Object)]
pub struct UnlockedWallet {
    inner: store::UnlockedWallet,
}

fn key(pkcs8: &[u8]) -> Result<SoftwareKey, YinxinError> {
    SoftwareKey::from_pem_or_der(pkcs8).map_err(YinxinError::unreadable)
}

fn qr(code: &[u8]) -> Result<String, YinxinError> {
    yinxin::present::qr_text::encode(code).map_err(YinxinError::unreadable)
}

#[uniffi::export]
impl UnlockedWallet {
    /// Imports a license and its holder key (PKCS#8 DER or PEM): every signed part verified,
    /// the key matched.
    pub fn add(&self, credential: Vec<u8>, holder_key_pkcs8: Vec<u8>) -> Result<LicenseSummary, YinxinError> {
        let now = time::OffsetDateTime::now_utc();
        self.inner.add(credential, &key(&holder_key_pkcs8)?, now).map(Into::into).map_err(err)
    }

    /// Imports an agent's copy of a legal entity's license with the entity's delegation and
    /// the agent's key it names.
    pub fn add_delegated(
        &self,
        credential: Vec<u8>,
        agent_key_pkcs8: Vec<u8>,
        delegation: Vec<u8>,
    ) -> Result<LicenseSummary, YinxinError> {
        let now = time::OffsetDateTime::now_utc();
        self.inner
            .add_delegated(credential, &key(&agent_key_pkcs8)?, delegation, now)
            .map(Into::into)
            .map_err(err)
    }

    /// The licenses, and the record files that did not open.
    pub fn licenses(&self) -> Result<WalletListing, YinxinError> {
        let l = self.inner.licenses().map_err(err)?;
        Ok(WalletListing { licenses: l.licenses.into_iter().map(Into::into).collect(), damaged: l.damaged })
    }

    /// The credential of a license (to show its details).
    pub fn license(&self, identifier: String) -> Result<Vec<u8>, YinxinError> {
        self.inner.credential(&identifier).map_err(err)
    }

    /// Every element of a license (its details, as the holder's own data: the credential's
    /// signatures are checked with the key it carries, not against a trust anchor).
    pub fn details(&self, identifier: String) -> Result<Vec<crate::verifier::DisclosedElement>, YinxinError> {
        let credential = self.inner.credential(&identifier).map_err(err)?;
        let report = yinxin::license::untrusted::inspect(&credential, time::OffsetDateTime::now_utc())
            .map_err(YinxinError::unreadable)?;
        Ok(report
            .into_iter()
            .flat_map(|doc| {
                doc.elements.into_iter().flat_map(|(ns, items)| {
                    items.into_iter().map(move |(id, value)| crate::verifier::DisclosedElement {
                        namespace: ns.clone(),
                        identifier: id,
                        value_json: value.to_json().to_string(),
                    })
                })
            })
            .collect())
    }

    /// Removes a license and its key; false when there was none.
    pub fn remove(&self, identifier: String) -> Result<bool, YinxinError> {
        self.inner.remove(&identifier).map_err(err)
    }

    /// QR text showing `elements` of a license after the PIN; the consent log records it.
    pub fn present(
        &self,
        pin_text: String,
        identifier: String,
        elements: Vec<String>,
        at_unix: Option<i64>,
    ) -> Result<String, YinxinError> {
        let names: Vec<&str> = elements.iter().map(String::as_str).collect();
        let code = self
            .inner
            .present(&pin(&pin_text)?, &identifier, Disclosure::Elements(&names), at(at_unix)?)
            .map_err(err)?;
        qr(&code)
    }

    /// Verifies a verifier's request (its QR text) and says who asks, for what, why: what the
    /// app shows before asking for the PIN. A refused request is an error with its code
    /// (`request.not_authorised`, `request.sensitive`, `request.verifier_untrusted`…).
    pub fn read_request(
        &self,
        request_text: String,
        at_unix: Option<i64>,
    ) -> Result<RequestInfo, YinxinError> {
        let bytes = request_from_text(&request_text).map_err(YinxinError::unreadable)?;
        let r = self.inner.verify_request(&bytes, at(at_unix)?).map_err(err)?;
        Ok(RequestInfo {
            authenticated: r.verifier().is_some(),
            verifier_name: r.verifier().map(|v| v.name.clone()),
            verifier_code: r.verifier().and_then(|v| v.code.clone()),
            elements: r.elements().to_vec(),
            purpose: r.purpose().to_owned(),
        })
    }

    /// Answers a request with a license after the PIN (the holder's consent): exactly the
    /// elements asked for, in a code only that verifier accepts, once.
    pub fn present_for_request(
        &self,
        pin_text: String,
        identifier: String,
        request_text: String,
        at_unix: Option<i64>,
    ) -> Result<String, YinxinError> {
        let now = at(at_unix)?;
        let bytes = request_from_text(&request_text).map_err(YinxinError::unreadable)?;
        let request = self.inner.verify_request(&bytes, now).map_err(err)?;
        let code =
            self.inner.present_for_request(&pin(&pin_text)?, &identifier, &request, now).map_err(err)?;
        qr(&code)
    }

    /// The consent log, oldest first.
    pub fn history(&self) -> Result<Vec<ConsentRecord>, YinxinError> {
        let (entries, _) = self.inner.history().map_err(err)?;
        Ok(entries
            .into_iter()
            .map(|e| ConsentRecord {
                at_unix: e.at.unix_timestamp(),
                license: e.license,
                elements: e.elements,
                verifier_name: e.verifier.as_ref().map(|v| v.name.clone()),
                verifier_code: e.verifier.and_then(|v| v.code),
                purpose: e.purpose,
            })
            .collect())
    }

    /// The entity delegates a license to an agent's device key (SPKI DER or PEM) for `days`
    /// days, after the PIN: the delegation to give the agent's wallet.
    #[allow(clippy::too_many_arguments)]
    pub fn delegate(
        &self,
        pin_text: String,
        identifier: String,
        agent_public_key: Vec<u8>,
        agent_name: String,
        agent_id: String,
        elements: Vec<String>,
        days: u32,
        at_unix: Option<i64>,
    ) -> Result<Vec<u8>, YinxinError> {
        let now = at(at_unix)?;
        let agent = PublicKey::from_pem_or_der(&agent_public_key).map_err(YinxinError::unreadable)?;
        let until = crate::later(now, time::Duration::days(i64::from(days.max(1))), "days")?;
        self.inner
            .delegate(&pin(&pin_text)?, &identifier, &agent, &agent_name, &agent_id, &elements, until, now)
            .map_err(err)
    }

    /// An encrypted backup protected by `passphrase` (at least 12 characters).
    pub fn backup(&self, passphrase: String) -> Result<Vec<u8>, YinxinError> {
        self.inner.backup(&Passphrase::new(&passphrase).map_err(err)?).map_err(err)
    }
}

/// A counter's signed request (decision 0019) as QR text (`YXR1:…`): `verifier_key_pkcs8`
/// signs, `verifier_chain_pem` is its certificate (from
/// `Authority::issue_verifier_certificate`) and issuers.
#[uniffi::export]
pub fn make_request(
    verifier_key_pkcs8: Vec<u8>,
    verifier_chain_pem: String,
    elements: Vec<String>,
    purpose: String,
    at_unix: Option<i64>,
) -> Result<String, YinxinError> {
    let signer = key(&verifier_key_pkcs8)?;
    let chain = yinxin::trust::parse_pem_certificates(verifier_chain_pem.as_bytes())
        .map_err(YinxinError::unreadable)?;
    let names: Vec<&str> = elements.iter().map(String::as_str).collect();
    let request = yinxin::present::request::make_request(&signer, &chain, &names, &purpose, at(at_unix)?)
        .map_err(YinxinError::config)?;
    yinxin::present::request::request_text(&request).map_err(YinxinError::config)
}
