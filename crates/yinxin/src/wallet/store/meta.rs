//! The wallet file (`wallet.yx`) and the mirror of its attempt count (`attempts.yx`).
//!
//! `wallet.yx` is a CBOR map `{"format": "yinxin-wallet", "v": 1, "static": bstr, "sum": bstr,
//! "attempts": [failed, locked until]}`. `static` is the CBOR map of what never changes after
//! creation: the wallet id (16 random bytes), the suite, how the data key is protected
//! (`"kdf": [memory KiB, passes, lanes, salt]` for the PIN, or `"keystore": [PIN salt, PIN
//! tag]`), the wrapped data key and the sealed settings. `sum` is its SHA-256, so accidental
//! damage is told apart from a wrong PIN. `attempts.yx` is `[wallet id, failed, locked until]`.

use std::path::Path;

use ciborium::Value;
use sha2::{Digest as _, Sha256};

use super::files::{read_limited, write_atomic};
use super::pin::Attempts;
use super::protect::KdfParams;
use super::sealing::Suite;
use crate::cose::cbor::{decode_value, encode_value};
use crate::wallet::WalletError;

pub(crate) const META_FILE: &str = "wallet.yx";
pub(crate) const ATTEMPTS_FILE: &str = "attempts.yx";
const FORMAT: &str = "yinxin-wallet";
const VERSION: u64 = 1;
/// The wallet file holds keys, salts and the settings (verifier anchors): far below this.
pub(crate) const MAX_META: u64 = 1 << 20;

/// How the data key is protected, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Guarded {
    /// Wrapped under Argon2id(PIN, salt).
    Pin { kdf: KdfParams, salt: [u8; 16] },
    /// Wrapped by the platform keystore; the PIN is checked against `tag`.
    Keystore { pin_salt: [u8; 16], pin_tag: [u8; 32] },
}

/// The content of `wallet.yx`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Meta {
    pub id: [u8; 16],
    pub suite: Suite,
    pub guarded: Guarded,
    /// The wrapped data key.
    pub key: Vec<u8>,
    /// The settings, sealed under the data key.
    pub settings: Vec<u8>,
    pub attempts: Attempts,
}

fn damaged(what: &str) -> WalletError {
    WalletError::Damaged(what.to_owned())
}

fn enc<E>(_: E) -> WalletError {
    WalletError::Io("encoding failed".into())
}

pub(crate) fn get<'a>(map: &'a [(Value, Value)], key: &str) -> Option<&'a Value> {
    map.iter().find(|(k, _)| k.as_text() == Some(key)).map(|(_, v)| v)
}

pub(crate) fn get_bytes<'a>(map: &'a [(Value, Value)], key: &str) -> Option<&'a [u8]> {
    get(map, key).and_then(Value::as_bytes).map(Vec::as_slice)
}

pub(crate) fn uint(v: Option<&Value>) -> Option<u64> {
    v.and_then(Value::as_integer).and_then(|i| u64::try_from(i).ok())
}

fn u32_of(v: Option<&Value>) -> Option<u32> {
    uint(v).and_then(|n| u32::try_from(n).ok())
}

fn array16(v: Option<&Value>) -> Option<[u8; 16]> {
    v.and_then(Value::as_bytes).and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok())
}

fn attempts_value(a: Attempts) -> Value {
    Value::Array(vec![Value::from(a.failed), Value::from(a.locked_until)])
}

fn attempts_of(v: Option<&Value>) -> Option<Attempts> {
    let [failed, until] = v?.as_array()?.as_slice() else { return None };
    Some(Attempts { failed: u32_of(Some(failed))?, locked_until: i64::try_from(until.as_integer()?).ok()? })
}

impl Meta {
    fn static_part(&self) -> Result<Vec<u8>, WalletError> {
        let guard = match &self.guarded {
            Guarded::Pin { kdf, salt } => (
                "kdf",
                Value::Array(vec![
                    Value::from(kdf.memory_kib),
                    Value::from(kdf.iterations),
                    Value::from(kdf.lanes),
                    Value::Bytes(salt.to_vec()),
                ]),
            ),
            Guarded::Keystore { pin_salt, pin_tag } => (
                "keystore",
                Value::Array(vec![Value::Bytes(pin_salt.to_vec()), Value::Bytes(pin_tag.to_vec())]),
            ),
        };
        encode_value(&Value::Map(vec![
            (Value::from("id"), Value::Bytes(self.id.to_vec())),
            (Value::from("suite"), Value::from(self.suite.name())),
            (Value::from(guard.0), guard.1),
            (Value::from("key"), Value::Bytes(self.key.clone())),
            (Value::from("settings"), Value::Bytes(self.settings.clone())),
        ]))
        .map_err(enc)
    }

    /// The bytes of `wallet.yx`.
    pub(crate) fn encode(&self) -> Result<Vec<u8>, WalletError> {
        let static_part = self.static_part()?;
        let sum = Sha256::digest(&static_part).to_vec();
        encode_value(&Value::Map(vec![
            (Value::from("format"), Value::from(FORMAT)),
            (Value::from("v"), Value::from(VERSION)),
            (Value::from("static"), Value::Bytes(static_part)),
            (Value::from("sum"), Value::Bytes(sum)),
            (Value::from("attempts"), attempts_value(self.attempts)),
        ]))
        .map_err(enc)
    }

