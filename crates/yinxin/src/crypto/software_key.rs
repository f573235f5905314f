//! Software private keys: generation, PKCS#8 import and export, signing.

use std::fmt;

use der::Decode as _;
use p256::elliptic_curve::Generate as _;
use pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use zeroize::Zeroizing;

use super::public_key::{key_algorithm, named_curve};
use super::{Algorithm, DEFAULT_SM2_DISTID, KeyError, PublicKey, SignError, Signer, pem};

/// A private key held in memory, for issuers, seal makers, tests and the CLI.
///
/// The secret is zeroized when the key is dropped and never shown by `Debug`. Signing is
/// randomized where the algorithm uses a nonce (P-256, SM2: RFC 6979 with added entropy).
pub struct SoftwareKey {
    secret: Secret,
    public: PublicKey,
}

enum Secret {
    // These three zeroize themselves on drop.
    Ed25519(Box<ed25519_dalek::SigningKey>),
    P256(Box<p256::ecdsa::SigningKey>),
    P384(Box<p384::ecdsa::SigningKey>),
    Sm2(Sm2Secret),
}

/// An SM2 signing key that is wiped on drop.
///
/// `sm2` 0.14's `SigningKey` does not zeroize its scalar (unlike `ed25519-dalek` and `ecdsa`), and
/// its fields are private. Without `unsafe`, the best we can do is overwrite the key in place, in
/// its heap slot, with the key for the scalar 1, and make the store observable with
/// `black_box` so the compiler does not drop it as dead before the memory is freed.
struct Sm2Secret(Box<sm2::dsa::SigningKey>);

impl std::ops::Deref for Sm2Secret {
    type Target = sm2::dsa::SigningKey;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Drop for Sm2Secret {
    fn drop(&mut self) {
        let mut one = sm2::FieldBytes::default();
        if let Some(last) = one.last_mut() {
            *last = 1;
        }
        if let Ok(blank) = sm2::dsa::SigningKey::from_bytes(self.0.distid(), &one) {
            *self.0 = blank;
            std::hint::black_box(&*self.0);
        }
    }
}

impl SoftwareKey {
    /// Generates a new key from the operating system's random number generator. SM2 keys get
    /// the default distinguishing identifier.
    pub fn generate(algorithm: Algorithm) -> Result<Self, KeyError> {
        match algorithm {
            Algorithm::Ed25519 => {
                let mut seed = Zeroizing::new([0u8; 32]);
                getrandom::fill(seed.as_mut()).map_err(|_| KeyError::Rng)?;
                Self::from_ed25519(ed25519_dalek::SigningKey::from_bytes(&seed))
            }
            Algorithm::Es256 => Self::from_p256(&p256::SecretKey::try_generate().map_err(|_| KeyError::Rng)?),
            Algorithm::Sm2Sm3 => Self::from_sm2(
                &sm2::SecretKey::try_generate().map_err(|_| KeyError::Rng)?,
                DEFAULT_SM2_DISTID,
            ),
            Algorithm::Es384 => Self::from_p384(&p384::SecretKey::try_generate().map_err(|_| KeyError::Rng)?),
        }
    }

    fn from_p384(key: &p384::SecretKey) -> Result<Self, KeyError> {
        let public = PublicKey::from_p384(key.public_key())?;
        Ok(Self { secret: Secret::P384(Box::new(p384::ecdsa::SigningKey::from(key))), public })
    }

    fn from_ed25519(key: ed25519_dalek::SigningKey) -> Result<Self, KeyError> {
        let public = PublicKey::from_ed25519(key.verifying_key())?;
        Ok(Self { secret: Secret::Ed25519(Box::new(key)), public })
    }

    fn from_p256(key: &p256::SecretKey) -> Result<Self, KeyError> {
        let public = PublicKey::from_p256(key.public_key())?;
        Ok(Self { secret: Secret::P256(Box::new(p256::ecdsa::SigningKey::from(key))), public })
    }

    fn from_sm2(key: &sm2::SecretKey, distid: &str) -> Result<Self, KeyError> {
        let public = PublicKey::from_sm2(key.public_key(), distid)?;
        let signing = sm2::dsa::SigningKey::new(distid, key).map_err(|_| KeyError::DistId)?;
        Ok(Self { secret: Secret::Sm2(Sm2Secret(Box::new(signing))), public })
    }

    /// Reads a DER PKCS#8 `PrivateKeyInfo` (RFC 5208/5958) of any supported algorithm.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|_| KeyError::Malformed)?;
        match key_algorithm(info.algorithm.oid, named_curve(info.algorithm.parameters)?)? {
            Algorithm::Ed25519 => Self::from_ed25519(
                ed25519_dalek::SigningKey::from_pkcs8_der(der).map_err(|_| KeyError::Malformed)?,
            ),
            Algorithm::Es256 => {
                Self::from_p256(&p256::SecretKey::from_pkcs8_der(der).map_err(|_| KeyError::Malformed)?)
            }
            Algorithm::Sm2Sm3 => {
                let key = sm2::SecretKey::from_pkcs8_der(der).map_err(|_| KeyError::Malformed)?;
                Self::from_sm2(&key, DEFAULT_SM2_DISTID)
            }
            Algorithm::Es384 => {
                Self::from_p384(&p384::SecretKey::from_pkcs8_der(der).map_err(|_| KeyError::Malformed)?)
            }
        }
    }

