//! Key identifiers: a short fingerprint of a public key.

use std::fmt;

/// The first 8 bytes of SHA-256 over a key's DER `SubjectPublicKeyInfo`.
///
/// A key id only names which key to try; it is never trusted on its own: whoever finds a key by
/// its id still verifies the signature with that key. Eight bytes keep QR codes short while
/// making accidental collisions in a trust store practically impossible.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId([u8; 8]);

impl KeyId {
    /// The fingerprint of a DER `SubjectPublicKeyInfo`.
    pub fn of_spki(spki_der: &[u8]) -> Self {
        let d = super::DigestAlgorithm::Sha256.digest(spki_der);
        let mut id = [0u8; 8];
        id.copy_from_slice(d.get(..8).unwrap_or(&[0; 8]));
        Self(id)
    }

    /// Wraps 8 bytes (for ids read from input).
    pub fn from_bytes(bytes: [u8; 8]) -> Self {
        Self(bytes)
    }

    /// The 8 bytes.
    pub fn as_bytes(&self) -> &[u8; 8] {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}
