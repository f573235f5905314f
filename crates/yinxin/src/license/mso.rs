//! The MobileSecurityObject (ISO/IEC 18013-5 §9.1.2.4): what the issuer signs.

use std::borrow::Cow;
use std::collections::BTreeMap;

use ciborium::Value;
use coset::{AsCborValue as _, CoseKey};
use time::OffsetDateTime;

use super::value::{format_tdate, parse_tdate};
use super::{LicenseError, StatusReference};
use crate::cose::cbor::{KeySet, Walker, map_get};
use crate::crypto::DigestAlgorithm;

/// validityInfo: when the credential was signed and the period it is valid for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidityInfo {
    /// When the issuer signed.
    pub signed: OffsetDateTime,
    /// Start of validity.
    pub valid_from: OffsetDateTime,
    /// End of validity.
    pub valid_until: OffsetDateTime,
    /// When the issuer expects to re-issue, if it says.
    pub expected_update: Option<OffsetDateTime>,
}

impl ValidityInfo {
    /// JSON form (RFC 3339 texts).
    pub fn to_json(&self) -> serde_json::Value {
        let mut obj = serde_json::json!({
            "signed": format_tdate(self.signed),
            "valid_from": format_tdate(self.valid_from),
            "valid_until": format_tdate(self.valid_until),
        });
        if let (Some(t), Some(map)) = (self.expected_update, obj.as_object_mut()) {
            map.insert("expected_update".into(), format_tdate(t).into());
        }
        obj
    }
}

/// A decoded MobileSecurityObject.
#[derive(Debug, Clone)]
pub(crate) struct Mso<'a> {
    pub digest_algorithm: String,
    /// Digests borrowed from the payload when read, owned when built for issuance.
    pub value_digests: BTreeMap<String, BTreeMap<u64, Cow<'a, [u8]>>>,
    pub device_key: Option<CoseKey>,
    pub doc_type: String,
    pub validity: ValidityInfo,
    pub status: Option<StatusReference>,
    /// The digests of the other parts of the license file (yinxin's `yinxinParts`), so that the
    /// issuer's MSO signature covers them, their names included.
    pub parts: Option<Parts>,
}

/// `"yinxinParts": {"qr": {name: digest of the pre-signed set's bytes}, "tree": digest of the
/// tree claims' bytes}` in the MSO (digests with the MSO's digest algorithm). Readers of plain
/// ISO 18013-5 ignore an MSO key they do not know.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Parts {
    pub qr: Vec<(String, Vec<u8>)>,
    pub tree: Option<Vec<u8>>,
}

/// The MSO key of [`Parts`].
const PARTS: &str = "yinxinParts";

impl Parts {
    fn to_cbor(&self) -> Value {
        let mut map = vec![(
            Value::Text("qr".into()),
            Value::Map(
                self.qr.iter().map(|(n, d)| (Value::Text(n.clone()), Value::Bytes(d.clone()))).collect(),
            ),
        )];
        if let Some(t) = &self.tree {
            map.push((Value::Text("tree".into()), Value::Bytes(t.clone())));
        }
        Value::Map(map)
    }

    fn from_cbor(v: &Value) -> Result<Self, LicenseError> {
        let map = v.as_map().ok_or_else(|| mso_err(PARTS))?;
        let mut keys = crate::cose::cbor::KeySet::default();
        let mut parts = Parts::default();
        for (k, v) in map {
            keys.insert_value(k)?;
            match k.as_text() {
                Some("qr") => {
                    let mut names = crate::cose::cbor::KeySet::default();
                    for (n, d) in v.as_map().ok_or_else(|| mso_err(PARTS))? {
                        names.insert_value(n)?;
                        let name = n.as_text().ok_or_else(|| mso_err(PARTS))?.to_owned();
                        parts.qr.push((name, d.as_bytes().ok_or_else(|| mso_err(PARTS))?.clone()));
                    }
                }
                Some("tree") => parts.tree = Some(v.as_bytes().ok_or_else(|| mso_err(PARTS))?.clone()),
                _ => return Err(mso_err(PARTS)),
            }
        }
        Ok(parts)
    }
}

