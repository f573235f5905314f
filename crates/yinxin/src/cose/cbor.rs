//! A bounded CBOR walker that finds the byte spans of values without re-encoding anything
//! (decision 0009), and the CBOR helpers every format of yinxin shares.
//!
//! Digests in an mdoc cover the exact bytes of each `#6.24(bstr)` item and the COSE signature
//! covers the exact protected header and payload, so yinxin locates those bytes in the input and
//! hashes or verifies them as they are. Headers are ciborium-ll's; this module only keeps
//! positions and enforces the limits: nesting depth, counts no larger than the bytes left, no
//! duplicate map keys.

use ciborium_ll::Header;

use super::CoseError;

/// Maximum nesting of arrays, maps and tags.
pub(crate) const MAX_DEPTH: usize = 32;

/// The reason given when the input ends inside a value.
const TRUNCATED: &str = "truncated";
/// The reason given when a map or array claims more entries than bytes are left.
const COUNT_PAST_END: &str = "count larger than the input";

fn malformed(what: &str) -> CoseError {
    CoseError::Malformed(what.to_owned())
}

/// The keys of one CBOR map read so far, to refuse a key that occurs twice (RFC 8949 §5.6: a
/// map with duplicate keys is not valid, and a reader that lets the first or the last win can
/// be made to see what the signer did not mean, e.g. a status list claim given twice).
///
/// Keys read from the input are borrowed, not copied; most maps have a handful of keys, so
/// they are compared one by one until [`KeySet::LINEAR`] of them, then through a hash set (a
/// hostile map of thousands of keys costs linear time, not quadratic). Checking the keys of a
/// license this way costs a few hundred instructions, where a set of owned copies cost a
/// tenth of the verification (BENCHMARKS.md).
#[derive(Default)]
pub(crate) struct KeySet<'a> {
    keys: Vec<std::borrow::Cow<'a, [u8]>>,
    index: Option<std::collections::HashSet<std::borrow::Cow<'a, [u8]>>>,
}

impl<'a> KeySet<'a> {
    /// Keys compared one by one up to this many.
    const LINEAR: usize = 16;

    fn add(&mut self, key: std::borrow::Cow<'a, [u8]>) -> Result<(), CoseError> {
        let fresh = match &mut self.index {
            Some(index) => index.insert(key),
            None if self.keys.contains(&key) => false,
            None => {
                self.keys.push(key);
                if self.keys.len() >= Self::LINEAR {
                    self.index = Some(self.keys.drain(..).collect());
                }
                true
            }
        };
        if fresh { Ok(()) } else { Err(malformed("duplicate map key")) }
    }

    /// Records a key given as its text or bytes content (keys compared as they are read).
    pub(crate) fn insert(&mut self, key: &'a [u8]) -> Result<(), CoseError> {
        self.add(std::borrow::Cow::Borrowed(key))
    }

    /// Checks the next key of a map read into `entries` so far: compared with the earlier
    /// keys directly while the map is small (text, bytes and integer keys by value, which is
    /// how their preferred encodings compare; others by encoding), through encodings in a
    /// hash set past [`KeySet::LINEAR`] keys.
    pub(crate) fn check_entry(
        &mut self,
        entries: &[(ciborium::Value, ciborium::Value)],
        key: &ciborium::Value,
    ) -> Result<(), CoseError> {
        if self.keys.is_empty() && self.index.is_none() && entries.len() < Self::LINEAR {
            for (k, _) in entries {
                if same_key(k, key)? {
                    return Err(malformed("duplicate map key"));
                }
            }
            return Ok(());
        }
        if self.keys.is_empty() && self.index.is_none() {
            for (k, _) in entries {
                self.insert_value(k)?;
            }
        }
        self.insert_value(key)
    }

    /// Records a key read as a value, compared by its preferred encoding, so that two
    /// encodings of one key (a non-minimal integer, an indefinite-length string) are the same
    /// key.
    pub(crate) fn insert_value(&mut self, key: &ciborium::Value) -> Result<(), CoseError> {
        let encoded = encode_value(key).map_err(|e| malformed(&e))?;
        // A leading byte that no text or bytes content starts with keeps value keys apart
        // from content keys.
        let mut tagged = Vec::with_capacity(encoded.len() + 1);
        tagged.push(0xff);
        tagged.extend(encoded);
        self.add(std::borrow::Cow::Owned(tagged))
    }
}

