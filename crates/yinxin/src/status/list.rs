//! The status bit array and its CBOR encoding.

use std::io::{Read as _, Write as _};

use ciborium::Value;

use super::StatusError;
use crate::cose::cbor::{Walker, decode_value, encode_value, map_get};

/// Lists longer than this many entries are refused (2^24, the upper size; with 8 bits
/// per entry that is 16 MiB inflated).
pub const MAX_ENTRIES: u64 = 1 << 24;

/// The meaning yinxin gives to status values (2 bits per entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// 0x00: valid.
    Valid,
    /// 0x01: invalid: revoked, final.
    Invalid,
    /// 0x02: suspended, reversible.
    Suspended,
    /// Any other value (the draft reserves 0x03 for application use).
    Other(u8),
}

impl Status {
    /// The status of a value.
    pub fn from_value(v: u8) -> Self {
        match v {
            0 => Self::Valid,
            1 => Self::Invalid,
            2 => Self::Suspended,
            other => Self::Other(other),
        }
    }

    /// The value.
    pub fn value(self) -> u8 {
        match self {
            Self::Valid => 0,
            Self::Invalid => 1,
            Self::Suspended => 2,
            Self::Other(v) => v,
        }
    }

    /// `VALID`, `INVALID`, `SUSPENDED`, or the number.
    pub fn name(self) -> String {
        match self {
            Self::Valid => "VALID".into(),
            Self::Invalid => "INVALID".into(),
            Self::Suspended => "SUSPENDED".into(),
            Self::Other(v) => v.to_string(),
        }
    }
}

/// A Token Status List: `size` entries of `bits` bits, packed LSB-first.
#[derive(Clone, PartialEq, Eq)]
pub struct StatusList {
    bits: u8,
    bytes: Vec<u8>,
}

impl std::fmt::Debug for StatusList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatusList").field("bits", &self.bits).field("size", &self.len()).finish()
    }
}

fn check_bits(bits: u64) -> Result<u8, StatusError> {
    match bits {
        1 | 2 | 4 | 8 => Ok(bits as u8),
        other => Err(StatusError::Bits(other)),
    }
}

impl StatusList {
    /// A list of `size` entries, all 0 (VALID). `size` is rounded up to whole bytes.
    pub fn new(bits: u8, size: u64) -> Result<Self, StatusError> {
        let bits = check_bits(u64::from(bits))?;
        if size > MAX_ENTRIES {
            return Err(StatusError::TooLarge(usize::try_from(size).unwrap_or(usize::MAX)));
        }
        let len = usize::try_from((size * u64::from(bits)).div_ceil(8))
            .map_err(|_| StatusError::TooLarge(usize::MAX))?;
        Ok(Self { bits, bytes: vec![0; len] })
    }

    /// A list from its uncompressed byte array.
    pub fn from_bytes(bits: u8, bytes: Vec<u8>) -> Result<Self, StatusError> {
        let bits = check_bits(u64::from(bits))?;
        if bytes.len() as u64 * 8 / u64::from(bits) > MAX_ENTRIES {
            return Err(StatusError::TooLarge(bytes.len()));
        }
        Ok(Self { bits, bytes })
    }

    /// Bits per entry.
    pub fn bits(&self) -> u8 {
        self.bits
    }