    /// Reads a DER SEC1 `ECPrivateKey` (RFC 5915, OpenSSL's `EC PRIVATE KEY`) on P-256, P-384
    /// or SM2.
    pub fn from_sec1_der(der: &[u8]) -> Result<Self, KeyError> {
        let key = sec1::EcPrivateKey::from_der(der).map_err(|_| KeyError::Malformed)?;
        let curve = key.parameters.and_then(|p| p.named_curve()).ok_or(KeyError::UnsupportedAlgorithm)?;
        match key_algorithm(super::oids::EC_PUBLIC_KEY, Some(curve))? {
            Algorithm::Es256 => {
                Self::from_p256(&p256::SecretKey::from_sec1_der(der).map_err(|_| KeyError::Malformed)?)
            }
            Algorithm::Sm2Sm3 => Self::from_sm2(
                &sm2::SecretKey::from_sec1_der(der).map_err(|_| KeyError::Malformed)?,
                DEFAULT_SM2_DISTID,
            ),
            Algorithm::Es384 => {
                Self::from_p384(&p384::SecretKey::from_sec1_der(der).map_err(|_| KeyError::Malformed)?)
            }
            Algorithm::Ed25519 => Err(KeyError::UnsupportedAlgorithm),
        }
    }

    /// Reads a PEM `PRIVATE KEY` (PKCS#8) or `EC PRIVATE KEY` (SEC1).
    pub fn from_pem(pem_text: &str) -> Result<Self, KeyError> {
        let (label, der) = pem::decode(pem_text.as_bytes())?;
        match label.as_str() {
            pem::PRIVATE_KEY => Self::from_pkcs8_der(&der),
            pem::EC_PRIVATE_KEY => Self::from_sec1_der(&der),
            _ => Err(KeyError::PemLabel {
                found: label,
                expected: "a private key (PKCS#8 \"PRIVATE KEY\" or SEC1 \"EC PRIVATE KEY\" PEM)",
            }),
        }
    }

    /// Reads a private key in PEM or DER (PKCS#8, else SEC1), whichever `input` is.
    pub fn from_pem_or_der(input: &[u8]) -> Result<Self, KeyError> {
        if pem::is_pem(input) {
            let text = std::str::from_utf8(input).map_err(|_| KeyError::Pem)?;
            Self::from_pem(text)
        } else {
            Self::from_pkcs8_der(input).or_else(|e| Self::from_sec1_der(input).map_err(|_| e))
        }
    }

    /// The same SM2 key with another distinguishing identifier.
    pub fn with_sm2_distid(self, distid: &str) -> Result<Self, KeyError> {
        match &self.secret {
            Secret::Sm2(k) => {
                let secret = sm2::SecretKey::from(k.as_nonzero_scalar());
                Self::from_sm2(&secret, distid)
            }
            _ => Err(KeyError::UnsupportedAlgorithm),
        }
    }

    /// The DER PKCS#8 `PrivateKeyInfo`, in memory that is zeroized on drop.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let doc = match &self.secret {
            // PKCS#8 v1 without the optional public key: OpenSSL 3.0 refuses the v2 form.
            Secret::Ed25519(k) => {
                ed25519_dalek::pkcs8::KeypairBytes { secret_key: k.to_bytes(), public_key: None }
                    .to_pkcs8_der()
            }
            Secret::P256(k) => p256::SecretKey::from(k.as_nonzero_scalar()).to_pkcs8_der(),
            Secret::P384(k) => p384::SecretKey::from(k.as_nonzero_scalar()).to_pkcs8_der(),
            Secret::Sm2(k) => sm2::SecretKey::from(k.as_nonzero_scalar()).to_pkcs8_der(),
        };
        doc.map(|d| Zeroizing::new(d.as_bytes().to_vec())).map_err(|_| KeyError::Encode)
    }

    /// The PEM `PRIVATE KEY` (PKCS#8), in memory that is zeroized on drop.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, KeyError> {
        pem::encode(pem::PRIVATE_KEY, &self.to_pkcs8_der()?)
    }
}

impl Signer for SoftwareKey {
    fn algorithm(&self) -> Algorithm {
        self.public.algorithm()
    }

    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        use signature::RandomizedSigner as _;
        let mut rng = getrandom::SysRng;
        match &self.secret {
            Secret::Ed25519(k) => {
                use ed25519_dalek::Signer as _;
                Ok(k.sign(message).to_bytes().to_vec())
            }
            Secret::P256(k) => {
                let sig: p256::ecdsa::Signature =
                    k.try_sign_with_rng(&mut rng, message).map_err(|_| SignError::Rng)?;
                Ok(sig.to_bytes().to_vec())
            }
            Secret::P384(k) => {
                let sig: p384::ecdsa::Signature =
                    k.try_sign_with_rng(&mut rng, message).map_err(|_| SignError::Rng)?;
                Ok(sig.to_bytes().to_vec())
            }
            Secret::Sm2(k) => {
                // sm2 0.14 returns an error instead of drawing a new k when r = 0 or r + k = n
                // (probability ~2^-256 each); a fresh random input retries it.
                let mut last = SignError::Rng;
                for _ in 0..3 {
                    match k.try_sign_with_rng(&mut rng, message) {
                        Ok(sig) => return Ok(sm2::dsa::Signature::to_vec(&sig)),
                        Err(_) => last = SignError::Signer("SM2 signing failed".into()),
                    }
                }
                Err(last)
            }
        }
    }
}

impl fmt::Debug for SoftwareKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareKey")
            .field("algorithm", &self.public.algorithm())
            .field("key_id", &self.public.key_id())
            .finish_non_exhaustive()
    }
}
