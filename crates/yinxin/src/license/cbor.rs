//! A bounded CBOR walker that finds the byte spans of values without re-encoding anything.
//!
//! Digests in an mdoc cover the exact bytes of each `#6.24(bstr)` item and the COSE signature
//! covers the exact protected header and payload, so yinxin locates those bytes in the input and
//! hashes or verifies them as they are. Headers are read with ciborium-ll; this module only
//! keeps positions and enforces the limits.

use ciborium_ll::{Decoder, Header};

use super::LicenseError;

/// Maximum nesting of arrays, maps and tags.
pub(crate) const MAX_DEPTH: usize = 32;

fn malformed(what: &str) -> LicenseError {
    LicenseError::Malformed(what.to_owned())
}

/// A position in a CBOR byte string.
pub(crate) struct Walker<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Walker<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos == self.data.len()
    }

    pub(crate) fn slice(&self, start: usize, end: usize) -> Result<&'a [u8], LicenseError> {
        self.data.get(start..end).ok_or_else(|| malformed("truncated"))
    }

    fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    /// Reads one header.
    pub(crate) fn header(&mut self) -> Result<Header, LicenseError> {
        let rest = self.data.get(self.pos..).ok_or_else(|| malformed("truncated"))?;
        let mut decoder = Decoder::from(rest);
        let header = decoder.pull().map_err(|_| malformed("invalid CBOR header"))?;
        self.pos += decoder.offset();
        Ok(header)
    }

    /// Skips `len` content bytes, returning them.
    pub(crate) fn take(&mut self, len: usize) -> Result<&'a [u8], LicenseError> {
        let end = self.pos.checked_add(len).ok_or_else(|| malformed("length overflow"))?;
        let bytes = self.slice(self.pos, end)?;
        self.pos = end;
        Ok(bytes)
    }

    /// A definite-length count that cannot exceed the bytes left (each item takes at least one).
    pub(crate) fn count(&self, n: usize) -> Result<usize, LicenseError> {
        if n > self.remaining() { Err(malformed("count larger than the input")) } else { Ok(n) }
    }

    /// Reads a text string.
    pub(crate) fn text(&mut self) -> Result<&'a str, LicenseError> {
        match self.header()? {
            Header::Text(Some(len)) => {
                std::str::from_utf8(self.take(len)?).map_err(|_| malformed("text is not UTF-8"))
            }
            _ => Err(malformed("expected a definite-length text string")),
        }
    }

    /// Reads a map header with a definite length.
    pub(crate) fn map(&mut self) -> Result<usize, LicenseError> {
        match self.header()? {
            Header::Map(Some(n)) => self.count(n),
            _ => Err(malformed("expected a definite-length map")),
        }
    }

    /// Reads an array header with a definite length.
    pub(crate) fn array(&mut self) -> Result<usize, LicenseError> {
        match self.header()? {
            Header::Array(Some(n)) => self.count(n),
            _ => Err(malformed("expected a definite-length array")),
        }
    }

    /// Skips one complete value, returning its span.
    pub(crate) fn skip(&mut self) -> Result<&'a [u8], LicenseError> {
        let start = self.pos;
        self.skip_value(0)?;
        self.slice(start, self.pos)
    }

    fn skip_value(&mut self, depth: usize) -> Result<(), LicenseError> {
        if depth > MAX_DEPTH {
            return Err(LicenseError::TooDeep);
        }
        match self.header()? {
            Header::Positive(_) | Header::Negative(_) | Header::Float(_) | Header::Simple(_) => Ok(()),
            Header::Break => Err(malformed("unexpected break")),
            Header::Bytes(Some(len)) | Header::Text(Some(len)) => self.take(len).map(|_| ()),
            Header::Bytes(None) | Header::Text(None) => loop {
                match self.header()? {
                    Header::Break => return Ok(()),
                    Header::Bytes(Some(len)) | Header::Text(Some(len)) => {
                        self.take(len)?;
                    }
                    _ => return Err(malformed("bad indefinite-length string chunk")),
                }
            },
            Header::Array(Some(n)) => (0..self.count(n)?).try_for_each(|_| self.skip_value(depth + 1)),
            Header::Map(Some(n)) => (0..self.count(n)?)
                .try_for_each(|_| self.skip_value(depth + 1).and_then(|()| self.skip_value(depth + 1))),
            Header::Array(None) | Header::Map(None) => loop {
                let before = self.pos;
                if matches!(self.header()?, Header::Break) {
                    return Ok(());
                }
                self.pos = before;
                self.skip_value(depth + 1)?;
            },
            Header::Tag(_) => self.skip_value(depth + 1),
        }
    }
}

/// Decodes one CBOR value with a nesting limit, refusing trailing bytes.
pub(crate) fn decode_value(bytes: &[u8]) -> Result<ciborium::Value, LicenseError> {
    let mut w = Walker::new(bytes);
    let value = w.value(0)?;
    if !w.at_end() {
        return Err(malformed("trailing bytes"));
    }
    Ok(value)
}