/// Whether two keys read as values are the same key (their preferred encodings are equal).
fn same_key(a: &ciborium::Value, b: &ciborium::Value) -> Result<bool, CoseError> {
    use ciborium::Value;
    Ok(match (a, b) {
        (Value::Text(x), Value::Text(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::Integer(x), Value::Integer(y)) => x == y,
        (Value::Text(_) | Value::Bytes(_) | Value::Integer(_), _)
        | (_, Value::Text(_) | Value::Bytes(_) | Value::Integer(_)) => false,
        _ => encode_value(a).map_err(|e| malformed(&e))? == encode_value(b).map_err(|e| malformed(&e))?,
    })
}

/// Whether `data` ends inside its first value: what a CBOR item cut off at its end looks like
/// (a QR text copied or scanned only in part), as opposed to one that is malformed.
pub(crate) fn ends_early(data: &[u8]) -> bool {
    matches!(Walker::new(data).skip(), Err(CoseError::Malformed(why)) if why == TRUNCATED || why == COUNT_PAST_END)
}

/// Whether `data` is exactly one well-formed value, within the walker's limits.
pub(crate) fn is_one_item(data: &[u8]) -> bool {
    let mut w = Walker::new(data);
    w.skip().is_ok() && w.at_end()
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

    /// Goes back to a position returned by [`Walker::pos`] (to read a value a second way).
    pub(crate) fn set_pos(&mut self, pos: usize) {
        self.pos = pos.min(self.data.len());
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos == self.data.len()
    }

    pub(crate) fn slice(&self, start: usize, end: usize) -> Result<&'a [u8], CoseError> {
        self.data.get(start..end).ok_or_else(|| malformed(TRUNCATED))
    }

    fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    /// Reads one header (RFC 8949 §3: the initial byte and its argument).
    ///
    /// Decoded here rather than with ciborium-ll's reader-based `Decoder`, which cost a quarter
    /// of a license verification: a credential has some 250 headers. The result is ciborium-ll's
    /// `Header`, and the rules are the same: definite lengths, no reserved additional information
    /// (28-30), break only for indefinite items, floats of 16, 32 and 64 bits.
    pub(crate) fn header(&mut self) -> Result<Header, CoseError> {
        let initial = *self.data.get(self.pos).ok_or_else(|| malformed(TRUNCATED))?;
        self.pos += 1;
        let major = initial >> 5;
        let info = initial & 0x1f;
        let argument = match info {
            0..=23 => Some(u64::from(info)),
            24..=27 => {
                let n = 1usize << (info - 24);
                let bytes = self.take(n)?;
                Some(bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
            }
            31 => None,
            _ => return Err(malformed("reserved additional information")),
        };
        let len = |a: u64| usize::try_from(a).map_err(|_| malformed("length too large"));
        Ok(match (major, argument) {
            (0, Some(a)) => Header::Positive(a),
            (1, Some(a)) => Header::Negative(a),
            (2, Some(a)) => Header::Bytes(Some(len(a)?)),
            (2, None) => Header::Bytes(None),
            (3, Some(a)) => Header::Text(Some(len(a)?)),
            (3, None) => Header::Text(None),
            (4, Some(a)) => Header::Array(Some(len(a)?)),
            (4, None) => Header::Array(None),
            (5, Some(a)) => Header::Map(Some(len(a)?)),
            (5, None) => Header::Map(None),
            (6, Some(a)) => Header::Tag(a),
            (7, None) => Header::Break,
            (7, Some(a)) => match info {
                0..=23 => Header::Simple(u8::try_from(a).unwrap_or(u8::MAX)),
                24 if a >= 32 => Header::Simple(u8::try_from(a).unwrap_or(u8::MAX)),
                25 => Header::Float(f64::from(half_to_f32(a as u16))),
                26 => Header::Float(f64::from(f32::from_bits(a as u32))),
                27 => Header::Float(f64::from_bits(a)),
                _ => return Err(malformed("invalid simple value")),
            },
            _ => return Err(malformed("indefinite length where none is allowed")),
        })
    }

    /// Skips `len` content bytes, returning them.
    pub(crate) fn take(&mut self, len: usize) -> Result<&'a [u8], CoseError> {
        let end = self.pos.checked_add(len).ok_or_else(|| malformed("length overflow"))?;
        let bytes = self.slice(self.pos, end)?;
        self.pos = end;
        Ok(bytes)
    }

    /// A definite-length count that cannot exceed the bytes left (each item takes at least one).
    pub(crate) fn count(&self, n: usize) -> Result<usize, CoseError> {
        if n > self.remaining() { Err(malformed(COUNT_PAST_END)) } else { Ok(n) }
    }

    /// Reads a text string.
    pub(crate) fn text(&mut self) -> Result<&'a str, CoseError> {
        std::str::from_utf8(self.key()?).map_err(|_| malformed("text is not UTF-8"))
    }

    /// Reads a text string's bytes without checking UTF-8: for map keys that are only compared
    /// with known ASCII names.
    pub(crate) fn key(&mut self) -> Result<&'a [u8], CoseError> {
        match self.header()? {
            Header::Text(Some(len)) => self.take(len),
            _ => Err(malformed("expected a definite-length text string")),
        }
    }

    /// Reads a map header with a definite length.
    pub(crate) fn map(&mut self) -> Result<usize, CoseError> {
        match self.header()? {
            Header::Map(Some(n)) => self.count(n),
            _ => Err(malformed("expected a definite-length map")),
        }
    }

    /// Reads an array header with a definite length.
    pub(crate) fn array(&mut self) -> Result<usize, CoseError> {
        match self.header()? {
            Header::Array(Some(n)) => self.count(n),
            _ => Err(malformed("expected a definite-length array")),
        }
    }

    /// Skips one complete value, returning its span.
    pub(crate) fn skip(&mut self) -> Result<&'a [u8], CoseError> {
        let start = self.pos;
        self.skip_value(0)?;
        self.slice(start, self.pos)
    }

    fn skip_value(&mut self, depth: usize) -> Result<(), CoseError> {
        if depth > MAX_DEPTH {
            return Err(CoseError::TooDeep);
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

/// IEEE 754 half precision to single precision.
fn half_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = (h >> 10) & 0x1f;
    let mant = u32::from(h & 0x3ff);
    let bits = match exp {
        0 if mant == 0 => sign,
        0 => {
            // Subnormal: normalise.
            let mut e = 127 - 15 + 1;
            let mut m = mant;
            while m & 0x400 == 0 {
                m <<= 1;
                e -= 1;
            }
            sign | ((e as u32) << 23) | ((m & 0x3ff) << 13)
        }
        0x1f => sign | 0x7f80_0000 | (mant << 13),
        e => sign | ((u32::from(e) + 127 - 15) << 23) | (mant << 13),
    };
    f32::from_bits(bits)
}

/// Decodes one CBOR value with a nesting limit, refusing trailing bytes.
pub(crate) fn decode_value(bytes: &[u8]) -> Result<ciborium::Value, CoseError> {
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
    pub(crate) fn value(&mut self, depth: usize) -> Result<ciborium::Value, CoseError> {
        use ciborium::Value;
        if depth > MAX_DEPTH {
            return Err(CoseError::TooDeep);
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
                let mut keys = KeySet::default();
                for _ in 0..n {
                    let k = self.value(depth + 1)?;
                    keys.check_entry(&entries, &k)?;
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
                let mut keys = KeySet::default();
                while !self.at_break()? {
                    let k = self.value(depth + 1)?;
                    keys.check_entry(&entries, &k)?;
                    entries.push((k, self.value(depth + 1)?));
                }
                Value::Map(entries)
            }
            Header::Tag(tag) => Value::Tag(tag, Box::new(self.value(depth + 1)?)),
        })
    }

    pub(crate) fn utf8(&mut self, len: usize) -> Result<&str, CoseError> {
        std::str::from_utf8(self.take(len)?).map_err(|_| malformed("text is not UTF-8"))
    }

    /// Consumes a break if one is next.
    pub(crate) fn at_break(&mut self) -> Result<bool, CoseError> {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use ciborium::Value;

    use super::decode_value;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn rfc_8949_appendix_a_examples() {
        let cases: [(&str, Value); 14] = [
            ("00", Value::from(0)),
            ("17", Value::from(23)),
            ("1818", Value::from(24)),
            ("1903e8", Value::from(1000)),
            ("1b000000e8d4a51000", Value::from(1_000_000_000_000u64)),
            ("20", Value::from(-1)),
            ("3903e7", Value::from(-1000)),
            ("f93c00", Value::Float(1.0)),
            ("f93e00", Value::Float(1.5)),
            ("f90001", Value::Float(5.960464477539063e-8)),
            ("fa47c35000", Value::Float(100000.0)),
            ("fb3ff199999999999a", Value::Float(1.1)),
            ("6449455446", Value::Text("IETF".into())),
            (
                "9f018202039f0405ffff",
                Value::Array(vec![
                    Value::from(1),
                    Value::Array(vec![Value::from(2), Value::from(3)]),
                    Value::Array(vec![Value::from(4), Value::from(5)]),
                ]),
            ),
        ];
        for (h, expected) in cases {
            assert_eq!(decode_value(&hex(h)).unwrap(), expected, "{h}");
        }
        assert_eq!(decode_value(&hex("f97c00")).unwrap(), Value::Float(f64::INFINITY));
        assert_eq!(decode_value(&hex("f5")).unwrap(), Value::Bool(true));
        assert_eq!(decode_value(&hex("f6")).unwrap(), Value::Null);
        assert_eq!(
            decode_value(&hex("c074323031332d30332d32315432303a30343a30305a")).unwrap(),
            Value::Tag(0, Box::new(Value::Text("2013-03-21T20:04:00Z".into())))
        );
        assert_eq!(decode_value(&hex("5f42010243030405ff")).unwrap(), Value::Bytes(vec![1, 2, 3, 4, 5]));
    }

    #[test]
    fn duplicate_keys_are_refused_however_they_are_encoded_and_however_many_keys() {
        // {1: 0, 1 (two-byte form): 0}; {"a": 0, "a" (indefinite): 0}; {1.5: 0, 1.5: 0}.
        for h in ["a20100180100", "a2616100616100", "a26161007f6161ff00", "a2f93e0000f93e0000"] {
            assert_eq!(decode_value(&hex(h)), Err(super::malformed("duplicate map key")), "{h}");
        }
        // Different keys of different types are fine: {1: 0, "1": 0, h'01': 0}.
        assert!(decode_value(&hex("a301006131004101 00".replace(' ', "").as_str())).is_ok());
        // Past the linear limit: 40 distinct keys, then one repeated at the end.
        let mut map = vec![0xb8, 40];
        for i in 0..40u8 {
            map.extend([0x18, i, 0x00]);
        }
        assert!(decode_value(&map).is_ok());
        map[1] = 41;
        map.extend([0x18, 3, 0x00]);
        assert_eq!(decode_value(&map), Err(super::malformed("duplicate map key")), "a key again after forty");
        let mut texts = vec![0xb8, 40];
        for i in 0..40u8 {
            texts.extend([0x62, b'a' + i / 26, b'a' + i % 26, 0x00]);
        }
        assert!(decode_value(&texts).is_ok());
        texts[1] = 41;
        texts.extend([0x62, b'a', b'c', 0x00]);
        assert_eq!(decode_value(&texts), Err(super::malformed("duplicate map key")), "a text key again");
    }

    #[test]
    fn invalid_encodings_are_refused() {
        for h in [
            "1c",                 // reserved additional information
            "1f",                 // indefinite unsigned integer
            "f818",               // two-byte simple value below 32
            "ff",                 // break outside an indefinite item
            "1900",               // truncated argument
            "62c328",             // invalid UTF-8
            "5f01ff",             // non-bytes chunk in indefinite bytes
            "9b00000000ffffffff", // count larger than the input
            "0000",               // trailing bytes
        ] {
            assert!(decode_value(&hex(h)).is_err(), "{h}");
        }
        // Nesting past the limit.
        let mut deep = vec![0x81u8; 100];
        deep.push(0);
        assert!(decode_value(&deep).is_err());
    }
}
