//! The holder's store: many licenses of one holder (a person, or a legal entity), each with its
//! own holder key, encrypted at rest in a directory, shown only with the showing PIN (亮证密码),
//! every presentation written to a consent log (decision 0018).
//!
//! ```text
//! W/wallet.yx          the wallet file: id, suite, the wrapped data key, sealed settings,
//!                      the count of wrong PINs (meta)
//! W/attempts.yx        a mirror of that count: the higher of the two wins
//! W/licenses/<id>.yx   one sealed file per license: credential, holder key, summary
//! W/history/<id>.yx    one sealed file per consent log entry
//! ```
//!
//! A random data key seals every file (ChaCha20-Poly1305, or SM4-GCM for GM-only wallets). The
//! platform keystore wraps it ([`Protection::Keystore`]), or, in the software fallback, a key
//! derived from the PIN with Argon2id ([`Protection::Pin`]). File names are random: no element
//! value, salt or private key reaches the disk in clear. A damaged license file is reported by
//! name and the others still open.
//!
//! ```
//! # use yinxin::wallet::store::{CreateOptions, WalletStore, Pin};
//! # let dir = tempfile::tempdir()?;
//! let pin = Pin::new("246810")?;
//! let store = WalletStore::create(dir.path().join("w"), &pin, CreateOptions::for_tests())?;
//! let wallet = store.unlock(&pin, time::OffsetDateTime::now_utc())?;
//! assert!(wallet.licenses()?.licenses.is_empty());
//! assert!(WalletStore::open(dir.path().join("w"), None)?.unlock(&Pin::new("000000")?, time::OffsetDateTime::now_utc()).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod backup;
mod files;
mod meta;
mod pin;
mod protect;
mod record;
mod sealing;
mod unlocked;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ciborium::Value;
use time::OffsetDateTime;
use zeroize::Zeroizing;

pub use backup::{MAX_BACKUP, MIN_PASSPHRASE, Passphrase, Restored};
pub use pin::{Attempts, FIRST_LOCKOUT, FREE_ATTEMPTS, MAX_LOCKOUT, PIN_DIGITS, Pin};
pub use protect::{KdfParams, Protection, StorageKeyGuard};
pub use record::{ConsentEntry, VerifierInfo};
pub use sealing::Suite;
pub use unlocked::{Listing, UnlockedWallet};

use self::meta::{Guarded, Meta};
use self::sealing::SealingKey;
use crate::cose::cbor::{decode_value, encode_value};
use crate::wallet::WalletError;

/// At most this many licenses or log entries are read from a wallet directory.
pub const MAX_RECORDS: usize = 10_000;

/// The holder's choices when a wallet is created.
#[derive(Debug, Clone)]
pub struct CreateOptions {
    /// The AEAD ([`Suite::Sm4Gcm`] under the GM-only policy).
    pub suite: Suite,
    /// What protects the data key.
    pub protection: Protection,
    /// The roots (DER certificates) under which verifier certificates of requests are accepted.
    pub verifier_anchors: Vec<Vec<u8>>,
    /// Elements a verifier may never obtain with an unauthenticated request.
    pub sensitive: Vec<String>,
}

impl Default for CreateOptions {
    fn default() -> Self {
        Self {
            suite: Suite::ChaCha20Poly1305,
            protection: Protection::default(),
            verifier_anchors: Vec::new(),
            sensitive: vec!["holder_code".into(), "resident_id_number".into()],
        }
    }
}

impl CreateOptions {
    /// The defaults with a cheap key derivation: for tests and examples only (a real wallet
    /// uses [`KdfParams::PIN`]).
    pub fn for_tests() -> Self {
        Self {
            protection: Protection::Pin(KdfParams { memory_kib: 64, iterations: 1, lanes: 1 }),
            ..Self::default()
        }
    }
}

/// The settings sealed in the wallet file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Settings {
    pub verifier_anchors: Vec<Vec<u8>>,
    pub sensitive: Vec<String>,
}

impl Settings {
    pub(crate) fn encode(&self) -> Result<Vec<u8>, WalletError> {
        encode_value(&Value::Map(vec![
            (
                Value::from("anchors"),
                Value::Array(self.verifier_anchors.iter().map(|a| Value::Bytes(a.clone())).collect()),
            ),
            (
                Value::from("sensitive"),
                Value::Array(self.sensitive.iter().map(|s| Value::from(s.as_str())).collect()),
            ),
        ]))
        .map_err(|_| WalletError::Io("encoding failed".into()))
    }

