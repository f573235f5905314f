//! The text inside a yinxin QR code: `YX1:` followed by base45 (RFC 9285) of the CBOR payload,
//! zlib-compressed only when that makes it shorter.
//!
//! Base45 uses exactly the QR alphanumeric character set, so the whole text fits the QR code's
//! alphanumeric mode (5.5 bits per character). A payload is always a CBOR array or map, whose
//! first byte (major type 4 or 5) can never be zlib's first byte (0x78), so the decoder knows
//! which form it got without a flag.

use std::io::{Read as _, Write as _};

use super::PresentError;
use crate::cose::cbor;

/// The versioned prefix.
pub const QR_PREFIX: &str = "YX1:";
/// The most characters any QR code holds in alphanumeric mode (version 40, error correction L).
pub const MAX_QR_TEXT: usize = 4296;
/// Payloads may not inflate past this (a QR code carries at most 2,953 bytes).
pub const MAX_PAYLOAD: usize = 16 * 1024;
/// zlib's first byte with the default window (CMF = 0x78).
const ZLIB_CMF: u8 = 0x78;

fn is_cbor_structure(first: u8) -> bool {
    matches!(first >> 5, 4 | 5)
}

/// Encodes a CBOR payload (an array or map) as QR text.
pub fn encode(payload: &[u8]) -> Result<String, PresentError> {
    if !payload.first().is_some_and(|b| is_cbor_structure(*b)) {
        return Err(PresentError::QrPayload);
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let compressed = z.write_all(payload).and_then(|()| z.finish()).ok();
    let body = match compressed {
        Some(c) if c.len() < payload.len() => base45::encode(c),
        _ => base45::encode(payload),
    };
    Ok(format!("{QR_PREFIX}{body}"))
}

/// Decodes QR text to its CBOR payload, within the limits: at most [`MAX_QR_TEXT`] characters,
/// inflated to at most [`MAX_PAYLOAD`] bytes, and a CBOR array or map.
///
/// A text cut off when it was copied or scanned is refused as [`PresentError::QrTruncated`]:
/// its base45 ends in a lone character, its zlib stream or its CBOR ends early. base45 is not
/// prefix-preserving (two characters are one byte, three are two), so a text that ends in a
/// two-character group may end in a wrong byte: the cut is then looked for without it.
pub fn decode(text: &str) -> Result<Vec<u8>, PresentError> {
    let text = text.trim_end_matches(['\r', '\n']);
    if text.len() > MAX_QR_TEXT {
        return Err(PresentError::QrTooLong(text.len()));
    }
    let body = text.strip_prefix(QR_PREFIX).ok_or(PresentError::QrPrefix)?;
    if body.len() % 3 == 1 {
        return Err(PresentError::QrTruncated);
    }
    let raw = base45::decode(body).map_err(|_| PresentError::QrEncoding)?;
    // The last byte, when it came from a two-character group: right if the text is whole.
    let last_byte_unsure = body.len() % 3 == 2;
    let compressed = raw.first() == Some(&ZLIB_CMF);
    let payload = if compressed {
        match inflate(&raw) {
            Err(PresentError::QrInflate)
                if last_byte_unsure && inflate(without_last(&raw)) == Err(PresentError::QrTruncated) =>
            {
                return Err(PresentError::QrTruncated);
            }
            other => other?,
        }
    } else {
        raw
    };
    if !payload.first().is_some_and(|b| is_cbor_structure(*b)) {
        return Err(PresentError::QrPayload);
    }
    // In a compressed text the unsure byte was in the zlib stream (seen above), not here.
    if !cbor::is_one_item(&payload)
        && (cbor::ends_early(&payload)
            || last_byte_unsure && !compressed && cbor::ends_early(without_last(&payload)))
    {
        return Err(PresentError::QrTruncated);
    }
    Ok(payload)
}

/// All but the last byte.
fn without_last(bytes: &[u8]) -> &[u8] {
    bytes.split_last().map_or(bytes, |(_, rest)| rest)
}

/// Inflates a zlib stream within [`MAX_PAYLOAD`]; a stream that stops early is truncated.
fn inflate(raw: &[u8]) -> Result<Vec<u8>, PresentError> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(raw).take(MAX_PAYLOAD as u64 + 1).read_to_end(&mut out).map_err(|e| {
        match e.kind() {
            std::io::ErrorKind::UnexpectedEof => PresentError::QrTruncated,
            _ => PresentError::QrInflate,
        }
    })?;
    if out.len() > MAX_PAYLOAD {
        return Err(PresentError::QrTooLarge(MAX_PAYLOAD));
    }
    Ok(out)
}
