//! Public keys: import and export (SPKI DER/PEM, raw), key ids, and signature verification.

use std::fmt;

use der::Decode as _;
use der::asn1::ObjectIdentifier as Oid;
use spki::EncodePublicKey as _;

use super::p256_backend::P256Verifier;
use super::{Algorithm, KeyError, KeyId, Verifier, VerifyError, oids, pem};

/// The SM2 distinguishing identifier used unless the caller names another
/// (GB/T 35276 default, as OpenSSL's `distid:1234567812345678`).
pub const DEFAULT_SM2_DISTID: &str = "1234567812345678";

/// A public key of one of the supported algorithms, ready to verify signatures.
///
/// Cheap to clone, `Send + Sync`. For SM2 the key carries its distinguishing identifier
/// ([`DEFAULT_SM2_DISTID`] unless set with [`PublicKey::with_sm2_distid`]), since it is part
/// of what is signed.
#[derive(Clone)]
pub struct PublicKey {
    inner: Inner,
    /// Computed on first use: most keys a verifier reads are never asked for their id.
    key_id: std::sync::OnceLock<KeyId>,
}

#[derive(Clone)]
enum Inner {
    Ed25519(ed25519_dalek::VerifyingKey),
    P256 { key: p256::PublicKey, verifier: P256Verifier },
    Sm2(Box<sm2::dsa::VerifyingKey>),
    P384(Box<p384::ecdsa::VerifyingKey>),
}

/// The key algorithm named by an `AlgorithmIdentifier` (OID plus optional curve parameter).
pub(crate) fn key_algorithm(oid: Oid, curve: Option<Oid>) -> Result<Algorithm, KeyError> {
    match (oid, curve) {
        (o, _) if o == oids::ED25519 => Ok(Algorithm::Ed25519),
        (o, Some(c)) if o == oids::EC_PUBLIC_KEY && c == oids::PRIME256V1 => Ok(Algorithm::Es256),
        (o, Some(c)) if o == oids::EC_PUBLIC_KEY && c == oids::SM2_CURVE => Ok(Algorithm::Sm2Sm3),
        (o, Some(c)) if o == oids::EC_PUBLIC_KEY && c == oids::SECP384R1 => Ok(Algorithm::Es384),
        (o, Some(c)) if o == oids::EC_PUBLIC_KEY => Err(KeyError::UnsupportedCurve(curve_name(&c))),
        (o, _) if o == oids::SM2_CURVE => Ok(Algorithm::Sm2Sm3),
        _ => Err(KeyError::UnsupportedAlgorithm),
    }
}

/// A curve yinxin does not support, as a person reads its name.
fn curve_name(oid: &Oid) -> String {
    match oid.to_string().as_str() {
        "1.3.132.0.35" => "P-521 (secp521r1)".into(),
        "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1".into(),
        "1.3.36.3.3.2.8.1.1.11" => "brainpoolP384r1".into(),
        "1.3.36.3.3.2.8.1.1.13" => "brainpoolP512r1".into(),
        "1.3.132.0.10" => "secp256k1".into(),
        other => format!("the curve {other}"),
    }
}

/// The named-curve OID in `AlgorithmIdentifier.parameters`, if the parameters are an OID.
pub(crate) fn named_curve(parameters: Option<der::AnyRef<'_>>) -> Result<Option<Oid>, KeyError> {
    use der::Tagged as _;
    match parameters {
        Some(p) if p.tag() == der::Tag::ObjectIdentifier => {
            p.decode_as::<Oid>().map(Some).map_err(|_| KeyError::Malformed)
        }
        _ => Ok(None),
    }
}

fn sm2_verifying_key(distid: &str, key: sm2::PublicKey) -> Result<sm2::dsa::VerifyingKey, KeyError> {
    if distid.len() > 8191 {
        return Err(KeyError::DistId);
    }
    sm2::dsa::VerifyingKey::new(distid, key).map_err(|_| KeyError::DistId)
}

impl PublicKey {
    fn new(inner: Inner) -> Result<Self, KeyError> {
        Ok(Self { key_id: std::sync::OnceLock::new(), inner })
    }

    pub(crate) fn from_ed25519(key: ed25519_dalek::VerifyingKey) -> Result<Self, KeyError> {
        // Small-order keys are refused once, here, so that each verification can use the
        // (faster) cofactorless check without the per-signature weak-key test.
        if key.is_weak() {
            return Err(KeyError::WeakKey);
        }
        Self::new(Inner::Ed25519(key))
    }