    pub(crate) fn decode(bytes: &[u8]) -> Option<Self> {
        let v = decode_value(bytes).ok()?;
        let m = v.as_map()?;
        Some(Self {
            verifier_anchors: meta::get(m, "anchors")?
                .as_array()?
                .iter()
                .map(|a| a.as_bytes().cloned())
                .collect::<Option<_>>()?,
            sensitive: meta::get(m, "sensitive")?
                .as_array()?
                .iter()
                .map(|s| s.as_text().map(str::to_owned))
                .collect::<Option<_>>()?,
        })
    }
}

fn key_aad(id: &[u8; 16], suite: Suite) -> Vec<u8> {
    let mut aad = b"yinxin-wallet/key\0".to_vec();
    aad.extend_from_slice(id);
    aad.extend_from_slice(suite.name().as_bytes());
    aad
}

pub(crate) fn settings_aad(id: &[u8; 16]) -> Vec<u8> {
    let mut aad = b"yinxin-wallet/settings\0".to_vec();
    aad.extend_from_slice(id);
    aad
}

/// A wallet directory, locked: only the count of wrong PINs can be read until
/// [`WalletStore::unlock`].
pub struct WalletStore {
    dir: PathBuf,
    keystore: Option<Arc<dyn StorageKeyGuard>>,
}

impl std::fmt::Debug for WalletStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WalletStore").field("dir", &self.dir).finish_non_exhaustive()
    }
}

pub(crate) fn is_empty_dir(dir: &Path) -> Result<bool, WalletError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(files::io(dir, e)),
    }
}

impl WalletStore {
    /// Creates a wallet in `dir` (new or empty) whose showing PIN is `pin`.
    pub fn create(dir: impl Into<PathBuf>, pin: &Pin, options: CreateOptions) -> Result<Self, WalletError> {
        let dir = dir.into();
        if !is_empty_dir(&dir)? {
            return Err(WalletError::Exists(dir.display().to_string()));
        }
        let data_key = SealingKey::generate(options.suite)?;
        let id: [u8; 16] = sealing::random()?;
        let settings = Settings { verifier_anchors: options.verifier_anchors, sensitive: options.sensitive };
        Self::write_new(&dir, id, &data_key, &settings.encode()?, pin, &options.protection)?;
        let keystore = match options.protection {
            Protection::Keystore(k) => Some(k),
            Protection::Pin(_) => None,
        };
        Ok(Self { dir, keystore })
    }

    /// Writes the wallet file of a new (or restored) wallet and its directories.
    pub(crate) fn write_new(
        dir: &Path,
        id: [u8; 16],
        data_key: &SealingKey,
        settings: &[u8],
        pin: &Pin,
        protection: &Protection,
    ) -> Result<(), WalletError> {
        let suite = data_key.suite();
        let (guarded, key) = match protection {
            Protection::Pin(kdf) => {
                let kdf = kdf
                    .checked()
                    .ok_or_else(|| WalletError::Io("key derivation parameters out of bounds".into()))?;
                let salt: [u8; 16] = sealing::random()?;
                let kek = kdf.derive(pin.bytes(), &salt, suite.key_len())?;
                let kek = SealingKey::from_bytes(suite, &kek)
                    .ok_or_else(|| WalletError::Io("key length".into()))?;
                (Guarded::Pin { kdf, salt }, kek.seal(&key_aad(&id, suite), data_key.bytes())?)
            }
            Protection::Keystore(guard) => {
                let pin_salt: [u8; 16] = sealing::random()?;
                let pin_tag = pin::pin_tag(data_key.bytes(), &pin_salt, pin)?;
                (
                    Guarded::Keystore { pin_salt, pin_tag },
                    guard.wrap(data_key.bytes()).map_err(WalletError::Keystore)?,
                )
            }
        };
        let meta = Meta {
            id,
            suite,
            guarded,
            key,
            settings: data_key.seal(&settings_aad(&id), settings)?,
            attempts: Attempts::default(),
        };
        for sub in ["", record::Kind::License.dir(), record::Kind::History.dir()] {
            files::create_private_dir(&dir.join(sub))?;
        }
        meta.store(dir)
    }

