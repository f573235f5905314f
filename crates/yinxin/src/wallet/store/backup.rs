//! Encrypted backups of a wallet, and restoring one into a new directory.
//!
//! A backup leaves the device, so a 6-digit PIN cannot protect it (a million guesses are an
//! afternoon's work offline): it is protected by a passphrase of at least 12 characters through
//! Argon2id with [`KdfParams::BACKUP`]. The license files and log entries stay sealed as they
//! are under the wallet's data key (and keep the wallet's id); the backup carries the data key
//! wrapped under the passphrase.
//!
//! `{"format": "yinxin-wallet-backup", "v": 1, "id", "suite", "kdf": [m, t, p, salt], "key",
//! "settings", "licenses": [[id, sealed]…], "history": [[id, sealed]…]}`

use std::path::PathBuf;

use ciborium::Value;
use zeroize::Zeroizing;

use super::files::{read_limited, record_ids, write_atomic};
use super::meta::{get, get_bytes, uint};
use super::record::{Kind, unwrap_file, wrap_file};
use super::sealing::{self, SealingKey, Suite};
use super::{KdfParams, MAX_RECORDS, Pin, Protection, Settings, UnlockedWallet, WalletStore, settings_aad};
use crate::cose::cbor::{decode_value, encode_value};
use crate::wallet::WalletError;

const FORMAT: &str = "yinxin-wallet-backup";
const VERSION: u64 = 1;
/// The largest backup read.
pub const MAX_BACKUP: u64 = 256 << 20;
/// The shortest passphrase.
pub const MIN_PASSPHRASE: usize = 12;

/// A backup passphrase: at least 12 characters, zeroized on drop, never printed.
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    /// A passphrase; shorter than 12 characters is [`WalletError::PassphraseTooShort`].
    pub fn new(text: &str) -> Result<Self, WalletError> {
        if text.chars().count() < MIN_PASSPHRASE {
            return Err(WalletError::PassphraseTooShort);
        }
        Ok(Self(Zeroizing::new(text.to_owned())))
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(…)")
    }
}

/// What a restore brought back.
#[derive(Debug)]
pub struct Restored {
    /// The new wallet.
    pub store: WalletStore,
    /// Licenses restored.
    pub licenses: usize,
    /// Consent log entries restored.
    pub history: usize,
    /// Records of the backup that did not open (left out; named by their record id).
    pub damaged: Vec<String>,
}

fn backup_aad(id: &[u8; 16]) -> Vec<u8> {
    let mut aad = b"yinxin-wallet/backup\0".to_vec();
    aad.extend_from_slice(id);
    aad
}

fn bad(what: &str) -> WalletError {
    WalletError::Backup(what.to_owned())
}

impl UnlockedWallet {
    /// An encrypted backup of every license, key and log entry, protected by `passphrase`.
    pub fn backup(&self, passphrase: &Passphrase) -> Result<Vec<u8>, WalletError> {
        self.backup_with(passphrase, KdfParams::BACKUP)
    }

    /// [`UnlockedWallet::backup`] with other key derivation parameters.
    pub fn backup_with(&self, passphrase: &Passphrase, kdf: KdfParams) -> Result<Vec<u8>, WalletError> {
        let (id, key, settings, dir) = self.backup_parts();
        let kdf = kdf.checked().ok_or_else(|| bad("key derivation parameters out of bounds"))?;
        let salt: [u8; 16] = sealing::random()?;
        let kek = kdf.derive(passphrase.0.as_bytes(), &salt, key.suite().key_len())?;
        let kek = SealingKey::from_bytes(key.suite(), &kek).ok_or_else(|| bad("key length"))?;
        let mut parts = Vec::new();
        for kind in [Kind::License, Kind::History] {
            let mut records = Vec::new();
            for rid in record_ids(&dir.join(kind.dir()), MAX_RECORDS)? {
                let path = dir.join(kind.dir()).join(format!("{}.yx", hex::encode(rid)));
                let Some(sealed) = read_limited(&path, kind.limit())?.as_deref().and_then(unwrap_file) else {
                    continue;
                };
                records.push(Value::Array(vec![Value::Bytes(rid.to_vec()), Value::Bytes(sealed)]));
            }
            parts.push(Value::Array(records));
        }
        let [licenses, history]: [Value; 2] = parts.try_into().map_err(|_| bad("parts"))?;
        encode_value(&Value::Map(vec![
            (Value::from("format"), Value::from(FORMAT)),
            (Value::from("v"), Value::from(VERSION)),
            (Value::from("id"), Value::Bytes(id.to_vec())),
            (Value::from("suite"), Value::from(key.suite().name())),
            (
                Value::from("kdf"),
                Value::Array(vec![
                    Value::from(kdf.memory_kib),
                    Value::from(kdf.iterations),
                    Value::from(kdf.lanes),
                    Value::Bytes(salt.to_vec()),
                ]),
            ),
            (Value::from("key"), Value::Bytes(kek.seal(&backup_aad(id), key.bytes())?)),
            (Value::from("settings"), Value::Bytes(key.seal(&settings_aad(id), &settings.encode()?)?)),
            (Value::from("licenses"), licenses),
            (Value::from("history"), history),
        ]))
        .map_err(|_| bad("encoding"))
    }
}

