//! The text inside a yinxin QR code: `YX1:` followed by base45 (RFC 9285) of the CBOR payload,
//! zlib-compressed only when that makes it shorter.
//!
//! Base45 uses exactly the QR alphanumeric character set, so the whole text fits the QR code's
//! alphanumeric mode (5.5 bits per character). A payload is always a CBOR array or map, whose
//! first byte (major type 4 or 5) can never be zlib's first byte (0x78), so the decoder knows
//! which form it got without a flag.

use std::io::{Read as _, Write as _};

use super::PresentError;

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
pub fn decode(text: &str) -> Result<Vec<u8>, PresentError> {
    let text = text.trim_end_matches(['\r', '\n']);
    if text.len() > MAX_QR_TEXT {
        return Err(PresentError::QrTooLong(text.len()));
    }
    let body = text.strip_prefix(QR_PREFIX).ok_or(PresentError::QrPrefix)?;
    // base45 packs 2 bytes in 3 characters and a last byte in 2: a lone last character means
    // the text was cut off.
    if body.len() % 3 == 1 {
        return Err(PresentError::QrTruncated);
    }
    let raw = base45::decode(body).map_err(|_| PresentError::QrEncoding)?;
    let payload = if raw.first() == Some(&ZLIB_CMF) {
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(raw.as_slice())
            .take(MAX_PAYLOAD as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::UnexpectedEof => PresentError::QrTruncated,
                _ => PresentError::QrInflate,
            })?;
        if out.len() > MAX_PAYLOAD {
            return Err(PresentError::QrTooLarge(MAX_PAYLOAD));
        }
        out
    } else {
        raw
    };
    if !payload.first().is_some_and(|b| is_cbor_structure(*b)) {
        return Err(PresentError::QrPayload);
    }
    Ok(payload)
}