    /// The wallet in `dir`; `keystore` must be given for a wallet whose data key the platform
    /// keystore protects.
    pub fn open(
        dir: impl Into<PathBuf>,
        keystore: Option<Arc<dyn StorageKeyGuard>>,
    ) -> Result<Self, WalletError> {
        let dir = dir.into();
        Meta::load(&dir)?;
        Ok(Self { dir, keystore })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The count of wrong PINs, and until when the wallet is locked.
    pub fn attempts(&self) -> Result<Attempts, WalletError> {
        Ok(Meta::load(&self.dir)?.attempts)
    }

    /// Opens the wallet with the showing PIN at `now`. A wrong PIN is counted before it is
    /// checked; the fifth locks the wallet ([`WalletError::Locked`], with the time it opens
    /// again), and a right one resets the count.
    pub fn unlock(&self, pin: &Pin, now: OffsetDateTime) -> Result<UnlockedWallet, WalletError> {
        let (meta, data_key) = check_pin_in(&self.dir, now, |meta| self.data_key(meta, pin))?;
        let settings = data_key
            .open(&settings_aad(&meta.id), &meta.settings)
            .and_then(|s| Settings::decode(&s))
            .ok_or_else(|| WalletError::Damaged("the settings do not open with the wallet's key".into()))?;
        let pin_salt: [u8; 16] = sealing::random()?;
        let pin_tag = pin::pin_tag(data_key.bytes(), &pin_salt, pin)?;
        Ok(UnlockedWallet::new(self.dir.clone(), meta.id, data_key, settings, pin_salt, pin_tag))
    }

    /// The data key if `pin` is right (`Ok(None)` if it is wrong).
    fn data_key(&self, meta: &Meta, pin: &Pin) -> Result<Option<SealingKey>, WalletError> {
        match &meta.guarded {
            Guarded::Pin { kdf, salt } => {
                let kek = kdf.derive(pin.bytes(), salt, meta.suite.key_len())?;
                let kek = SealingKey::from_bytes(meta.suite, &kek)
                    .ok_or_else(|| WalletError::Io("key length".into()))?;
                Ok(kek
                    .open(&key_aad(&meta.id, meta.suite), &meta.key)
                    .and_then(|k| SealingKey::from_bytes(meta.suite, &k)))
            }
            Guarded::Keystore { pin_salt, pin_tag } => {
                let guard = self.keystore.as_ref().ok_or_else(|| {
                    WalletError::Keystore("this wallet's key is in the platform keystore".into())
                })?;
                let key = Zeroizing::new(guard.unwrap(&meta.key).map_err(WalletError::Keystore)?);
                let key = SealingKey::from_bytes(meta.suite, &key).ok_or_else(|| {
                    WalletError::Keystore("the keystore returned a key of the wrong length".into())
                })?;
                Ok(pin::pin_matches(key.bytes(), pin_salt, pin, pin_tag).then_some(key))
            }
        }
    }
}

/// The durable attempt count around one PIN check: refused while locked; counted as wrong on
/// disk first; reset when right. An error of `check` other than a wrong PIN (the keystore
/// failed) restores the count.
pub(crate) fn check_pin_in<T>(
    dir: &Path,
    now: OffsetDateTime,
    check: impl FnOnce(&Meta) -> Result<Option<T>, WalletError>,
) -> Result<(Meta, T), WalletError> {
    let mut meta = Meta::load(dir)?;
    if let Some(until) = meta.attempts.locked_at(now) {
        return Err(WalletError::Locked { until });
    }
    let before = meta.attempts;
    meta.attempts = before.after_wrong(now);
    meta.store(dir)?;
    match check(&meta) {
        Ok(Some(value)) => {
            meta.attempts = Attempts::default();
            meta.store(dir)?;
            Ok((meta, value))
        }
        Ok(None) => Err(match meta.attempts.locked_at(now) {
            Some(until) => WalletError::Locked { until },
            None => WalletError::PinWrong { left: meta.attempts.left() },
        }),
        Err(e) => {
            meta.attempts = before;
            meta.store(dir)?;
            Err(e)
        }
    }
}

/// Every decoder of the store's files, for the fuzz target `wallet_files`: none may panic, and
/// whatever the wallet file decoder accepts encodes back to an equal value.
#[cfg(any(fuzzing, test))]
pub(crate) fn fuzz_decoders(data: &[u8]) {
    if let Ok(m) = Meta::decode(data) {
        let again = m.encode().map(|b| Meta::decode(&b).ok());
        assert!(matches!(again, Ok(Some(ref n)) if *n == m), "wallet file round trip");
    }
    let _ = record::unwrap_file(data);
    let _ = record::LicenseRecord::decode(data);
    let _ = record::ConsentEntry::decode(data);
    let _ = Settings::decode(data);
    let _ = backup::parse(data);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fuzz target's checks on real files of a wallet and every prefix of them.
    #[test]
    fn decoders_refuse_cut_files_without_panicking() {
        let dir = tempfile::tempdir().expect("dir");
        let pin = Pin::new("246810").expect("pin");
        let store =
            WalletStore::create(dir.path().join("w"), &pin, CreateOptions::for_tests()).expect("create");
        let meta = std::fs::read(store.dir().join(meta::META_FILE)).expect("read");
        assert!(Meta::decode(&meta).is_ok());
        for n in 0..meta.len() {
            fuzz_decoders(&meta[..n]);
            assert!(Meta::decode(&meta[..n]).is_err(), "cut to {n}");
        }
        fuzz_decoders(&meta);
    }
}