/// `{ + NameSpace => { + DigestID => Digest } }`.
/// The valueDigests map, borrowing each digest from the input.
type ValueDigests<'a> = BTreeMap<String, BTreeMap<u64, Cow<'a, [u8]>>>;

fn read_value_digests<'a>(w: &mut Walker<'a>) -> Result<ValueDigests<'a>, LicenseError> {
    let mut out = BTreeMap::new();
    let mut keys = KeySet::default();
    for _ in 0..w.map()? {
        let ns = w.text()?;
        keys.insert(ns.as_bytes())?;
        let ns = ns.to_owned();
        let mut ids = BTreeMap::new();
        for _ in 0..w.map()? {
            let id = match w.header()? {
                ciborium_ll::Header::Positive(n) => n,
                _ => return Err(mso_err("digestID")),
            };
            let digest = match w.header()? {
                ciborium_ll::Header::Bytes(Some(len)) => Cow::Borrowed(w.take(len)?),
                _ => return Err(mso_err("digest")),
            };
            if ids.insert(id, digest).is_some() {
                return Err(mso_err("duplicate digestID"));
            }
        }
        if out.insert(ns, ids).is_some() {
            return Err(mso_err("duplicate name space"));
        }
    }
    Ok(out)
}

/// The content of `#6.24(bstr)` spanning all of `bytes`, without copying it.
fn tag24_bytes(bytes: &[u8]) -> Result<&[u8], LicenseError> {
    let mut w = Walker::new(bytes);
    let inner = match (w.header()?, w.header()?) {
        (ciborium_ll::Header::Tag(24), ciborium_ll::Header::Bytes(Some(len))) => w.take(len)?,
        _ => return Err(mso_err("payload is not #6.24(bstr)")),
    };
    if !w.at_end() {
        return Err(mso_err("trailing bytes after the MSO"));
    }
    Ok(inner)
}

fn mso_err(what: &str) -> LicenseError {
    LicenseError::Mso(what.to_owned())
}

fn tdate(value: Option<&Value>, name: &str) -> Result<OffsetDateTime, LicenseError> {
    match value {
        Some(Value::Tag(0, inner)) => inner.as_text().and_then(parse_tdate).ok_or_else(|| mso_err(name)),
        _ => Err(mso_err(name)),
    }
}

fn tdate_value(t: OffsetDateTime) -> Value {
    Value::Tag(0, Box::new(Value::Text(format_tdate(t))))
}

