//! Element values: what a license element holds, in CBOR and in JSON.

use ciborium::Value;
use ciborium_ll::Header;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

/// The value of one data element.
///
/// CBOR: text as `tstr`, dates as `#6.1004(full-date)` (RFC 8943, as ISO 18013-5 does), date-times
/// as `#6.0(tdate)`, bytes as `bstr`. JSON (CLI, bindings): dates and date-times as their text,
/// bytes as standard base64 text, arrays and maps as JSON arrays and objects.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ElementValue {
    /// A text string.
    Text(String),
    /// A calendar date (full-date).
    Date(Date),
    /// A date and time (tdate).
    DateTime(OffsetDateTime),
    /// Bytes (a portrait, a signature image).
    Bytes(Vec<u8>),
    /// An integer.
    Int(i128),
    /// A boolean.
    Bool(bool),
    /// Null (e.g. valid_until of a long-term license).
    Null,
    /// A float.
    Float(f64),
    /// An array.
    Array(Vec<ElementValue>),
    /// A map.
    Map(Vec<(ElementValue, ElementValue)>),
}

pub(crate) fn format_date(d: Date) -> String {
    d.format(format_description!("[year]-[month]-[day]")).unwrap_or_default()
}

pub(crate) fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s, format_description!("[year]-[month]-[day]")).ok()
}

/// RFC 3339 in UTC without fractional seconds, as ISO 18013-5 tdate requires.
pub(crate) fn format_tdate(t: OffsetDateTime) -> String {
    let t = t.checked_to_offset(time::UtcOffset::UTC).unwrap_or(t);
    t.format(format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z")).unwrap_or_default()
}

pub(crate) fn parse_tdate(s: &str) -> Option<OffsetDateTime> {
    crate::text::parse_rfc3339(s)
}

impl ElementValue {
    /// The CBOR form.
    pub fn to_cbor(&self) -> Value {
        match self {
            Self::Text(s) => Value::Text(s.clone()),
            Self::Date(d) => Value::Tag(1004, Box::new(Value::Text(format_date(*d)))),
            Self::DateTime(t) => Value::Tag(0, Box::new(Value::Text(format_tdate(*t)))),
            Self::Bytes(b) => Value::Bytes(b.clone()),
            Self::Int(i) => Value::Integer(ciborium::value::Integer::try_from(*i).unwrap_or(0.into())),
            Self::Bool(b) => Value::Bool(*b),
            Self::Null => Value::Null,
            Self::Float(f) => Value::Float(*f),
            Self::Array(a) => Value::Array(a.iter().map(Self::to_cbor).collect()),
            Self::Map(m) => Value::Map(m.iter().map(|(k, v)| (k.to_cbor(), v.to_cbor())).collect()),
        }
    }

    /// Reads a CBOR value. Unknown tags keep their content; full-date and tdate tags become
    /// dates when their text parses.
    pub fn from_cbor(value: &Value) -> Self {
        match value {
            Value::Text(s) => Self::Text(s.clone()),
            Value::Bytes(b) => Self::Bytes(b.clone()),
            Value::Integer(i) => Self::Int(i128::from(*i)),
            Value::Bool(b) => Self::Bool(*b),
            Value::Null => Self::Null,
            Value::Float(f) => Self::Float(*f),
            Value::Tag(1004, inner) => match inner.as_text().and_then(parse_date) {
                Some(d) => Self::Date(d),
                None => Self::from_cbor(inner),
            },
            Value::Tag(0, inner) => match inner.as_text().and_then(parse_tdate) {
                Some(t) => Self::DateTime(t),
                None => Self::from_cbor(inner),
            },
            Value::Tag(_, inner) => Self::from_cbor(inner),
            Value::Array(a) => Self::Array(a.iter().map(Self::from_cbor).collect()),
            Value::Map(m) => {
                Self::Map(m.iter().map(|(k, v)| (Self::from_cbor(k), Self::from_cbor(v))).collect())
            }
            _ => Self::Null,
        }
    }

    /// The JSON form (see the type's documentation).
    pub fn to_json(&self) -> serde_json::Value {
        use base64::Engine as _;
        use serde_json::Value as J;
        match self {
            Self::Text(s) => J::String(s.clone()),
            Self::Date(d) => J::String(format_date(*d)),
            Self::DateTime(t) => J::String(format_tdate(*t)),
            Self::Bytes(b) => J::String(base64::engine::general_purpose::STANDARD.encode(b)),
            Self::Int(i) => i64::try_from(*i).map(J::from).unwrap_or_else(|_| J::String(i.to_string())),
            Self::Bool(b) => J::Bool(*b),
            Self::Null => J::Null,
            Self::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Self::Array(a) => J::Array(a.iter().map(Self::to_json).collect()),
            Self::Map(m) => J::Object(
                m.iter()
                    .map(|(k, v)| {
                        let key = match k {
                            Self::Text(s) => s.clone(),
                            other => other.to_json().to_string(),
                        };
                        (key, v.to_json())
                    })
                    .collect(),
            ),
        }
    }

    /// Reads a JSON value: strings as text, numbers as integers (or floats), arrays and objects
    /// as arrays and maps.
    pub fn from_json(value: &serde_json::Value) -> Self {
        use serde_json::Value as J;
        match value {
            J::String(s) => Self::Text(s.clone()),
            J::Number(n) => n
                .as_i64()
                .map(|i| Self::Int(i128::from(i)))
                .unwrap_or_else(|| Self::Float(n.as_f64().unwrap_or(0.0))),
            J::Bool(b) => Self::Bool(*b),
            J::Null => Self::Null,
            J::Array(a) => Self::Array(a.iter().map(Self::from_json).collect()),
            J::Object(o) => {
                Self::Map(o.iter().map(|(k, v)| (Self::Text(k.clone()), Self::from_json(v))).collect())
            }
        }
    }

    /// At least the number of bytes this value takes in CBOR (text and bytes by their length,
    /// arrays and maps by their members), computed without encoding: for refusing an
    /// oversized element before any work is done on it.
    pub(crate) fn size_hint(&self) -> usize {
        match self {
            Self::Text(s) => s.len(),
            Self::Bytes(b) => b.len(),
            Self::Array(items) => items.iter().fold(1, |n, v| n.saturating_add(v.size_hint())),
            Self::Map(entries) => entries
                .iter()
                .fold(1, |n, (k, v)| n.saturating_add(k.size_hint()).saturating_add(v.size_hint())),
            _ => 1,
        }
    }

    /// The text, if this is text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(s) => Some(s),
            _ => None,
        }
    }
}

