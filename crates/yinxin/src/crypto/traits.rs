//! The `Signer` and `Verifier` traits that keep the library independent of where keys live.

use super::{Algorithm, KeyId, PublicKey, SignError, SignatureFormat, VerifyError, der_to_raw, raw_to_der};

/// Something that signs with one private key: a [`SoftwareKey`](super::SoftwareKey), a phone's
/// keystore (through the language bindings), an HSM.
///
/// Implementations return the **raw** signature form ([`SignatureFormat::Raw`]); callers that
/// need DER use [`Signer::sign_der`].
pub trait Signer: Send + Sync {
    /// The signature algorithm of the key.
    fn algorithm(&self) -> Algorithm;

    /// The public half of the key.
    fn public_key(&self) -> &PublicKey;

    /// The key id (fingerprint of the public key).
    fn key_id(&self) -> KeyId {
        self.public_key().key_id()
    }

    /// Signs `message` (the whole message: the algorithm hashes it), returning the raw signature.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;

    /// Signs `message` and returns the signature in `format`.
    fn sign_as(&self, message: &[u8], format: SignatureFormat) -> Result<Vec<u8>, SignError> {
        let raw = self.sign(message)?;
        match format {
            SignatureFormat::Raw => Ok(raw),
            SignatureFormat::Der => raw_to_der(self.algorithm(), &raw).map_err(|_| SignError::Malformed),
        }
    }

    /// Signs `message`, returning a DER signature.
    fn sign_der(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        self.sign_as(message, SignatureFormat::Der)
    }
}

/// Something that verifies signatures of one public key.
pub trait Verifier: Send + Sync {
    /// The signature algorithm of the key.
    fn algorithm(&self) -> Algorithm;

    /// The key id (fingerprint of the public key).
    fn key_id(&self) -> KeyId;

    /// Verifies a raw signature over `message`.
    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), VerifyError>;

    /// Verifies a signature in `format` over `message`.
    fn verify_as(
        &self,
        message: &[u8],
        signature: &[u8],
        format: SignatureFormat,
    ) -> Result<(), VerifyError> {
        match format {
            SignatureFormat::Raw => self.verify(message, signature),
            SignatureFormat::Der => self.verify(message, &der_to_raw(self.algorithm(), signature)?),
        }
    }

    /// Verifies a DER signature over `message`.
    fn verify_der(&self, message: &[u8], signature: &[u8]) -> Result<(), VerifyError> {
        self.verify_as(message, signature, SignatureFormat::Der)
    }

    /// Verifies a raw signature after checking that `algorithm` (e.g. the one a COSE header or
    /// a certificate names) is this key's algorithm.
    fn verify_with(&self, algorithm: Algorithm, message: &[u8], signature: &[u8]) -> Result<(), VerifyError> {
        if algorithm != self.algorithm() {
            return Err(VerifyError::AlgorithmMismatch { expected: self.algorithm(), found: algorithm });
        }
        self.verify(message, signature)
    }
}
