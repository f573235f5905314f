//! What the store seals: a license record (`licenses/<id>.yx`) and a consent log entry
//! (`history/<id>.yx`), each a CBOR map sealed on its own so that one damaged file takes no
//! other with it.
//!
//! A record file is `{"v": 1, "sealed": bstr}`; the associated data of the seal names the kind
//! of record, the wallet id and the record id, so a record cannot be moved between wallets,
//! kinds or names.

use ciborium::Value;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::meta::{get, get_bytes, uint};
use crate::cose::cbor::{decode_value, encode_value};
use crate::crypto::SoftwareKey;
use crate::wallet::{DisclosureSet, LicenseSummary, WalletError};

const VERSION: u64 = 1;
/// A license record (credential, key, summary): a few kilobytes; this bounds a hostile one.
pub(crate) const MAX_RECORD: u64 = 4 << 20;
/// A consent log entry.
pub(crate) const MAX_ENTRY: u64 = 64 << 10;

/// The kinds of sealed files.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    License,
    History,
}

impl Kind {
    pub(crate) fn dir(self) -> &'static str {
        match self {
            Self::License => "licenses",
            Self::History => "history",
        }
    }

    pub(crate) fn limit(self) -> u64 {
        match self {
            Self::License => MAX_RECORD,
            Self::History => MAX_ENTRY,
        }
    }

    /// The associated data of a record of this kind.
    pub(crate) fn aad(self, wallet: &[u8; 16], record: &[u8; 16]) -> Vec<u8> {
        let mut aad = format!("yinxin-wallet/{}\0", self.dir()).into_bytes();
        aad.extend_from_slice(wallet);
        aad.extend_from_slice(record);
        aad
    }
}

fn enc<E>(_: E) -> WalletError {
    WalletError::Io("encoding failed".into())
}

/// The file around a sealed record.
pub(crate) fn wrap_file(sealed: Vec<u8>) -> Result<Vec<u8>, WalletError> {
    encode_value(&Value::Map(vec![
        (Value::from("v"), Value::from(VERSION)),
        (Value::from("sealed"), Value::Bytes(sealed)),
    ]))
    .map_err(enc)
}

/// The sealed record in a file; `None` when it is not one.
pub(crate) fn unwrap_file(bytes: &[u8]) -> Option<Vec<u8>> {
    let v = decode_value(bytes).ok()?;
    let m = v.as_map()?;
    (uint(get(m, "v")) == Some(VERSION)).then(|| get_bytes(m, "sealed").map(<[u8]>::to_vec))?
}

/// A stored license: the credential, the holder's key for it, and its summary (so listing does
/// not parse every credential).
pub(crate) struct LicenseRecord {
    pub credential: Vec<u8>,
    pub key: Zeroizing<Vec<u8>>,
    pub sm2_distid: Option<String>,
    pub summary: LicenseSummary,
    pub added: OffsetDateTime,
    /// For an agent's copy of a legal entity's license: the entity's delegation to the key.
    pub delegation: Option<Vec<u8>>,
}

fn texts(v: &[String]) -> Value {
    Value::Array(v.iter().map(|s| Value::from(s.as_str())).collect())
}

fn texts_of(v: Option<&Value>) -> Option<Vec<String>> {
    v?.as_array()?.iter().map(|s| s.as_text().map(str::to_owned)).collect()
}

fn opt_text(v: Option<&str>) -> Value {
    v.map_or(Value::Null, Value::from)
}

fn opt_text_of(v: Option<&Value>) -> Option<Option<String>> {
    match v? {
        Value::Null => Some(None),
        Value::Text(t) => Some(Some(t.clone())),
        _ => None,
    }
}

fn summary_value(s: &LicenseSummary) -> Value {
    Value::Map(vec![
        (Value::from("identifier"), Value::from(s.identifier.as_str())),
        (Value::from("doc_type"), Value::from(s.doc_type.as_str())),
        (Value::from("license_name"), opt_text(s.license_name.as_deref())),
        (Value::from("holder_name"), opt_text(s.holder_name.as_deref())),
        (Value::from("issuer"), opt_text(s.issuer.as_deref())),
        (Value::from("valid_until"), opt_text(s.valid_until.as_deref())),
        (Value::from("elements"), texts(&s.elements)),
        (
            Value::from("sets"),
            Value::Array(
                s.disclosure_sets
                    .iter()
                    .map(|d| Value::Array(vec![Value::from(d.name.as_str()), texts(&d.elements)]))
                    .collect(),
            ),
        ),
    ])
}