    /// Reads `wallet.yx`; anything but a whole, undamaged wallet file is [`WalletError::Damaged`].
    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, WalletError> {
        let top = decode_value(bytes).map_err(|_| damaged("not CBOR"))?;
        let top = top.as_map().ok_or_else(|| damaged("not a wallet file"))?;
        if get(top, "format").and_then(Value::as_text) != Some(FORMAT) {
            return Err(damaged("not a wallet file"));
        }
        if uint(get(top, "v")) != Some(VERSION) {
            return Err(damaged("a wallet format this version does not read"));
        }
        let static_part = get_bytes(top, "static").ok_or_else(|| damaged("no static part"))?;
        if get_bytes(top, "sum") != Some(Sha256::digest(static_part).as_slice()) {
            return Err(damaged("checksum mismatch"));
        }
        let attempts = attempts_of(get(top, "attempts")).ok_or_else(|| damaged("attempt count"))?;
        let s = decode_value(static_part).map_err(|_| damaged("static part"))?;
        let s = s.as_map().ok_or_else(|| damaged("static part"))?;
        let id = array16(get(s, "id")).ok_or_else(|| damaged("id"))?;
        let suite = get(s, "suite")
            .and_then(Value::as_text)
            .and_then(Suite::from_name)
            .ok_or_else(|| damaged("unknown suite"))?;
        let guarded = if let Some(kdf) = get(s, "kdf").and_then(Value::as_array) {
            let [m, t, p, salt] = kdf.as_slice() else { return Err(damaged("kdf")) };
            let kdf = KdfParams {
                memory_kib: u32_of(Some(m)).ok_or_else(|| damaged("kdf"))?,
                iterations: u32_of(Some(t)).ok_or_else(|| damaged("kdf"))?,
                lanes: u32_of(Some(p)).ok_or_else(|| damaged("kdf"))?,
            }
            .checked()
            .ok_or_else(|| damaged("key derivation parameters out of bounds"))?;
            Guarded::Pin { kdf, salt: array16(Some(salt)).ok_or_else(|| damaged("kdf salt"))? }
        } else if let Some(ks) = get(s, "keystore").and_then(Value::as_array) {
            let [salt, tag] = ks.as_slice() else { return Err(damaged("keystore")) };
            Guarded::Keystore {
                pin_salt: array16(Some(salt)).ok_or_else(|| damaged("keystore"))?,
                pin_tag: tag
                    .as_bytes()
                    .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
                    .ok_or_else(|| damaged("keystore"))?,
            }
        } else {
            return Err(damaged("no key protection"));
        };
        Ok(Self {
            id,
            suite,
            guarded,
            key: get_bytes(s, "key").ok_or_else(|| damaged("key"))?.to_vec(),
            settings: get_bytes(s, "settings").ok_or_else(|| damaged("settings"))?.to_vec(),
            attempts,
        })
    }

    /// Reads the wallet in `dir`, its attempt count the higher of the two files'.
    pub(crate) fn load(dir: &Path) -> Result<Self, WalletError> {
        let path = dir.join(META_FILE);
        let bytes =
            read_limited(&path, MAX_META)?.ok_or_else(|| WalletError::NotFound(dir.display().to_string()))?;
        let mut meta = Self::decode(&bytes)?;
        // A mirror of another wallet, or a damaged one, is ignored: the count can only go up.
        if let Ok(Some(mirror)) = read_limited(&dir.join(ATTEMPTS_FILE), 256) {
            if let Some((id, a)) = decode_mirror(&mirror) {
                if id == meta.id {
                    meta.attempts = meta.attempts.max(a);
                }
            }
        }
        Ok(meta)
    }

    /// Writes both files with `self.attempts` (the mirror first).
    pub(crate) fn store(&self, dir: &Path) -> Result<(), WalletError> {
        let mirror = encode_value(&Value::Array(vec![
            Value::Bytes(self.id.to_vec()),
            Value::from(self.attempts.failed),
            Value::from(self.attempts.locked_until),
        ]))
        .map_err(enc)?;
        write_atomic(&dir.join(ATTEMPTS_FILE), &mirror)?;
        write_atomic(&dir.join(META_FILE), &self.encode()?)
    }
}

fn decode_mirror(bytes: &[u8]) -> Option<([u8; 16], Attempts)> {
    let v = decode_value(bytes).ok()?;
    let [id, failed, until] = v.as_array()?.as_slice() else { return None };
    Some((
        array16(Some(id))?,
        Attempts { failed: u32_of(Some(failed))?, locked_until: i64::try_from(until.as_integer()?).ok()? },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Meta {
        Meta {
            id: [7; 16],
            suite: Suite::Sm4Gcm,
            guarded: Guarded::Pin { kdf: KdfParams::PIN, salt: [1; 16] },
            key: vec![2; 44],
            settings: vec![3; 40],
            attempts: Attempts { failed: 2, locked_until: 0 },
        }
    }

    #[test]
    fn round_trip() {
        let m = sample();
        assert_eq!(Meta::decode(&m.encode().expect("encode")).expect("decode"), m);
        let k = Meta { guarded: Guarded::Keystore { pin_salt: [4; 16], pin_tag: [5; 32] }, ..sample() };
        assert_eq!(Meta::decode(&k.encode().expect("encode")).expect("decode"), k);
    }

    #[test]
    fn damage_is_refused_as_damage() {
        let bytes = sample().encode().expect("encode");
        for i in 0..bytes.len() {
            let mut t = bytes.clone();
            t[i] ^= 0x40;
            match Meta::decode(&t) {
                Err(WalletError::Damaged(_)) => {}
                // A flipped bit in the attempt count is not damage of the static part.
                Ok(m) => assert_ne!(m.attempts, sample().attempts, "byte {i} changed nothing?"),
                Err(e) => panic!("byte {i}: {e}"),
            }
        }
        for n in 0..bytes.len() {
            assert!(Meta::decode(&bytes[..n]).is_err(), "truncated to {n}");
        }
    }
}
