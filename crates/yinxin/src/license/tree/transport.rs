//! How a disclosed element's value travels in a tree presentation: shorter than its canonical
//! CBOR, which is what the leaf hash covers (the verifier rebuilds the canonical value first).
//!
//! | value | sent as |
//! | --- | --- |
//! | `license_type_code` equal to the header's type code, `issuer_code` equal to the USCC of the issuer certificate | `null` (implied; neither is ever null; never a leaf) |
//! | `license_identifier` whose type and issuer parts are those two | `[serial, version]`, each a number when it is all digits (prefix and check character rebuilt) |
//! | text shorter in GB 18030 | `bstr` of its GB 18030 bytes (decoded strictly) |
//! | other text | `tstr` |
//! | date | `#6.100(days since 1970-01-01)` (RFC 8943) |
//! | date-time | `#6.1(Unix seconds)` |
//! | bytes | `#6.64(bstr)` (RFC 8746) |
//! | anything else | its canonical CBOR |

use ciborium::Value;
use time::{Date, Duration, OffsetDateTime};

use super::super::ElementValue;
use super::super::compact_keys::{gb18030_decode, gb18030_if_shorter};
use crate::id::{LicenseIdentifier, LicenseTypeCode, Uscc};

/// What the header and the issuer certificate imply.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Implied<'a> {
    /// The header's license type code.
    pub type_code: &'a str,
    /// The issuer's USCC (from the certificate for a verifier, from `issuer_code` for the
    /// holder), if known.
    pub issuer: Option<&'a str>,
}

impl<'a> Implied<'a> {
    /// What `type_code` and the license's own `issuer_code` (in `all`: name space, element,
    /// value) imply: the holder's view, and a license file's check.
    pub(crate) fn of(type_code: &'a str, all: &[(&'a str, &'a str, &'a ElementValue)]) -> Self {
        let issuer = all
            .iter()
            .find(|(ns, n, _)| *ns == crate::license::META_NAMESPACE && *n == "issuer_code")
            .and_then(|(_, _, v)| v.as_text());
        Self { type_code, issuer }
    }
}

const TAG_DAYS: u64 = 100;
const TAG_EPOCH: u64 = 1;
const TAG_BYTES: u64 = 64;
/// An implied value (those elements are never null in a valid license).
const IMPLIED: Value = Value::Null;

fn days_since_epoch(d: Date) -> i64 {
    i64::from(d.to_julian_day())
        - i64::from(Date::from_ordinal_date(1970, 1).map_or(2_440_588, Date::to_julian_day))
}

/// Whether `value` of element `name` is implied by the header or the issuer certificate: such
/// an element is never a leaf of the tree (its value is always known to a verifier), and
/// travels as `null` when the holder shows it.
pub(crate) fn is_implied(name: &str, value: &ElementValue, implied: Implied<'_>) -> bool {
    matches!(name, "license_type_code" | "issuer_code") && encode(name, value, implied) == IMPLIED
}

/// Whether a value as sent says "implied" for an element that can be.
pub(crate) fn sent_implied(name: &str, sent: &Value) -> bool {
    matches!(name, "license_type_code" | "issuer_code") && *sent == IMPLIED
}

/// The form a value travels in.
pub(crate) fn encode(name: &str, value: &ElementValue, implied: Implied<'_>) -> Value {
    match (name, value) {
        ("license_type_code", ElementValue::Text(t)) if t == implied.type_code => IMPLIED,
        ("issuer_code", ElementValue::Text(t)) if Some(t.as_str()) == implied.issuer => IMPLIED,
        ("license_identifier", ElementValue::Text(t)) => match LicenseIdentifier::parse(t) {
            Ok(id)
                if id.type_code().to_string() == implied.type_code
                    && Some(id.issuer().as_str()) == implied.issuer
                    && id.to_string() == *t =>
            {
                Value::Array(vec![digits(id.serial(), 0), digits(id.version(), 3)])
            }
            _ => text(t),
        },
        (_, ElementValue::Text(t)) => text(t),
        (_, ElementValue::Date(d)) => Value::Tag(TAG_DAYS, Box::new(Value::from(days_since_epoch(*d)))),
        (_, ElementValue::DateTime(t)) => Value::Tag(TAG_EPOCH, Box::new(Value::from(t.unix_timestamp()))),
        (_, ElementValue::Bytes(b)) => Value::Tag(TAG_BYTES, Box::new(Value::Bytes(b.clone()))),
        (_, other) => other.to_cbor(),
    }
}

/// Digits as the number they spell when that gives them back: written as is (`pad` 0, no
/// leading zero) or zero-padded to `pad` digits (a version, "001"); anything else as text.
fn digits(s: &str, pad: usize) -> Value {
    match s.parse::<u64>() {
        Ok(n) if s.bytes().all(|b| b.is_ascii_digit()) && format!("{n:0pad$}") == s => Value::from(n),
        _ => Value::Text(s.to_owned()),
    }
}

fn text(t: &str) -> Value {
    match gb18030_if_shorter(t) {
        Some(bytes) => Value::Bytes(bytes),
        None => Value::Text(t.to_owned()),
    }
}

