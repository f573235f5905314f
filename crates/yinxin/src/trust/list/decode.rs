//! Reading a VICAL payload (ISO/IEC 18013-5 Annex C.1.7.1) into a [`TrustList`]: the known
//! fields with their types checked, unknown ones ignored as the CDDL allows (`* tstr => any`),
//! every count bounded.

use ciborium::Value;
use time::OffsetDateTime;

use super::model::REGION_EXTENSION;
use super::{MAX_DOC_TYPES, MAX_ENTRIES, TrustList, TrustListEntry, TrustListError};
use crate::cose::cbor::{decode_value, map_get};

fn malformed(what: impl Into<String>) -> TrustListError {
    TrustListError::Malformed(what.into())
}

type Map = [(Value, Value)];

fn as_map<'v>(v: &'v Value, what: &str) -> Result<&'v Map, TrustListError> {
    v.as_map().map(Vec::as_slice).ok_or_else(|| malformed(format!("{what} is not a map")))
}

fn text(map: &Map, key: &str) -> Result<Option<String>, TrustListError> {
    match map_get(map, key) {
        None => Ok(None),
        Some(Value::Text(t)) => Ok(Some(t.clone())),
        Some(_) => Err(malformed(format!("{key} is not text"))),
    }
}

fn bytes(map: &Map, key: &str) -> Result<Option<Vec<u8>>, TrustListError> {
    match map_get(map, key) {
        None => Ok(None),
        Some(Value::Bytes(b)) => Ok(Some(b.clone())),
        Some(_) => Err(malformed(format!("{key} is not a byte string"))),
    }
}

/// `tdate` (tag 0, RFC 3339 text) or, leniently, `time` (tag 1, seconds); to the whole second
/// (what yinxin writes, and all any list needs).
fn date(map: &Map, key: &str) -> Result<Option<OffsetDateTime>, TrustListError> {
    Ok(exact_date(map, key)?.map(|t| t.replace_nanosecond(0).unwrap_or(t)))
}

fn exact_date(map: &Map, key: &str) -> Result<Option<OffsetDateTime>, TrustListError> {
    let bad = || malformed(format!("{key} is not a date (tag 0 RFC 3339 text)"));
    match map_get(map, key) {
        None => Ok(None),
        Some(Value::Tag(0, inner)) => {
            inner.as_text().and_then(crate::text::parse_rfc3339).map(Some).ok_or_else(bad)
        }
        Some(Value::Tag(1, inner)) => {
            let secs = inner.as_integer().and_then(|i| i64::try_from(i).ok()).ok_or_else(bad)?;
            OffsetDateTime::from_unix_timestamp(secs).map(Some).map_err(|_| bad())
        }
        Some(_) => Err(bad()),
    }
}

/// `biguint` (tag 2 bignum) or, leniently, an unsigned integer; big-endian, leading zeros
/// dropped.
fn serial(map: &Map) -> Result<Vec<u8>, TrustListError> {
    let bad = || malformed("serialNumber is not an unsigned integer");
    let raw = match map_get(map, "serialNumber") {
        Some(Value::Tag(2, inner)) => inner.as_bytes().cloned().ok_or_else(bad)?,
        Some(Value::Integer(i)) => {
            let n = u64::try_from(*i).map_err(|_| bad())?;
            n.to_be_bytes().to_vec()
        }
        _ => return Err(bad()),
    };
    Ok(strip_zeros(&raw).to_vec())
}

/// A big-endian unsigned integer without leading zero bytes (zero is one zero byte).
pub(crate) fn strip_zeros(raw: &[u8]) -> &[u8] {
    let start = raw.iter().position(|&b| b != 0).unwrap_or(raw.len().saturating_sub(1));
    raw.get(start..).unwrap_or(raw)
}

fn text_array(map: &Map, key: &str) -> Result<Vec<String>, TrustListError> {
    let Some(v) = map_get(map, key) else { return Ok(Vec::new()) };
    let items = v.as_array().ok_or_else(|| malformed(format!("{key} is not an array")))?;
    if items.len() > MAX_DOC_TYPES {
        return Err(TrustListError::TooManyEntries(format!(
            "{} {key} values (at most {MAX_DOC_TYPES})",
            items.len()
        )));
    }
    items
        .iter()
        .map(|t| {
            t.as_text().map(str::to_owned).ok_or_else(|| malformed(format!("{key} holds a non-text value")))
        })
        .collect()
}

fn entry(v: &Value, index: usize) -> Result<TrustListEntry, TrustListError> {
    let map = as_map(v, &format!("certificateInfos[{index}]"))?;
    let required = |what: &str| malformed(format!("certificateInfos[{index}] has no {what}"));
    Ok(TrustListEntry {
        certificate: bytes(map, "certificate")?.ok_or_else(|| required("certificate"))?,
        serial_number: serial(map).map_err(|e| malformed(format!("certificateInfos[{index}]: {e}")))?,
        ski: bytes(map, "ski")?.ok_or_else(|| required("ski"))?,
        doc_types: text_array(map, "docType")?,
        certificate_profile: text_array(map, "certificateProfile")?,
        issuing_authority: text(map, "issuingAuthority")?,
        issuing_country: text(map, "issuingCountry")?,
        state_or_province: text(map, "stateOrProvinceName")?,
        not_before: date(map, "notBefore")?,
        not_after: date(map, "notAfter")?,
    })
}

/// Decodes a VICAL payload.
pub(crate) fn decode(payload: &[u8]) -> Result<TrustList, TrustListError> {
    let value = decode_value(payload)?;
    let map = as_map(&value, "the payload")?;
    let infos = map_get(map, "certificateInfos")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("certificateInfos is missing or not an array"))?;
    if infos.len() > MAX_ENTRIES {
        return Err(TrustListError::TooManyEntries(format!(
            "{} entries (at most {MAX_ENTRIES})",
            infos.len()
        )));
    }
    let issue_id = match map_get(map, "vicalIssueID") {
        None => None,
        Some(v) => Some(
            v.as_integer()
                .and_then(|i| u64::try_from(i).ok())
                .ok_or_else(|| malformed("vicalIssueID is not an unsigned integer"))?,
        ),
    };
    let region = match map_get(map, "extensions") {
        None => None,
        Some(ext) => text(as_map(ext, "extensions")?, REGION_EXTENSION)?,
    };
    Ok(TrustList {
        version: text(map, "version")?.ok_or_else(|| malformed("no version"))?,
        provider: text(map, "vicalProvider")?.ok_or_else(|| malformed("no vicalProvider"))?,
        date: date(map, "date")?.ok_or_else(|| malformed("no date"))?,
        issue_id,
        next_update: date(map, "nextUpdate")?,
        region,
        entries: infos.iter().enumerate().map(|(i, v)| entry(v, i)).collect::<Result<_, _>>()?,
    })
}