    pub(crate) fn from_p256(key: p256::PublicKey) -> Result<Self, KeyError> {
        Self::new(Inner::P256 { verifier: P256Verifier::new(&key), key })
    }

    pub(crate) fn from_p384(key: p384::PublicKey) -> Result<Self, KeyError> {
        Self::new(Inner::P384(Box::new(p384::ecdsa::VerifyingKey::from(key))))
    }

    pub(crate) fn from_sm2(key: sm2::PublicKey, distid: &str) -> Result<Self, KeyError> {
        Self::new(Inner::Sm2(Box::new(sm2_verifying_key(distid, key)?)))
    }

    /// Reads a DER `SubjectPublicKeyInfo` (RFC 5280). The algorithm comes from its OIDs:
    /// Ed25519, id-ecPublicKey with the P-256 or SM2 curve, or the bare SM2 curve OID that some
    /// Chinese systems write.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        let spki = spki::SubjectPublicKeyInfoRef::from_der(der).map_err(|_| KeyError::Malformed)?;
        let algorithm = key_algorithm(spki.algorithm.oid, named_curve(spki.algorithm.parameters)?)?;
        let bits = spki.subject_public_key.as_bytes().ok_or(KeyError::Malformed)?;
        Self::from_raw(algorithm, bits)
    }

    /// Reads a PEM `PUBLIC KEY` (SPKI).
    pub fn from_spki_pem(pem_text: &str) -> Result<Self, KeyError> {
        let (label, der) = pem::decode(pem_text.as_bytes())?;
        if label != pem::PUBLIC_KEY {
            return Err(KeyError::PemLabel {
                found: label,
                expected: "a public key (SPKI \"PUBLIC KEY\" PEM)",
            });
        }
        Self::from_spki_der(&der)
    }

    /// Reads SPKI in PEM or DER, whichever `input` is.
    pub fn from_pem_or_der(input: &[u8]) -> Result<Self, KeyError> {
        if pem::is_pem(input) {
            let text = std::str::from_utf8(input).map_err(|_| KeyError::Pem)?;
            Self::from_spki_pem(text)
        } else {
            Self::from_spki_der(input)
        }
    }

    /// Reads a raw public key: the 32-byte Ed25519 key, or a SEC1 point (compressed or
    /// uncompressed) for P-256 and SM2. Points not on the curve are refused.
    pub fn from_raw(algorithm: Algorithm, bytes: &[u8]) -> Result<Self, KeyError> {
        match algorithm {
            Algorithm::Ed25519 => {
                let bytes: &[u8; 32] = bytes.try_into().map_err(|_| KeyError::Malformed)?;
                let key = ed25519_dalek::VerifyingKey::from_bytes(bytes).map_err(|_| KeyError::Malformed)?;
                Self::from_ed25519(key)
            }
            Algorithm::Es256 => {
                Self::from_p256(p256::PublicKey::from_sec1_bytes(bytes).map_err(|_| KeyError::Malformed)?)
            }
            Algorithm::Sm2Sm3 => Self::from_sm2(
                sm2::PublicKey::from_sec1_bytes(bytes).map_err(|_| KeyError::Malformed)?,
                DEFAULT_SM2_DISTID,
            ),
            Algorithm::Es384 => {
                Self::from_p384(p384::PublicKey::from_sec1_bytes(bytes).map_err(|_| KeyError::Malformed)?)
            }
        }
    }

    /// The same SM2 key with another distinguishing identifier (at most 8191 bytes). Keys of
    /// other algorithms have none: asking for one is [`KeyError::UnsupportedAlgorithm`].
    pub fn with_sm2_distid(&self, distid: &str) -> Result<Self, KeyError> {
        match &self.inner {
            Inner::Sm2(k) => Ok(Self {
                inner: Inner::Sm2(Box::new(sm2_verifying_key(distid, sm2::PublicKey::from(k.as_ref()))?)),
                key_id: self.key_id.clone(),
            }),
            _ => Err(KeyError::UnsupportedAlgorithm),
        }
    }

    /// The SM2 distinguishing identifier, for SM2 keys.
    pub fn sm2_distid(&self) -> Option<&str> {
        match &self.inner {
            Inner::Sm2(k) => Some(k.distid()),
            _ => None,
        }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        match self.inner {
            Inner::Ed25519(_) => Algorithm::Ed25519,
            Inner::P256 { .. } => Algorithm::Es256,
            Inner::Sm2(_) => Algorithm::Sm2Sm3,
            Inner::P384(_) => Algorithm::Es384,
        }
    }

    /// The key id: the first 8 bytes of SHA-256 over the DER SPKI.
    pub fn key_id(&self) -> KeyId {
        // Encoding a valid key's SPKI cannot fail; if it ever did, the id of no bytes is used.
        *self.key_id.get_or_init(|| KeyId::of_spki(&spki_der(&self.inner).unwrap_or_default()))
    }

    /// The DER `SubjectPublicKeyInfo`.
    pub fn to_spki_der(&self) -> Result<Vec<u8>, KeyError> {
        spki_der(&self.inner)
    }

    /// The PEM `PUBLIC KEY`.
    pub fn to_spki_pem(&self) -> Result<String, KeyError> {
        Ok(pem::encode(pem::PUBLIC_KEY, &self.to_spki_der()?)?.to_string())
    }

    /// The raw key: 32 bytes for Ed25519, the 65-byte uncompressed SEC1 point otherwise.
    pub fn to_raw(&self) -> Vec<u8> {
        use p256::elliptic_curve::sec1::ToSec1Point as _;
        match &self.inner {
            Inner::Ed25519(k) => k.as_bytes().to_vec(),
            Inner::P256 { key, .. } => key.to_sec1_point(false).as_bytes().to_vec(),
            Inner::Sm2(k) => k.to_sec1_bytes().to_vec(),
            Inner::P384(k) => k.to_sec1_point(false).as_bytes().to_vec(),
        }
    }

    /// The Ed25519 key, for batch verification.
    pub(crate) fn as_ed25519(&self) -> Option<&ed25519_dalek::VerifyingKey> {
        match &self.inner {
            Inner::Ed25519(k) => Some(k),
            _ => None,
        }
    }

    /// Which backend verifies signatures of this key (`ed25519-dalek`, `ring`, `p256`, `sm2`).
    pub fn backend(&self) -> &'static str {
        match self.inner {
            Inner::Ed25519(_) => "ed25519-dalek",
            Inner::P256 { .. } => P256Verifier::BACKEND,
            Inner::Sm2(_) => "sm2",
            Inner::P384(_) => "p384",
        }
    }
}

