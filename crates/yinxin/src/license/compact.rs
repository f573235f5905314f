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
//! | 7 | elements: metadata by number (1–12, in GB/T 36903 order), well-known surface fields by negative number, other surface fields by name ([`compact_keys`](super::compact_keys)) |
//! | 8 | text elements carried as GB 18030 bytes (keys as in 7; absent when there are none) |

use std::collections::BTreeMap;

use crate::cose::build::{self, Headers};
use ciborium::Value;
use time::OffsetDateTime;

use super::compact_keys::{
    ELEMENTS, ElementKind, GB18030_ELEMENTS, META_ORDER, element_of, gb18030_decode, gb18030_if_shorter,
    key_of,
};
use super::mso::ValidityInfo;
use super::{ElementValue, IssueError, LicenseError, META_NAMESPACE, StatusReference};
use crate::cose::cbor::{decode_value, encode_value};
use crate::crypto::{Algorithm, PublicKey, Signer};

/// The decoded, still unverified, content of compact claims.
pub(crate) struct CompactClaims {
    pub type_code: String,
    pub holder_key: PublicKey,
    pub validity: ValidityInfo,
    pub status: Option<StatusReference>,
    pub elements: BTreeMap<String, BTreeMap<String, ElementValue>>,
}

pub(crate) fn compressed_key(key: &PublicKey) -> Vec<u8> {
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
        Algorithm::Es384 => p384::PublicKey::from_sec1_bytes(&raw)
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
    let mut gb18030 = Vec::new();
    for name in wanted {
        let (kind, list) = if META_ORDER.contains(&name.as_str()) {
            (ElementKind::Meta, meta)
        } else {
            (ElementKind::Surface, surface)
        };
        let value = list
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
            .ok_or_else(|| IssueError::Element(name.clone()))?;
        let key = key_of(kind, name);
        match value {
            ElementValue::Text(t) => match gb18030_if_shorter(t) {
                Some(bytes) => gb18030.push((key, Value::Bytes(bytes))),
                None => elements.push((key, value.to_cbor())),
            },
            _ => elements.push((key, value.to_cbor())),
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
    payload.push((Value::from(ELEMENTS), Value::Map(elements)));
    if !gb18030.is_empty() {
        payload.push((Value::from(GB18030_ELEMENTS), Value::Map(gb18030)));
    }
    let payload = encode_value(&Value::Map(payload)).map_err(IssueError::Encode)?;
    let headers = Headers { typ: None, kid: Some(signer.key_id().as_bytes().to_vec()), x5chain: &[] };
    let sign1 = build::sign1(signer, headers, payload)?;
    use coset::CborSerializable as _;
    sign1.to_vec().map_err(|e| IssueError::Encode(e.to_string()))
}

/// Checks pre-signed compact claims a license file stores against the license: signed by the
/// license's issuer `key` (its key id and algorithm), the same type, holder key, validity and
/// status as the license (`expected`, whose leaf count is not used), and every element's value
/// the license's.
pub(crate) fn check_stored(
    raw: &[u8],
    key: &PublicKey,
    elements: &BTreeMap<String, BTreeMap<String, ElementValue>>,
    expected: &super::tree::Header,
) -> Result<(), String> {
    use crate::crypto::Verifier as _;
    let sign1 = crate::cose::sign1::parse(raw).map_err(|e| e.to_string())?;
    if sign1.kid != Some(key.key_id().as_bytes().as_slice()) {
        return Err("signed by another key than the license".into());
    }
    if sign1.algorithm().ok() != Some(key.algorithm()) {
        return Err("not signed with the issuer's algorithm".into());
    }
    key.verify(&sign1.sig_structure().map_err(|e| e.to_string())?, sign1.signature)
        .map_err(|_| "the signature is invalid".to_owned())?;
    let claims = decode(sign1.payload, super::DOC_TYPE_PREFIX).map_err(|e| e.to_string())?;
    if claims.type_code != expected.type_code
        || claims.holder_key != expected.holder_key
        || claims.validity != expected.validity
        || claims.status != expected.status
    {
        return Err("its type, holder key, validity or status differs from the license's".into());
    }
    for (ns, items) in &claims.elements {
        for (name, value) in items {
            if elements.get(ns).and_then(|m| m.get(name)) != Some(value) {
                return Err(format!("its {name} differs from the license's"));
            }
        }
    }
    Ok(())
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
    let mut add = |k: &Value, value: ElementValue| -> Result<(), LicenseError> {
        let (kind, name) = element_of(k).ok_or_else(|| bad("element key"))?;
        let ns = match kind {
            ElementKind::Meta => META_NAMESPACE.to_owned(),
            ElementKind::Surface => surface_ns.clone(),
        };
        match elements.entry(ns).or_default().insert(name, value) {
            Some(_) => Err(bad("duplicate element")),
            None => Ok(()),
        }
    };
    for (k, v) in get(ELEMENTS).and_then(Value::as_map).ok_or_else(|| bad("elements"))? {
        add(k, ElementValue::from_cbor(v))?;
    }
    if let Some(map) = get(GB18030_ELEMENTS) {
        for (k, v) in map.as_map().ok_or_else(|| bad("GB 18030 elements"))? {
            let text = v.as_bytes().and_then(|b| gb18030_decode(b)).ok_or_else(|| bad("GB 18030 text"))?;
            add(k, ElementValue::Text(text))?;
        }
    }
    Ok(CompactClaims { type_code, holder_key, validity, status, elements })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(elements: Vec<(Value, Value)>, gb: Option<Vec<(Value, Value)>>) -> Vec<u8> {
        let key = crate::crypto::SoftwareKey::generate(Algorithm::Ed25519).expect("key");
        let mut map = vec![
            (Value::from(1), Value::Text("11100000000013338W001".into())),
            (
                Value::from(2),
                Value::Array(vec![Value::from(-8), Value::Bytes(compressed_key(key.public_key()))]),
            ),
            (Value::from(3), Value::from(1_700_000_000)),
            (Value::from(4), Value::from(1_800_000_000)),
            (Value::from(ELEMENTS), Value::Map(elements)),
        ];
        if let Some(gb) = gb {
            map.push((Value::from(GB18030_ELEMENTS), Value::Map(gb)));
        }
        encode_value(&Value::Map(map)).expect("encode")
    }

    #[test]
    fn gb18030_elements_decode_into_the_right_name_spaces() {
        let text = "成都天府示例科技有限公司";
        let gb = gb18030_if_shorter(text).expect("shorter");
        let payload = claims(
            vec![(Value::from(-2), Value::Text("91510100MA61ABCDE3".into()))],
            Some(vec![(Value::from(8), Value::Bytes(gb.clone())), (Value::from(-1), Value::Bytes(gb))]),
        );
        let c = decode(&payload, "cn.gov.elicense.").expect("decodes");
        let surface = &c.elements["cn.gov.elicense.11100000000013338W001.1"];
        assert_eq!(surface["name"].as_text(), Some(text));
        assert_eq!(surface["unified_social_credit_code"].as_text(), Some("91510100MA61ABCDE3"));
        assert_eq!(c.elements[META_NAMESPACE]["holder_name"].as_text(), Some(text));
    }

    #[test]
    fn malformed_duplicate_and_unknown_elements_are_refused() {
        let cases = [
            ("malformed GB 18030", claims(vec![], Some(vec![(Value::from(8), Value::Bytes(vec![0xB3]))]))),
            (
                "GB 18030 value not bytes",
                claims(vec![], Some(vec![(Value::from(8), Value::Text("x".into()))])),
            ),
            (
                "same element twice",
                claims(
                    vec![(Value::from(8), Value::Text("李四".into()))],
                    Some(vec![(Value::from(8), Value::Bytes(gb18030_if_shorter("李四").expect("gb")))]),
                ),
            ),
            ("unknown number", claims(vec![(Value::from(-200), Value::Null)], None)),
            ("bytes as key", claims(vec![(Value::Bytes(vec![1]), Value::Null)], None)),
        ];
        for (what, payload) in cases {
            assert!(decode(&payload, "cn.gov.elicense.").is_err(), "{what}");
        }
    }
}
