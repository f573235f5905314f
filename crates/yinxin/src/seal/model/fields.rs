//! Reading the fields seals and seal signatures share: times in their several encodings,
//! BIT or OCTET STRING values, extensions, the header, the picture, certificate lists.

use der::asn1::{AnyRef, GeneralizedTime, UtcTime};
use der::{Decode, Tag, Tagged as _};
use time::OffsetDateTime;

use super::super::SealError;
use super::super::asn1;
use super::{CertList, STATUS_EXTENSION_OID, SealExtension, SealPicture, SealVersion};
use crate::status::StatusReference;

/// Dotted text of an OID's content bytes. Arcs up to 128 bits (`2.25.<UUID>`) are written in
/// decimal; anything larger falls back to asn1-rs's rendering.
pub(crate) fn oid_text(bytes: &[u8]) -> String {
    let mut arcs: Vec<u128> = Vec::new();
    let mut acc: u128 = 0;
    for b in bytes {
        match acc.checked_mul(128) {
            Some(v) if acc >> 120 == 0 => acc = v | u128::from(b & 0x7f),
            _ => {
                return x509_parser::der_parser::oid::Oid::new(std::borrow::Cow::Borrowed(bytes))
                    .to_id_string();
            }
        }
        if b & 0x80 == 0 {
            arcs.push(acc);
            acc = 0;
        }
    }
    let Some(first) = arcs.first().copied() else { return String::new() };
    let (a, b) = match first {
        0..40 => (0, first),
        40..80 => (1, first - 40),
        _ => (2, first - 80),
    };
    let mut text = format!("{a}.{b}");
    for arc in arcs.iter().skip(1) {
        text.push_str(&format!(".{arc}"));
    }
    text
}

pub(super) fn bad(what: impl std::fmt::Display) -> SealError {
    SealError::Malformed(what.to_string())
}

pub(super) fn time_of(any: AnyRef<'_>) -> Result<OffsetDateTime, SealError> {
    let d = match any.tag() {
        Tag::UtcTime => any.decode_as::<UtcTime>()?.to_unix_duration(),
        Tag::GeneralizedTime => any.decode_as::<GeneralizedTime>()?.to_unix_duration(),
        other => return Err(bad(format!("expected a time, found {other}"))),
    };
    unix(d)
}

pub(super) fn unix(d: std::time::Duration) -> Result<OffsetDateTime, SealError> {
    let secs = i64::try_from(d.as_secs()).map_err(|_| bad("time out of range"))?;
    OffsetDateTime::from_unix_timestamp(secs).map_err(|_| bad("time out of range"))
}

pub(super) fn gt(t: &GeneralizedTime) -> Result<OffsetDateTime, SealError> {
    unix(t.to_unix_duration())
}

/// A BIT STRING's bytes, or an OCTET STRING's (v1 writers use either).
pub(super) fn bits_or_octets(any: AnyRef<'_>) -> Result<Vec<u8>, SealError> {
    match any.tag() {
        Tag::BitString => Ok(any
            .decode_as::<der::asn1::BitString>()?
            .as_bytes()
            .ok_or_else(|| bad("BIT STRING with unused bits"))?
            .to_vec()),
        Tag::OctetString => Ok(any.value().to_vec()),
        other => Err(bad(format!("expected BIT or OCTET STRING, found {other}"))),
    }
}

pub(super) fn bytes_of(bits: &der::asn1::BitString) -> Result<Vec<u8>, SealError> {
    Ok(bits.as_bytes().ok_or_else(|| bad("BIT STRING with unused bits"))?.to_vec())
}