use super::LicenseError;
use crate::cose::cbor::Walker;

/// Reads one value as an element value: the common shapes (text, bytes, integers, dates)
/// directly, anything else through [`Walker::value`].
pub(crate) fn read_element_value(w: &mut Walker<'_>, depth: usize) -> Result<ElementValue, LicenseError> {
    use ElementValue as E;
    let start = w.pos();
    let simple = match w.header()? {
        Header::Text(Some(len)) => Some(E::Text(w.utf8(len)?.to_owned())),
        Header::Bytes(Some(len)) => Some(E::Bytes(w.take(len)?.to_vec())),
        Header::Positive(n) => Some(E::Int(i128::from(n))),
        Header::Negative(n) => Some(E::Int(-1 - i128::from(n))),
        Header::Tag(tag @ (0 | 1004)) => match w.header()? {
            Header::Text(Some(len)) => {
                let text = w.utf8(len)?;
                let parsed = if tag == 1004 {
                    parse_date(text).map(E::Date)
                } else {
                    parse_tdate(text).map(E::DateTime)
                };
                Some(parsed.unwrap_or_else(|| E::Text(text.to_owned())))
            }
            _ => None,
        },
        _ => None,
    };
    match simple {
        Some(v) => Ok(v),
        None => {
            w.set_pos(start);
            Ok(E::from_cbor(&w.value(depth)?))
        }
    }
}
