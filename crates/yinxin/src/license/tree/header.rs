//! The signed header of tree claims: what every presentation shows.
//!
//! A CBOR array, signed and sent exactly as the issuer wrote it:
//! `[type code, holder key COSE alg, holder key (compressed SEC1 or Ed25519 raw), valid from,
//! valid until, [status uri, index] or null, leaf count, signed (only when it is not valid
//! from)]`, times in Unix seconds.
//!
//! Two fields have a shorter form that a QR code needs: a type code of 21 characters
//! `0-9A-Z` (every valid one) travels as the 14-byte big-endian number its characters spell in
//! base 36 (`bstr`, else `tstr`), and a status URI starting `https://` as the `bstr` of the
//! rest (else `tstr`).

use ciborium::Value;
use time::OffsetDateTime;

use super::super::mso::ValidityInfo;
use super::super::{LicenseError, StatusReference};
use super::shape::MAX_LEAVES;
use crate::cose::cbor::{decode_value, encode_value};
use crate::crypto::{Algorithm, PublicKey};

/// The content of a header.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Header {
    pub type_code: String,
    pub holder_key: PublicKey,
    pub validity: ValidityInfo,
    pub status: Option<StatusReference>,
    pub leaves: usize,
}

fn bad(what: &str) -> LicenseError {
    LicenseError::Mso(format!("tree header: {what}"))
}

const TYPE_CODE_LEN: usize = 21;
const PACKED_TYPE_CODE: usize = 14;
const HTTPS: &str = "https://";

fn pack_type_code(code: &str) -> Value {
    let mut n: u128 = 0;
    for c in code.chars() {
        match c.to_digit(36) {
            Some(d) if code.len() == TYPE_CODE_LEN && !c.is_ascii_lowercase() => n = n * 36 + u128::from(d),
            _ => return Value::Text(code.to_owned()),
        }
    }
    Value::Bytes(n.to_be_bytes().get(16 - PACKED_TYPE_CODE..).unwrap_or_default().to_vec())
}

fn unpack_type_code(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Text(t) => Some(t.clone()),
        Value::Bytes(b) if b.len() == PACKED_TYPE_CODE => {
            let mut full = [0u8; 16];
            full.get_mut(16 - PACKED_TYPE_CODE..)?.copy_from_slice(b);
            let mut n = u128::from_be_bytes(full);
            let mut out = Vec::with_capacity(TYPE_CODE_LEN);
            for _ in 0..TYPE_CODE_LEN {
                out.push(char::from_digit(u32::try_from(n % 36).ok()?, 36)?.to_ascii_uppercase());
                n /= 36;
            }
            // A number past the largest 21-character code is not a packed code.
            (n == 0).then(|| out.iter().rev().collect())
        }
        _ => None,
    }
}

fn pack_uri(uri: &str) -> Value {
    match uri.strip_prefix(HTTPS) {
        Some(rest) => Value::Bytes(rest.as_bytes().to_vec()),
        None => Value::Text(uri.to_owned()),
    }
}

fn unpack_uri(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Text(t) => Some(t.clone()),
        Value::Bytes(b) => Some(format!("{HTTPS}{}", std::str::from_utf8(b).ok()?)),
        _ => None,
    }
}

fn time(v: Option<&Value>, what: &str) -> Result<OffsetDateTime, LicenseError> {
    v.and_then(Value::as_integer)
        .and_then(|i| i64::try_from(i).ok())
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .ok_or_else(|| bad(what))
}

impl Header {
    /// The header's bytes.
    pub(crate) fn encode(&self) -> Result<Vec<u8>, String> {
        let v = &self.validity;
        let status = match &self.status {
            Some(s) => Value::Array(vec![pack_uri(&s.uri), Value::from(s.index)]),
            None => Value::Null,
        };
        let mut fields = vec![
            pack_type_code(&self.type_code),
            Value::from(self.holder_key.algorithm().cose_value()),
            Value::Bytes(super::super::compact::compressed_key(&self.holder_key)),
            Value::from(v.valid_from.unix_timestamp()),
            Value::from(v.valid_until.unix_timestamp()),
            status,
            Value::from(self.leaves as u64),
        ];
        // `signed` only when it differs from `valid from`.
        if v.signed != v.valid_from {
            fields.push(Value::from(v.signed.unix_timestamp()));
        }
        encode_value(&Value::Array(fields))
    }

    /// Reads a header (after its signature was verified, or by the holder from its own file).
    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, LicenseError> {
        let value = decode_value(bytes)?;
        let a = value.as_array().ok_or_else(|| bad("not an array"))?;
        if !(7..=8).contains(&a.len()) {
            return Err(bad("not seven or eight fields"));
        }
        let type_code = unpack_type_code(a.first()).ok_or_else(|| bad("type code"))?;
        let alg = a
            .get(1)
            .and_then(Value::as_integer)
            .and_then(|i| i64::try_from(i).ok())
            .and_then(Algorithm::from_cose_value)
            .ok_or(LicenseError::DeviceKey)?;
        let key_bytes = a.get(2).and_then(Value::as_bytes).ok_or(LicenseError::DeviceKey)?;
        let holder_key = PublicKey::from_raw(alg, key_bytes).map_err(|_| LicenseError::DeviceKey)?;
        let valid_from = time(a.get(3), "valid from")?;
        let valid_until = time(a.get(4), "valid until")?;
        if valid_from > valid_until {
            return Err(bad("valid from after valid until"));
        }
        let status = match a.get(5) {
            Some(Value::Null) => None,
            Some(Value::Array(s)) if s.len() == 2 => Some(StatusReference {
                uri: unpack_uri(s.first()).ok_or_else(|| bad("status uri"))?,
                index: s
                    .get(1)
                    .and_then(Value::as_integer)
                    .and_then(|i| u64::try_from(i).ok())
                    .ok_or_else(|| bad("status index"))?,
            }),
            _ => return Err(bad("status")),
        };
        let leaves = a
            .get(6)
            .and_then(Value::as_integer)
            .and_then(|i| usize::try_from(i).ok())
            .filter(|n| (1..=MAX_LEAVES).contains(n))
            .ok_or_else(|| bad("leaf count"))?;
        let signed = match a.get(7) {
            None => valid_from,
            some => time(some, "signed")?,
        };
        if signed == valid_from && a.len() == 8 {
            return Err(bad("signed given although it is valid from"));
        }
        Ok(Self {
            type_code,
            holder_key,
            validity: ValidityInfo { signed, valid_from, valid_until, expected_update: None },
            status,
            leaves,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_codes_and_uris_pack_and_come_back() {
        for code in ["11100000000013338W001", "ZZZZZZZZZZZZZZZZZZZZZ", "000000000000000000000"] {
            let packed = pack_type_code(code);
            assert!(matches!(&packed, Value::Bytes(b) if b.len() == PACKED_TYPE_CODE), "{code}");
            assert_eq!(unpack_type_code(Some(&packed)).as_deref(), Some(code));
        }
        for code in ["1110000000001333w001x", "short", "11100000000013338w001"] {
            assert_eq!(pack_type_code(code), Value::Text(code.into()));
        }
        // A number no 21-character code spells.
        assert_eq!(unpack_type_code(Some(&Value::Bytes(vec![0xFF; PACKED_TYPE_CODE]))), None);
        for uri in ["https://status.example.gov.cn/lists/1", "http://intranet/lists/2"] {
            assert_eq!(unpack_uri(Some(&pack_uri(uri))).as_deref(), Some(uri));
        }
        assert_eq!(unpack_uri(Some(&Value::Bytes(vec![0xFF]))), None);
    }
}