/// Reads the v1 `timeInfo` text: RFC 3339, GeneralizedTime or UTCTime digits.
pub(super) fn v1_time(bytes: &[u8]) -> Option<OffsetDateTime> {
    let text = std::str::from_utf8(bytes).ok()?.trim();
    if let Some(t) = crate::text::parse_rfc3339(text) {
        return Some(t);
    }
    let digits = text.strip_suffix('Z')?;
    let (year, rest) = match digits.len() {
        12 => {
            let yy: i32 = digits.get(..2)?.parse().ok()?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, digits.get(2..)?)
        }
        14 => (digits.get(..4)?.parse().ok()?, digits.get(4..)?),
        _ => return None,
    };
    let n = |r: std::ops::Range<usize>| rest.get(r).and_then(|s| s.parse::<u8>().ok());
    let date = time::Date::from_calendar_date(year, time::Month::try_from(n(0..2)?).ok()?, n(2..4)?).ok()?;
    let t = time::Time::from_hms(n(4..6)?, n(6..8)?, n(8..10)?).ok()?;
    Some(date.with_time(t).assume_utc())
}

pub(super) fn ia5(s: &der::asn1::Ia5String) -> String {
    s.to_string()
}

pub(super) fn extensions(ext: Option<Vec<asn1::ExtData>>) -> Vec<SealExtension> {
    ext.unwrap_or_default()
        .into_iter()
        .map(|e| SealExtension {
            oid: oid_text(&e.id.0),
            critical: e.critical.unwrap_or(false),
            value: e.value.as_bytes().to_vec(),
        })
        .collect()
}

pub(super) fn status_of(exts: &[SealExtension]) -> Result<Option<StatusReference>, SealError> {
    let mut found = exts.iter().filter(|e| e.oid == STATUS_EXTENSION_OID);
    let Some(e) = found.next() else { return Ok(None) };
    if found.next().is_some() {
        return Err(bad("two status references"));
    }
    let s = asn1::StatusExt::from_der(&e.value)?;
    Ok(Some(StatusReference { uri: s.uri, index: s.index }))
}

pub(super) fn v1_cert_list(entries: &[AnyRef<'_>]) -> CertList {
    if entries.iter().all(|e| e.tag() == Tag::OctetString) {
        return CertList::Certificates(entries.iter().map(|e| e.value().to_vec()).collect());
    }
    let described: Vec<String> = entries
        .iter()
        .map(|e| match std::str::from_utf8(e.value()) {
            Ok(text) if e.tag() != Tag::OctetString => format!("{} {text:?}", e.tag()),
            _ => format!("{} of {} bytes", e.tag(), e.value().len()),
        })
        .collect();
    CertList::NotCertificates(described.join(", "))
}

pub(super) fn check_header(h: &asn1::Header) -> Result<SealVersion, SealError> {
    if h.id.to_string() != "ES" {
        return Err(SealError::Version(format!("header id {:?}", h.id.to_string())));
    }
    match h.version {
        1 => Ok(SealVersion::V1),
        4 => Ok(SealVersion::V4),
        5 => Ok(SealVersion::V5),
        v => Err(SealError::Version(format!("version {v}"))),
    }
}

pub(super) fn picture(p: asn1::Picture) -> SealPicture {
    SealPicture {
        kind: ia5(&p.kind),
        data: p.data.as_bytes().to_vec(),
        width_mm: p.width,
        height_mm: p.height,
    }
}

#[cfg(test)]
mod tests {
    use super::super::STATUS_EXTENSION_OID_DER;
    use super::*;

    #[test]
    fn oid_text_writes_uuid_arcs_in_decimal() {
        assert_eq!(oid_text(&STATUS_EXTENSION_OID_DER), STATUS_EXTENSION_OID);
        // 1.2.156.10197.1.501 (SM2 with SM3)
        assert_eq!(oid_text(&[0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x75]), "1.2.156.10197.1.501");
        assert_eq!(v1_time(b"2020-01-25T07:31:56.377Z").map(|t| t.unix_timestamp()), Some(1_579_937_516));
        assert_eq!(v1_time(b"200125073156Z").map(|t| t.unix_timestamp()), Some(1_579_937_516));
        assert_eq!(v1_time(b"20200125073156Z").map(|t| t.unix_timestamp()), Some(1_579_937_516));
        assert_eq!(v1_time(b"yesterday"), None);
    }
}