/// The canonical value of a value as it travelled, or `None` when it cannot be one.
pub(crate) fn decode(name: &str, sent: &Value, implied: Implied<'_>) -> Option<ElementValue> {
    Some(match (name, sent) {
        ("license_type_code", Value::Null) => ElementValue::Text(implied.type_code.to_owned()),
        ("issuer_code", Value::Null) => ElementValue::Text(implied.issuer?.to_owned()),
        ("license_identifier", Value::Array(parts)) => {
            let [serial, version] = parts.as_slice() else { return None };
            let serial = match serial {
                Value::Text(t) => t.clone(),
                Value::Integer(n) => u64::try_from(*n).ok()?.to_string(),
                _ => return None,
            };
            // A version is always three digits.
            let version = match version {
                Value::Text(t) => t.clone(),
                Value::Integer(n) => format!("{:03}", u64::try_from(*n).ok().filter(|n| *n < 1000)?),
                _ => return None,
            };
            let (serial, version) = (serial.as_str(), version.as_str());
            let type_code = LicenseTypeCode::parse(implied.type_code).ok()?;
            let issuer = Uscc::parse(implied.issuer?).ok()?;
            ElementValue::Text(LicenseIdentifier::new(type_code, issuer, serial, version).ok()?.to_string())
        }
        (_, Value::Bytes(gb)) => ElementValue::Text(gb18030_decode(gb)?),
        (_, Value::Tag(TAG_DAYS, days)) => {
            let days = i64::try_from(days.as_integer()?).ok()?;
            let epoch = Date::from_ordinal_date(1970, 1).ok()?;
            ElementValue::Date(epoch.checked_add(Duration::days(days))?)
        }
        (_, Value::Tag(TAG_EPOCH, secs)) => ElementValue::DateTime(
            OffsetDateTime::from_unix_timestamp(i64::try_from(secs.as_integer()?).ok()?).ok()?,
        ),
        (_, Value::Tag(TAG_BYTES, b)) => ElementValue::Bytes(b.as_bytes()?.clone()),
        (_, other) => ElementValue::from_cbor(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TYPE: &str = "11100000000013338W001";
    const ISSUER: &str = "11510000MB0123456W";

    fn implied() -> Implied<'static> {
        Implied { type_code: TYPE, issuer: Some(ISSUER) }
    }

    #[test]
    fn every_kind_of_value_comes_back_as_it_was() {
        let id = format!("1.2.156.3005.2.{TYPE}.{ISSUER}.510100202411220001.001.B");
        let id = LicenseIdentifier::parse(&id).map(|i| i.to_string()).unwrap_or(id);
        let cases = [
            ("license_type_code", ElementValue::Text(TYPE.into())),
            ("license_type_code", ElementValue::Text("11100000000013338W002".into())),
            ("issuer_code", ElementValue::Text(ISSUER.into())),
            ("license_identifier", ElementValue::Text(id)),
            ("name", ElementValue::Text("成都天府示例科技有限公司".into())),
            ("name", ElementValue::Text("Chengdu".into())),
            ("date_of_birth", ElementValue::Date(time::macros::date!(1969 - 12 - 31))),
            ("date_of_birth", ElementValue::Date(time::macros::date!(2024 - 02 - 29))),
            ("t", ElementValue::DateTime(time::macros::datetime!(2024-11-22 08:00 UTC))),
            ("portrait", ElementValue::Bytes(vec![0xFF, 0xD8, 0xFF])),
            ("valid_until", ElementValue::Null),
            ("n", ElementValue::Int(-5)),
            (
                "flags",
                ElementValue::Array(vec![ElementValue::Bytes(vec![1]), ElementValue::Text("A".into())]),
            ),
        ];
        for (name, value) in cases {
            let sent = encode(name, &value, implied());
            assert_eq!(decode(name, &sent, implied()), Some(value.clone()), "{name}: {value:?}");
        }
    }

    #[test]
    fn identifiers_travel_as_numbers_only_when_they_come_back_the_same() {
        for serial in ["510100202411220001", "0123", "9", "51010A", "99999999999999999999999"] {
            let id = LicenseIdentifier::new(
                LicenseTypeCode::parse(TYPE).expect("type"),
                Uscc::parse(ISSUER).expect("uscc"),
                serial,
                "007",
            );
            let Ok(id) = id else { continue };
            let value = ElementValue::Text(id.to_string());
            let sent = encode("license_identifier", &value, implied());
            assert_eq!(decode("license_identifier", &sent, implied()), Some(value), "{serial}");
        }
        assert_eq!(digits("0123", 0), Value::Text("0123".into()));
        assert_eq!(digits("007", 3), Value::from(7));
        assert_eq!(digits("510100202411220001", 0), Value::from(510_100_202_411_220_001_u64));
    }

    #[test]
    fn implied_values_cost_a_byte_and_need_what_implies_them() {
        let sent = encode("issuer_code", &ElementValue::Text(ISSUER.into()), implied());
        assert_eq!(sent, IMPLIED);
        assert_eq!(decode("issuer_code", &sent, Implied { issuer: None, ..implied() }), None);
        assert_eq!(
            decode("license_identifier", &Value::Array(vec![Value::Text("x".into())]), implied()),
            None
        );
        assert_eq!(decode("name", &Value::Bytes(vec![0xB3]), implied()), None, "malformed GB 18030");
    }
}