/// A backup's structure, before any key is derived.
pub(crate) struct Parsed {
    id: [u8; 16],
    suite: Suite,
    kdf: KdfParams,
    salt: Vec<u8>,
    key: Vec<u8>,
    settings: Vec<u8>,
    records: Vec<(Kind, [u8; 16], Vec<u8>)>,
}

/// Reads a backup's structure within the limits (size, record count, parameter bounds).
pub(crate) fn parse(backup: &[u8]) -> Result<Parsed, WalletError> {
    if backup.len() as u64 > MAX_BACKUP {
        return Err(WalletError::TooLarge { what: "the backup".into(), limit: MAX_BACKUP });
    }
    let v = decode_value(backup).map_err(|_| bad("not CBOR"))?;
    let m = v.as_map().ok_or_else(|| bad("not a backup"))?;
    if get(m, "format").and_then(Value::as_text) != Some(FORMAT) || uint(get(m, "v")) != Some(VERSION) {
        return Err(bad("not a yinxin wallet backup of a version this one reads"));
    }
    let id: [u8; 16] = get_bytes(m, "id").and_then(|b| b.try_into().ok()).ok_or_else(|| bad("id"))?;
    let suite =
        get(m, "suite").and_then(Value::as_text).and_then(Suite::from_name).ok_or_else(|| bad("suite"))?;
    let Some([mm, t, p, salt]) = get(m, "kdf").and_then(Value::as_array).map(Vec::as_slice) else {
        return Err(bad("kdf"));
    };
    let num = |v: &Value| uint(Some(v)).and_then(|n| u32::try_from(n).ok()).ok_or_else(|| bad("kdf"));
    let kdf = KdfParams { memory_kib: num(mm)?, iterations: num(t)?, lanes: num(p)? }
        .checked()
        .ok_or_else(|| bad("key derivation parameters out of bounds"))?;
    let salt =
        salt.as_bytes().filter(|s| (8..=64).contains(&s.len())).ok_or_else(|| bad("kdf salt"))?.clone();
    let mut records = Vec::new();
    for kind in [Kind::License, Kind::History] {
        let name = kind.dir();
        let list = get(m, name).and_then(Value::as_array).ok_or_else(|| bad(name))?;
        if list.len() > MAX_RECORDS {
            return Err(WalletError::TooLarge {
                what: format!("the backup's {name}"),
                limit: MAX_RECORDS as u64,
            });
        }
        for r in list {
            let Some([rid, sealed]) = r.as_array().map(Vec::as_slice) else { return Err(bad("record")) };
            let (Some(rid), Some(sealed)) = (rid.as_bytes(), sealed.as_bytes()) else {
                return Err(bad("record"));
            };
            let rid = <[u8; 16]>::try_from(rid.as_slice()).map_err(|_| bad("record id"))?;
            records.push((kind, rid, sealed.clone()));
        }
    }
    Ok(Parsed {
        id,
        suite,
        kdf,
        salt,
        key: get_bytes(m, "key").ok_or_else(|| bad("key"))?.to_vec(),
        settings: get_bytes(m, "settings").ok_or_else(|| bad("settings"))?.to_vec(),
        records,
    })
}

impl WalletStore {
    /// Restores a backup into `dir` (new or empty): the passphrase opens it, `pin` becomes the
    /// showing PIN, `protection` protects the data key on this device. Records that do not
    /// open are left out and named.
    pub fn restore(
        dir: impl Into<PathBuf>,
        backup: &[u8],
        passphrase: &Passphrase,
        pin: &Pin,
        protection: Protection,
    ) -> Result<Restored, WalletError> {
        let dir = dir.into();
        if !super::is_empty_dir(&dir)? {
            return Err(WalletError::Exists(dir.display().to_string()));
        }
        let parsed = parse(backup)?;
        let (id, suite, kdf) = (parsed.id, parsed.suite, parsed.kdf);
        let kek = kdf.derive(passphrase.0.as_bytes(), &parsed.salt, suite.key_len())?;
        let kek = SealingKey::from_bytes(suite, &kek).ok_or_else(|| bad("key length"))?;
        let key = kek
            .open(&backup_aad(&id), &parsed.key)
            .and_then(|k| SealingKey::from_bytes(suite, &k))
            .ok_or_else(|| bad("wrong passphrase, or the backup was altered"))?;
        let settings = key
            .open(&settings_aad(&id), &parsed.settings)
            .and_then(|s| Settings::decode(&s))
            .ok_or_else(|| bad("the settings do not open"))?;
        // Every record is checked before anything is written.
        let mut restored = Vec::new();
        let mut damaged = Vec::new();
        for (kind, rid, sealed) in parsed.records {
            if key.open(&kind.aad(&id, &rid), &sealed).is_some() {
                restored.push((kind, rid, sealed));
            } else {
                damaged.push(format!("{}/{}", kind.dir(), hex::encode(rid)));
            }
        }
        WalletStore::write_new(&dir, id, &key, &settings.encode()?, pin, &protection)?;
        let (mut licenses, mut history) = (0, 0);
        for (kind, rid, sealed) in restored {
            write_atomic(
                &dir.join(kind.dir()).join(format!("{}.yx", hex::encode(rid))),
                &wrap_file(sealed)?,
            )?;
            match kind {
                Kind::License => licenses += 1,
                Kind::History => history += 1,
            }
        }
        let keystore = match protection {
            Protection::Keystore(k) => Some(k),
            Protection::Pin(_) => None,
        };
        Ok(Restored { store: WalletStore { dir, keystore }, licenses, history, damaged })
    }
}
