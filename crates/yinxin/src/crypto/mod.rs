//! Signature algorithms, keys, digests and the deployment policy.
//!
//! yinxin signs with three algorithms ([`Algorithm`]): Ed25519, ECDSA P-256 with SHA-256 (ES256)
//! and SM2 with SM3 (GB/T 32918, the algorithm of Chinese government PKI). Their COSE values and
//! X.509 OIDs stand in one table (see [`Algorithm`]); SM2 has no IANA COSE value, so yinxin uses
//! the private-use value [`COSE_ALG_SM2_SM3`].
//!
//! The rest of the library never touches a key directly. It asks a [`Signer`] to sign and a
//! [`Verifier`] to verify, so that a holder's key can live in a phone's keystore and an
//! authority's key in an HSM. [`SoftwareKey`] is the built-in signer; [`PublicKey`] is the
//! built-in verifier and picks the fastest backend compiled in (ring for P-256 when the `ring`
//! feature is on, ed25519-dalek for Ed25519, the RustCrypto `sm2` crate for SM2).
//!
//! Signatures come in two encodings ([`SignatureFormat`]): raw `r ‖ s` (COSE) and DER
//! `SEQUENCE { r, s }` (X.509, GB/T 38540). Ed25519 signatures have a single 64-byte form.
//!
//! Which algorithms a deployment accepts is decided by an [`AlgorithmPolicy`], never by the
//! input: a verifier checks the policy before it verifies.
//!
//! ```
//! use yinxin::crypto::{Algorithm, SoftwareKey, Signer, Verifier};
//! let key = SoftwareKey::generate(Algorithm::Sm2Sm3)?;
//! let sig = key.sign(b"message")?;
//! key.public_key().verify(b"message", &sig)?;
//! assert!(key.public_key().verify(b"messagf", &sig).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod algorithm;
mod batch;
mod digest;
mod error;
mod key_id;
mod p256_backend;
mod pem;
mod policy;
mod public_key;
mod signature;
mod software_key;
mod traits;

pub use algorithm::{Algorithm, COSE_ALG_SM2_SM3, DigestAlgorithm, oids};
pub use batch::verify_ed25519_batch;
pub use digest::Hasher;
pub use error::{KeyError, PolicyError, SignError, VerifyError};
pub use key_id::KeyId;
pub use policy::AlgorithmPolicy;
pub use public_key::{DEFAULT_SM2_DISTID, PublicKey};
pub use signature::{SignatureFormat, der_to_raw, raw_to_der};
pub use software_key::SoftwareKey;
pub use traits::{Signer, Verifier};

/// Fills `buf` from the operating system's random number generator.
pub fn random_bytes(buf: &mut [u8]) -> Result<(), KeyError> {
    getrandom::fill(buf).map_err(|_| KeyError::Rng)
}
