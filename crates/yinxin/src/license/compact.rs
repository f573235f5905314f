//! Compact QR claims: a small issuer-signed object per predefined disclosure set, so a QR code
//! can carry a license's chosen elements without the whole MSO and certificate chain
//! (docs/decisions/0010).
//!
//! COSE_Sign1 (untagged): protected `{1: alg}`, unprotected `{4: kid}` (the issuer key id; the
//! verifier finds the certificate in its trust store and validates it), payload a map with
//! integer keys:
//!
//! | key | value |
//! | --- | --- |
//! | 1 | license type code (text) |
//! | 2 | holder key: `[COSE alg, key bytes]` (Ed25519 raw, P-256/SM2 compressed SEC1) |
//! | 3, 4, 5 | valid from, valid until, signed (Unix seconds; 5 only when it differs from 3) |
//! | 6 | status reference `[uri, index]` (absent when the license has none) |
//! | 7 | elements: metadata by number (1–12, in GB/T 36903 order), surface fields by name |

use std::collections::BTreeMap;

use ciborium::Value;
use coset::{CoseSign1Builder, HeaderBuilder};
use time::OffsetDateTime;

use super::cbor::{decode_value, encode_value};
use super::mso::ValidityInfo;
use super::{ElementValue, IssueError, LicenseError, META_NAMESPACE, StatusReference};
use crate::crypto::{Algorithm, PublicKey, Signer};

/// The metadata elements, numbered 1–12 in this order in compact claims.
pub const META_ORDER: [&str; 12] = [
    "license_name",
    "license_type_code",
    "license_number",
    "license_identifier",
    "issuer_name",
    "issuer_code",
    "issue_date",
    "holder_name",
    "holder_code",
    "holder_code_type",
    "valid_from",
    "valid_until",
];

/// The decoded, still unverified, content of compact claims.
pub(crate) struct CompactClaims {
    pub type_code: String,
    pub holder_key: PublicKey,
    pub validity: ValidityInfo,
    pub status: Option<StatusReference>,
    pub elements: BTreeMap<String, BTreeMap<String, ElementValue>>,
}

fn compressed_key(key: &PublicKey) -> Vec<u8> {
    use p256::elliptic_curve::sec1::ToSec1Point as _;
    let raw = key.to_raw();
    match key.algorithm() {
        Algorithm::Ed25519 => raw,
        Algorithm::Es256 => p256::PublicKey::from_sec1_bytes(&raw)
            .map(|k| k.to_sec1_point(true).as_bytes().to_vec())
            .unwrap_or(raw),
        Algorithm::Sm2Sm3 => sm2::PublicKey::from_sec1_bytes(&raw)
            .map(|k| k.to_sec1_point(true).as_bytes().to_vec())
            .unwrap_or(raw),
    }
}

/// Signs the compact claims of one disclosure set.
#[allow(clippy::too_many_arguments)]
pub(crate) fn sign(
    signer: &dyn Signer,
    type_code: &str,
    holder_key: &PublicKey,
    validity: &ValidityInfo,
    status: Option<&StatusReference>,
    meta: &[(String, ElementValue)],
    surface: &[(String, ElementValue)],
    wanted: &[String],
) -> Result<Vec<u8>, IssueError> {
    let mut elements = Vec::new();
    for name in wanted {
        if let Some(pos) = META_ORDER.iter().position(|m| m == name) {
            let value = meta
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.to_cbor())
                .ok_or_else(|| IssueError::Element(name.clone()))?;
            elements.push((Value::from(pos as u64 + 1), value));
        } else {
            let value = surface
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.to_cbor())
                .ok_or_else(|| IssueError::Element(name.clone()))?;
            elements.push((Value::Text(name.clone()), value));
        }
    }
    let mut payload = vec![
        (Value::from(1), Value::Text(type_code.to_owned())),
        (
            Value::from(2),
            Value::Array(vec![
                Value::from(holder_key.algorithm().cose_value()),
                Value::Bytes(compressed_key(holder_key)),
            ]),
        ),
        (Value::from(3), Value::from(validity.valid_from.unix_timestamp())),
        (Value::from(4), Value::from(validity.valid_until.unix_timestamp())),
    ];
    // `signed` only when it differs from `valid from` (six bytes a QR code can do without).
    if validity.signed != validity.valid_from {
        payload.push((Value::from(5), Value::from(validity.signed.unix_timestamp())));
    }
    if let Some(s) = status {
        payload.push((Value::from(6), Value::Array(vec![Value::Text(s.uri.clone()), Value::from(s.index)])));
    }
    payload.push((Value::from(7), Value::Map(elements)));
    let payload = encode_value(&Value::Map(payload)).map_err(IssueError::Encode)?;
    let mut protected = HeaderBuilder::new().build();
    protected.alg = Some(super::issue::cose_algorithm(signer.algorithm()));
    let unprotected = HeaderBuilder::new().key_id(signer.key_id().as_bytes().to_vec()).build();
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .unprotected(unprotected)
        .payload(payload)
        .try_create_signature(b"", |tbs| signer.sign(tbs))?
        .build();
    use coset::CborSerializable as _;
    sign1.to_vec().map_err(|e| IssueError::Encode(e.to_string()))
}