fn summary_of(v: Option<&Value>) -> Option<LicenseSummary> {
    let m = v?.as_map()?;
    let sets = get(m, "sets")?
        .as_array()?
        .iter()
        .map(|s| {
            let [name, elements] = s.as_array()?.as_slice() else { return None };
            Some(DisclosureSet { name: name.as_text()?.to_owned(), elements: texts_of(Some(elements))? })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(LicenseSummary {
        identifier: get(m, "identifier")?.as_text()?.to_owned(),
        doc_type: get(m, "doc_type")?.as_text()?.to_owned(),
        license_name: opt_text_of(get(m, "license_name"))?,
        holder_name: opt_text_of(get(m, "holder_name"))?,
        issuer: opt_text_of(get(m, "issuer"))?,
        valid_until: opt_text_of(get(m, "valid_until"))?,
        elements: texts_of(get(m, "elements"))?,
        disclosure_sets: sets,
    })
}

impl LicenseRecord {
    pub(crate) fn encode(&self) -> Result<Zeroizing<Vec<u8>>, WalletError> {
        let value = Value::Map(vec![
            (Value::from("credential"), Value::Bytes(self.credential.clone())),
            (Value::from("key"), Value::Bytes(self.key.to_vec())),
            (Value::from("distid"), opt_text(self.sm2_distid.as_deref())),
            (Value::from("summary"), summary_value(&self.summary)),
            (Value::from("added"), Value::from(self.added.unix_timestamp())),
            (Value::from("delegation"), self.delegation.clone().map_or(Value::Null, Value::Bytes)),
        ]);
        let out = encode_value(&value).map_err(enc);
        // The key's bytes were copied into the value: clear them there too.
        if let Value::Map(mut m) = value {
            if let Some((_, Value::Bytes(b))) = m.get_mut(1) {
                zeroize::Zeroize::zeroize(b);
            }
        }
        out.map(Zeroizing::new)
    }

    pub(crate) fn decode(bytes: &[u8]) -> Option<Self> {
        let mut v = decode_value(bytes).ok()?;
        let record = (|| {
            let m = v.as_map()?;
            Some(Self {
                credential: get_bytes(m, "credential")?.to_vec(),
                key: Zeroizing::new(get_bytes(m, "key")?.to_vec()),
                sm2_distid: opt_text_of(get(m, "distid"))?,
                summary: summary_of(get(m, "summary"))?,
                added: OffsetDateTime::from_unix_timestamp(get(m, "added")?.as_integer()?.try_into().ok()?)
                    .ok()?,
                delegation: match get(m, "delegation")? {
                    Value::Null => None,
                    Value::Bytes(b) => Some(b.clone()),
                    _ => return None,
                },
            })
        })();
        if let Value::Map(m) = &mut v {
            for (_, val) in m.iter_mut() {
                if let Value::Bytes(b) = val {
                    zeroize::Zeroize::zeroize(b);
                }
            }
        }
        record
    }

    /// The holder's signing key of this license.
    pub(crate) fn signer(&self) -> Result<SoftwareKey, WalletError> {
        let key =
            SoftwareKey::from_pkcs8_der(&self.key).map_err(|e| WalletError::HolderKey(e.to_string()))?;
        match &self.sm2_distid {
            Some(d) => key.with_sm2_distid(d).map_err(|e| WalletError::HolderKey(e.to_string())),
            None => Ok(key),
        }
    }
}

/// Who asked, in a consent log entry (requests with reader authentication).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierInfo {
    /// The verifier's name (its certificate's organisation or common name).
    pub name: String,
    /// Its unified social credit code, when the certificate carries one.
    pub code: Option<String>,
    /// Its key id (hex).
    pub key_id: String,
}

/// One entry of the consent log: a presentation the holder made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentEntry {
    /// When.
    pub at: OffsetDateTime,
    /// Which license (its identifier).
    pub license: String,
    /// The elements shown.
    pub elements: Vec<String>,
    /// The verifier that asked, for a request; `None` for a plain QR code shown to whoever
    /// scans it.
    pub verifier: Option<VerifierInfo>,
    /// The purpose the request stated.
    pub purpose: Option<String>,
}

impl ConsentEntry {
    pub(crate) fn encode(&self) -> Result<Vec<u8>, WalletError> {
        let verifier = self.verifier.as_ref().map_or(Value::Null, |v| {
            Value::Array(vec![
                Value::from(v.name.as_str()),
                opt_text(v.code.as_deref()),
                Value::from(v.key_id.as_str()),
            ])
        });
        encode_value(&Value::Map(vec![
            (Value::from("at"), Value::from(self.at.unix_timestamp())),
            (Value::from("license"), Value::from(self.license.as_str())),
            (Value::from("elements"), texts(&self.elements)),
            (Value::from("verifier"), verifier),
            (Value::from("purpose"), opt_text(self.purpose.as_deref())),
        ]))
        .map_err(enc)
    }

    pub(crate) fn decode(bytes: &[u8]) -> Option<Self> {
        let v = decode_value(bytes).ok()?;
        let m = v.as_map()?;
        let verifier = match get(m, "verifier")? {
            Value::Null => None,
            Value::Array(a) => {
                let [name, code, key_id] = a.as_slice() else { return None };
                Some(VerifierInfo {
                    name: name.as_text()?.to_owned(),
                    code: opt_text_of(Some(code))?,
                    key_id: key_id.as_text()?.to_owned(),
                })
            }
            _ => return None,
        };
        Some(Self {
            at: OffsetDateTime::from_unix_timestamp(get(m, "at")?.as_integer()?.try_into().ok()?).ok()?,
            license: get(m, "license")?.as_text()?.to_owned(),
            elements: texts_of(get(m, "elements"))?,
            verifier,
            purpose: opt_text_of(get(m, "purpose"))?,
        })
    }
}