impl Walker<'_> {
    /// Reads one complete value into a `ciborium::Value`.
    ///
    /// Built on the same header reader as [`Walker::skip`]: no scratch buffer to clear per
    /// call and no serde layer, which made ciborium's own decoder the largest cost of verifying
    /// a license.
    pub(crate) fn value(&mut self, depth: usize) -> Result<ciborium::Value, LicenseError> {
        use ciborium::Value;
        if depth > MAX_DEPTH {
            return Err(LicenseError::TooDeep);
        }
        Ok(match self.header()? {
            Header::Positive(n) => Value::Integer(n.into()),
            Header::Negative(n) => Value::Integer(
                ciborium::value::Integer::try_from(-1 - i128::from(n)).map_err(|_| malformed("integer"))?,
            ),
            Header::Float(f) => Value::Float(f),
            Header::Simple(ciborium_ll::simple::FALSE) => Value::Bool(false),
            Header::Simple(ciborium_ll::simple::TRUE) => Value::Bool(true),
            Header::Simple(ciborium_ll::simple::NULL | ciborium_ll::simple::UNDEFINED) => Value::Null,
            Header::Simple(_) => return Err(malformed("unknown simple value")),
            Header::Break => return Err(malformed("unexpected break")),
            Header::Bytes(Some(len)) => Value::Bytes(self.take(len)?.to_vec()),
            Header::Text(Some(len)) => Value::Text(
                std::str::from_utf8(self.take(len)?).map_err(|_| malformed("text is not UTF-8"))?.to_owned(),
            ),
            Header::Bytes(None) => {
                let mut out = Vec::new();
                loop {
                    match self.header()? {
                        Header::Break => break Value::Bytes(out),
                        Header::Bytes(Some(len)) => out.extend_from_slice(self.take(len)?),
                        _ => return Err(malformed("bad indefinite-length bytes chunk")),
                    }
                }
            }
            Header::Text(None) => {
                let mut out = String::new();
                loop {
                    match self.header()? {
                        Header::Break => break Value::Text(out),
                        Header::Text(Some(len)) => out.push_str(
                            std::str::from_utf8(self.take(len)?)
                                .map_err(|_| malformed("text is not UTF-8"))?,
                        ),
                        _ => return Err(malformed("bad indefinite-length text chunk")),
                    }
                }
            }
            Header::Array(Some(n)) => {
                let n = self.count(n)?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.value(depth + 1)?);
                }
                Value::Array(items)
            }
            Header::Map(Some(n)) => {
                let n = self.count(n)?;
                let mut entries = Vec::with_capacity(n);
                for _ in 0..n {
                    let k = self.value(depth + 1)?;
                    entries.push((k, self.value(depth + 1)?));
                }
                Value::Map(entries)
            }
            Header::Array(None) => {
                let mut items = Vec::new();
                while !self.at_break()? {
                    items.push(self.value(depth + 1)?);
                }
                Value::Array(items)
            }
            Header::Map(None) => {
                let mut entries = Vec::new();
                while !self.at_break()? {
                    let k = self.value(depth + 1)?;
                    entries.push((k, self.value(depth + 1)?));
                }
                Value::Map(entries)
            }
            Header::Tag(tag) => Value::Tag(tag, Box::new(self.value(depth + 1)?)),
        })
    }

    /// Reads one value as an element value: the common shapes (text, bytes, integers, dates)
    /// directly, anything else through [`Walker::value`].
    pub(crate) fn element_value(&mut self, depth: usize) -> Result<super::ElementValue, LicenseError> {
        use super::ElementValue as E;
        let start = self.pos;
        let simple = match self.header()? {
            Header::Text(Some(len)) => Some(E::Text(self.utf8(len)?.to_owned())),
            Header::Bytes(Some(len)) => Some(E::Bytes(self.take(len)?.to_vec())),
            Header::Positive(n) => Some(E::Int(i128::from(n))),
            Header::Negative(n) => Some(E::Int(-1 - i128::from(n))),
            Header::Tag(tag @ (0 | 1004)) => match self.header()? {
                Header::Text(Some(len)) => {
                    let text = self.utf8(len)?;
                    let parsed = if tag == 1004 {
                        super::value::parse_date(text).map(E::Date)
                    } else {
                        super::value::parse_tdate(text).map(E::DateTime)
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
                self.pos = start;
                Ok(E::from_cbor(&self.value(depth)?))
            }
        }
    }

    fn utf8(&mut self, len: usize) -> Result<&str, LicenseError> {
        std::str::from_utf8(self.take(len)?).map_err(|_| malformed("text is not UTF-8"))
    }

    /// Consumes a break if one is next.
    fn at_break(&mut self) -> Result<bool, LicenseError> {
        let before = self.pos;
        if matches!(self.header()?, Header::Break) {
            return Ok(true);
        }
        self.pos = before;
        Ok(false)
    }
}

/// Encodes a CBOR value.
pub(crate) fn encode_value(value: &ciborium::Value) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(value, &mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Looks up a text key in a CBOR map.
pub(crate) fn map_get<'v>(
    map: &'v [(ciborium::Value, ciborium::Value)],
    key: &str,
) -> Option<&'v ciborium::Value> {
    map.iter().find(|(k, _)| k.as_text() == Some(key)).map(|(_, v)| v)
}