fn bad(what: &str) -> LicenseError {
    LicenseError::Mso(format!("compact claims: {what}"))
}

fn int(v: Option<&Value>, what: &str) -> Result<i64, LicenseError> {
    v.and_then(Value::as_integer).and_then(|i| i64::try_from(i).ok()).ok_or_else(|| bad(what))
}

fn time(v: Option<&Value>, what: &str) -> Result<OffsetDateTime, LicenseError> {
    OffsetDateTime::from_unix_timestamp(int(v, what)?).map_err(|_| bad(what))
}

/// Decodes compact claims (after the signature was verified).
pub(crate) fn decode(payload: &[u8], doc_type_prefix: &str) -> Result<CompactClaims, LicenseError> {
    let value = decode_value(payload)?;
    let map = value.as_map().ok_or_else(|| bad("not a map"))?;
    let get = |k: i64| map.iter().find(|(key, _)| key.as_integer() == Some(k.into())).map(|(_, v)| v);
    let type_code = get(1).and_then(Value::as_text).ok_or_else(|| bad("type code"))?.to_owned();
    let key = get(2).and_then(Value::as_array).ok_or_else(|| bad("holder key"))?;
    let alg = key
        .first()
        .and_then(Value::as_integer)
        .and_then(|i| i64::try_from(i).ok())
        .and_then(Algorithm::from_cose_value)
        .ok_or(LicenseError::DeviceKey)?;
    let key_bytes = key.get(1).and_then(Value::as_bytes).ok_or(LicenseError::DeviceKey)?;
    let holder_key = PublicKey::from_raw(alg, key_bytes).map_err(|_| LicenseError::DeviceKey)?;
    let validity = ValidityInfo {
        valid_from: time(get(3), "valid from")?,
        valid_until: time(get(4), "valid until")?,
        signed: match get(5) {
            Some(v) => time(Some(v), "signed")?,
            None => time(get(3), "valid from")?,
        },
        expected_update: None,
    };
    if validity.valid_from > validity.valid_until {
        return Err(bad("valid from after valid until"));
    }
    let status = match get(6) {
        None => None,
        Some(v) => {
            let a = v.as_array().ok_or_else(|| bad("status"))?;
            let uri = a.first().and_then(Value::as_text).ok_or_else(|| bad("status uri"))?.to_owned();
            let index = a
                .get(1)
                .and_then(Value::as_integer)
                .and_then(|i| u64::try_from(i).ok())
                .ok_or_else(|| bad("status index"))?;
            Some(StatusReference { index, uri })
        }
    };
    let surface_ns = format!("{doc_type_prefix}{type_code}.1");
    let mut elements: BTreeMap<String, BTreeMap<String, ElementValue>> = BTreeMap::new();
    for (k, v) in get(7).and_then(Value::as_map).ok_or_else(|| bad("elements"))? {
        let (ns, name) = match k {
            Value::Text(name) => (surface_ns.clone(), name.clone()),
            other => {
                let n = other
                    .as_integer()
                    .and_then(|i| usize::try_from(i).ok())
                    .ok_or_else(|| bad("element key"))?;
                let name =
                    n.checked_sub(1).and_then(|i| META_ORDER.get(i)).ok_or_else(|| bad("element number"))?;
                (META_NAMESPACE.to_owned(), (*name).to_owned())
            }
        };
        if elements.entry(ns).or_default().insert(name, ElementValue::from_cbor(v)).is_some() {
            return Err(bad("duplicate element"));
        }
    }
    Ok(CompactClaims { type_code, holder_key, validity, status, elements })
}
