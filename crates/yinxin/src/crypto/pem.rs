//! PEM armour (RFC 7468) for keys.

use zeroize::Zeroizing;

use super::KeyError;

pub(crate) const PUBLIC_KEY: &str = "PUBLIC KEY";
pub(crate) const PRIVATE_KEY: &str = "PRIVATE KEY";
pub(crate) const EC_PRIVATE_KEY: &str = "EC PRIVATE KEY";

/// Whether `input` looks like PEM rather than DER.
pub(crate) fn is_pem(input: &[u8]) -> bool {
    input.trim_ascii_start().starts_with(b"-----BEGIN ")
}

/// Decodes one PEM block, returning its label and (zeroized-on-drop) contents.
pub(crate) fn decode(input: &[u8]) -> Result<(String, Zeroizing<Vec<u8>>), KeyError> {
    let trimmed = input.trim_ascii();
    let (label, der) = pem_rfc7468::decode_vec(trimmed).map_err(|_| KeyError::Pem)?;
    Ok((label.to_owned(), Zeroizing::new(der)))
}

/// Encodes DER contents as PEM with LF line endings.
pub(crate) fn encode(label: &str, der: &[u8]) -> Result<Zeroizing<String>, KeyError> {
    let mut text = Zeroizing::new(
        pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der).map_err(|_| KeyError::Encode)?,
    );
    // End with a newline, as every PEM tool writes and some readers require.
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}
