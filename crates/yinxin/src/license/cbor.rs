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
    let mut reader = bytes;
    let value: ciborium::Value = ciborium::de::from_reader_with_recursion_limit(&mut reader, MAX_DEPTH)
        .map_err(|e| match e {
            ciborium::de::Error::RecursionLimitExceeded => LicenseError::TooDeep,
            other => LicenseError::Malformed(other.to_string()),
        })?;
    if !reader.is_empty() {
        return Err(malformed("trailing bytes"));
    }
    Ok(value)
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

/// The content of `#6.24(bstr)`.
pub(crate) fn tag24_content(value: &ciborium::Value) -> Option<&[u8]> {
    match value {
        ciborium::Value::Tag(24, inner) => inner.as_bytes().map(Vec::as_slice),
        _ => None,
    }
}