fn spki_der(inner: &Inner) -> Result<Vec<u8>, KeyError> {
    let doc = match inner {
        Inner::Ed25519(k) => k.to_public_key_der(),
        Inner::P256 { key, .. } => key.to_public_key_der(),
        Inner::Sm2(k) => sm2::PublicKey::from(k.as_ref()).to_public_key_der(),
        Inner::P384(k) => k.to_public_key_der(),
    };
    doc.map(|d| d.as_bytes().to_vec()).map_err(|_| KeyError::Encode)
}

impl Verifier for PublicKey {
    fn algorithm(&self) -> Algorithm {
        PublicKey::algorithm(self)
    }

    fn key_id(&self) -> KeyId {
        PublicKey::key_id(self)
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), VerifyError> {
        match &self.inner {
            Inner::Ed25519(k) => {
                let sig =
                    ed25519_dalek::Signature::from_slice(signature).map_err(|_| VerifyError::Malformed)?;
                // RFC 8032 §5.1.7 cofactorless check with canonical S; the key was checked for
                // small order when it was imported.
                use ed25519_dalek::Verifier as _;
                k.verify(message, &sig).map_err(|_| VerifyError::Invalid)
            }
            Inner::P256 { verifier, .. } => verifier.verify(message, signature),
            Inner::Sm2(k) => {
                use sm2::dsa::signature::Verifier as _;
                let sig = sm2::dsa::Signature::from_slice(signature).map_err(|_| VerifyError::Malformed)?;
                k.verify(message, &sig).map_err(|_| VerifyError::Invalid)
            }
            Inner::P384(k) => {
                use p384::ecdsa::signature::Verifier as _;
                let sig =
                    p384::ecdsa::Signature::from_slice(signature).map_err(|_| VerifyError::Malformed)?;
                k.verify(message, &sig).map_err(|_| VerifyError::Invalid)
            }
        }
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.algorithm() == other.algorithm()
            && self.to_raw() == other.to_raw()
            && self.sm2_distid() == other.sm2_distid()
    }
}

impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &self.algorithm())
            .field("key_id", &self.key_id)
            .finish()
    }
}