    /// Number of entries.
    pub fn len(&self) -> u64 {
        self.bytes.len() as u64 * 8 / u64::from(self.bits)
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The uncompressed byte array.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn locate(&self, index: u64) -> Result<(usize, u32), StatusError> {
        if index >= self.len() {
            return Err(StatusError::Index { index, size: self.len() });
        }
        let bit = index * u64::from(self.bits);
        Ok((usize::try_from(bit / 8).unwrap_or(usize::MAX), (bit % 8) as u32))
    }

    /// The value at `index`.
    pub fn get(&self, index: u64) -> Result<u8, StatusError> {
        let (byte, shift) = self.locate(index)?;
        let mask = ((1u16 << self.bits) - 1) as u8;
        Ok((self.bytes.get(byte).copied().unwrap_or(0) >> shift) & mask)
    }

    /// The status at `index`.
    pub fn status(&self, index: u64) -> Result<Status, StatusError> {
        self.get(index).map(Status::from_value)
    }

    /// Sets the value at `index`.
    pub fn set(&mut self, index: u64, value: u8) -> Result<(), StatusError> {
        let mask = ((1u16 << self.bits) - 1) as u8;
        if value & !mask != 0 {
            return Err(StatusError::Value { value, bits: self.bits });
        }
        let (byte, shift) = self.locate(index)?;
        if let Some(b) = self.bytes.get_mut(byte) {
            *b = (*b & !(mask << shift)) | (value << shift);
        }
        Ok(())
    }

    /// Indices and values of the entries that are not 0.
    pub fn non_zero(&self) -> impl Iterator<Item = (u64, u8)> + '_ {
        let per_byte = u64::from(8 / self.bits);
        self.bytes.iter().enumerate().filter(|(_, b)| **b != 0).flat_map(move |(i, _)| {
            let base = i as u64 * per_byte;
            (base..base + per_byte)
                .filter_map(move |idx| self.get(idx).ok().filter(|v| *v != 0).map(|v| (idx, v)))
        })
    }

    /// The CBOR `StatusList` map: `{"bits": bits, "lst": zlib(bytes)}`.
    pub fn to_cbor_value(&self) -> Result<Value, StatusError> {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&self.bytes).map_err(|e| StatusError::Encode(e.to_string()))?;
        let lst = z.finish().map_err(|e| StatusError::Encode(e.to_string()))?;
        Ok(Value::Map(vec![
            (Value::Text("bits".into()), Value::from(u64::from(self.bits))),
            (Value::Text("lst".into()), Value::Bytes(lst)),
        ]))
    }

    /// The encoded CBOR `StatusList`.
    pub fn to_cbor(&self) -> Result<Vec<u8>, StatusError> {
        encode_value(&self.to_cbor_value()?).map_err(StatusError::Encode)
    }

    /// Decodes a CBOR `StatusList`, refusing lists of more than [`MAX_ENTRIES`] entries.
    pub fn from_cbor(bytes: &[u8]) -> Result<Self, StatusError> {
        Self::from_cbor_limited(bytes, MAX_ENTRIES)
    }

    /// Decodes a CBOR `StatusList`, refusing lists of more than `max_entries` entries (e.g. the
    /// size the caller knows the list has). Inflation stops one byte past the limit, so a zlib
    /// bomb costs no more than the limit.
    pub fn from_cbor_limited(bytes: &[u8], max_entries: u64) -> Result<Self, StatusError> {
        let value = decode_value(bytes).map_err(|e| StatusError::Malformed(e.to_string()))?;
        Self::from_cbor_value(&value, max_entries)
    }

    pub(crate) fn from_cbor_value(value: &Value, max_entries: u64) -> Result<Self, StatusError> {
        let map = value.as_map().ok_or_else(|| StatusError::Malformed("not a map".into()))?;
        let bits = map_get(map, "bits")
            .and_then(Value::as_integer)
            .and_then(|i| u64::try_from(i).ok())
            .ok_or_else(|| StatusError::Malformed("bits".into()))?;
        let bits = check_bits(bits)?;
        let lst = map_get(map, "lst")
            .and_then(Value::as_bytes)
            .ok_or_else(|| StatusError::Malformed("lst".into()))?;
        let max_entries = max_entries.min(MAX_ENTRIES);
        let limit = usize::try_from((max_entries * u64::from(bits)).div_ceil(8)).unwrap_or(usize::MAX);
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(lst.as_slice())
            .take(limit as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|_| StatusError::Zlib)?;
        if out.len() > limit {
            return Err(StatusError::TooLarge(limit));
        }
        Ok(Self { bits, bytes: out })
    }
}

/// Whether `bytes` look like a Status List Token (a COSE_Sign1, tagged or not) rather than a
/// bare StatusList map; decides nothing about validity.
pub fn is_token(bytes: &[u8]) -> bool {
    let mut w = Walker::new(bytes);
    matches!(w.header(), Ok(ciborium_ll::Header::Tag(18)) | Ok(ciborium_ll::Header::Array(Some(4))))
}