impl<'a> Mso<'a> {
    /// Decodes the COSE_Sign1 payload, `#6.24(bstr .cbor MobileSecurityObject)`.
    pub(crate) fn from_payload(payload: &'a [u8]) -> Result<Self, LicenseError> {
        let inner = tag24_bytes(payload)?;
        // The MSO's top level and valueDigests (most of its bytes) are walked directly; the small
        // sub-structures are read as values.
        let mut w = Walker::new(inner);
        let mut digest_algorithm = None;
        let mut doc_type = None;
        let mut value_digests = None;
        let mut rest: Vec<(Value, Value)> = Vec::new();
        let mut keys = KeySet::default();
        for _ in 0..w.map()? {
            let key = w.text()?;
            keys.insert(key.as_bytes())?;
            match key {
                "digestAlgorithm" if digest_algorithm.is_none() => {
                    digest_algorithm = Some(w.text()?.to_owned())
                }
                "docType" if doc_type.is_none() => doc_type = Some(w.text()?.to_owned()),
                "valueDigests" if value_digests.is_none() => {
                    value_digests = Some(read_value_digests(&mut w)?)
                }
                "digestAlgorithm" | "docType" | "valueDigests" => return Err(mso_err("duplicate key")),
                key => rest.push((Value::Text(key.to_owned()), w.value(1)?)),
            }
        }
        if !w.at_end() {
            return Err(mso_err("trailing bytes"));
        }
        let map = rest.as_slice();
        let digest_algorithm = digest_algorithm.ok_or_else(|| mso_err("digestAlgorithm"))?;
        let doc_type = doc_type.ok_or_else(|| mso_err("docType"))?;
        let value_digests = value_digests.ok_or_else(|| mso_err("valueDigests"))?;
        let device_key = match map_get(map, "deviceKeyInfo").and_then(Value::as_map) {
            Some(info) => match map_get(info, "deviceKey") {
                Some(k) => Some(CoseKey::from_cbor_value(k.clone()).map_err(|_| mso_err("deviceKey"))?),
                None => None,
            },
            None => None,
        };
        let validity_map =
            map_get(map, "validityInfo").and_then(Value::as_map).ok_or_else(|| mso_err("validityInfo"))?;
        let validity = ValidityInfo {
            signed: tdate(map_get(validity_map, "signed"), "validityInfo.signed")?,
            valid_from: tdate(map_get(validity_map, "validFrom"), "validityInfo.validFrom")?,
            valid_until: tdate(map_get(validity_map, "validUntil"), "validityInfo.validUntil")?,
            expected_update: match map_get(validity_map, "expectedUpdate") {
                Some(v) => Some(tdate(Some(v), "validityInfo.expectedUpdate")?),
                None => None,
            },
        };
        if validity.valid_from > validity.valid_until {
            return Err(mso_err("validFrom after validUntil"));
        }
        let status = match map_get(map, "status") {
            None => None,
            Some(s) => Some(StatusReference::from_cbor(s).ok_or_else(|| mso_err("status"))?),
        };
        let parts = match map_get(map, PARTS) {
            None => None,
            Some(p) => Some(Parts::from_cbor(p)?),
        };
        Ok(Self { digest_algorithm, value_digests, device_key, doc_type, validity, status, parts })
    }

    /// The digest algorithm, if yinxin supports it.
    pub(crate) fn digest(&self) -> Result<DigestAlgorithm, LicenseError> {
        DigestAlgorithm::from_mdoc_name(&self.digest_algorithm)
            .ok_or_else(|| LicenseError::DigestAlgorithm(self.digest_algorithm.clone()))
    }

    /// Encodes as the COSE payload `#6.24(bstr .cbor MSO)`.
    pub(crate) fn to_payload(&self) -> Result<Vec<u8>, String> {
        use coset::AsCborValue as _;
        let text = |s: &str| Value::Text(s.to_owned());
        let digests = self
            .value_digests
            .iter()
            .map(|(ns, ids)| {
                (
                    text(ns),
                    Value::Map(
                        ids.iter().map(|(id, d)| (Value::from(*id), Value::Bytes(d.to_vec()))).collect(),
                    ),
                )
            })
            .collect();
        let mut validity = vec![
            (text("signed"), tdate_value(self.validity.signed)),
            (text("validFrom"), tdate_value(self.validity.valid_from)),
            (text("validUntil"), tdate_value(self.validity.valid_until)),
        ];
        if let Some(t) = self.validity.expected_update {
            validity.push((text("expectedUpdate"), tdate_value(t)));
        }
        let mut map = vec![
            (text("version"), text("1.0")),
            (text("digestAlgorithm"), text(&self.digest_algorithm)),
            (text("valueDigests"), Value::Map(digests)),
        ];
        if let Some(k) = &self.device_key {
            let key = k.clone().to_cbor_value().map_err(|e| e.to_string())?;
            map.push((text("deviceKeyInfo"), Value::Map(vec![(text("deviceKey"), key)])));
        }
        map.push((text("docType"), text(&self.doc_type)));
        map.push((text("validityInfo"), Value::Map(validity)));
        if let Some(s) = &self.status {
            map.push((text("status"), s.to_cbor()));
        }
        if let Some(p) = &self.parts {
            map.push((text(PARTS), p.to_cbor()));
        }
        let mso = crate::cose::cbor::encode_value(&Value::Map(map))?;
        crate::cose::cbor::encode_value(&Value::Tag(24, Box::new(Value::Bytes(mso))))
    }
}
