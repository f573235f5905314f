//! The store's encryption: one random data key per wallet, and every file sealed with an AEAD
//! under it (a fresh 96-bit nonce per write, the file's role and identity as associated data, so
//! a sealed record cannot be moved to another place or another wallet).
//!
//! Two suites: ChaCha20-Poly1305 (RFC 8439), and SM4-GCM (GB/T 32907 in GCM mode, RFC 8998's
//! TLS suite) for wallets under the GM-only policy.

use aes_gcm::AesGcm;
use aes_gcm::aead::consts::U12;
use chacha20poly1305::ChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use zeroize::Zeroizing;

use crate::wallet::WalletError;

/// SM4 in GCM mode with a 96-bit nonce.
type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

/// Bytes of a nonce.
const NONCE_LEN: usize = 12;

/// The AEAD a wallet seals its files with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Suite {
    /// ChaCha20-Poly1305 (RFC 8439): the default.
    ChaCha20Poly1305,
    /// SM4-GCM: for wallets under the GM-only policy (国密).
    Sm4Gcm,
}

impl Suite {
    /// The suite's name as stored and printed.
    pub fn name(self) -> &'static str {
        match self {
            Self::ChaCha20Poly1305 => "chacha20-poly1305",
            Self::Sm4Gcm => "sm4-gcm",
        }
    }

    /// The suite of a stored name.
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        match name {
            "chacha20-poly1305" => Some(Self::ChaCha20Poly1305),
            "sm4-gcm" => Some(Self::Sm4Gcm),
            _ => None,
        }
    }

    /// Bytes of a key.
    pub(crate) fn key_len(self) -> usize {
        match self {
            Self::ChaCha20Poly1305 => 32,
            Self::Sm4Gcm => 16,
        }
    }
}

/// A secret key of a suite, zeroized on drop.
pub(crate) struct SealingKey {
    suite: Suite,
    key: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealingKey").field("suite", &self.suite).finish_non_exhaustive()
    }
}

pub(crate) fn random<const N: usize>() -> Result<[u8; N], WalletError> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|e| WalletError::Io(format!("no randomness: {e}")))?;
    Ok(out)
}

impl SealingKey {
    /// A fresh random key.
    pub(crate) fn generate(suite: Suite) -> Result<Self, WalletError> {
        let mut key = Zeroizing::new(vec![0u8; suite.key_len()]);
        getrandom::fill(&mut key).map_err(|e| WalletError::Io(format!("no randomness: {e}")))?;
        Ok(Self { suite, key })
    }

    /// A key from its bytes, which must have the suite's length.
    pub(crate) fn from_bytes(suite: Suite, bytes: &[u8]) -> Option<Self> {
        (bytes.len() == suite.key_len()).then(|| Self { suite, key: Zeroizing::new(bytes.to_vec()) })
    }

    /// The key's bytes (to wrap it).
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.key
    }

    pub(crate) fn suite(&self) -> Suite {
        self.suite
    }

    /// `nonce ‖ ciphertext ‖ tag` of `plaintext`, bound to `aad`.
    pub(crate) fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, WalletError> {
        let nonce: [u8; NONCE_LEN] = random()?;
        let payload = Payload { msg: plaintext, aad };
        let failed = |_| WalletError::Io("encryption failed".into());
        let sealed = match self.suite {
            Suite::ChaCha20Poly1305 => ChaCha20Poly1305::new_from_slice(&self.key)
                .map_err(|_| WalletError::Io("bad key length".into()))?
                .encrypt(&nonce.into(), payload)
                .map_err(failed)?,
            Suite::Sm4Gcm => Sm4Gcm::new_from_slice(&self.key)
                .map_err(|_| WalletError::Io("bad key length".into()))?
                .encrypt(&nonce.into(), payload)
                .map_err(failed)?,
        };
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// The plaintext of what [`SealingKey::seal`] made with this key and `aad`; `None` when
    /// anything differs (key, associated data, a single bit of `sealed`).
    pub(crate) fn open(&self, aad: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let (nonce, body) = sealed.split_at_checked(NONCE_LEN)?;
        let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
        let payload = Payload { msg: body, aad };
        let plain = match self.suite {
            Suite::ChaCha20Poly1305 => {
                ChaCha20Poly1305::new_from_slice(&self.key).ok()?.decrypt(&nonce.into(), payload).ok()?
            }
            Suite::Sm4Gcm => Sm4Gcm::new_from_slice(&self.key).ok()?.decrypt(&nonce.into(), payload).ok()?,
        };
        Some(Zeroizing::new(plain))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_every_change_refused() {
        for suite in [Suite::ChaCha20Poly1305, Suite::Sm4Gcm] {
            let key = SealingKey::generate(suite).expect("key");
            let sealed = key.seal(b"aad", b"plaintext").expect("seal");
            assert_eq!(key.open(b"aad", &sealed).as_deref().map(Vec::as_slice), Some(&b"plaintext"[..]));
            assert!(key.open(b"aae", &sealed).is_none(), "other associated data");
            for i in 0..sealed.len() {
                let mut t = sealed.clone();
                t[i] ^= 1;
                assert!(key.open(b"aad", &t).is_none(), "{} byte {i}", suite.name());
            }
            assert!(key.open(b"aad", &sealed[..sealed.len() - 1]).is_none(), "truncated");
            assert!(key.open(b"aad", &sealed[..5]).is_none(), "shorter than a nonce");
            let other = SealingKey::generate(suite).expect("key");
            assert!(other.open(b"aad", &sealed).is_none(), "wrong key");
            assert_ne!(key.seal(b"aad", b"plaintext").expect("seal"), sealed, "fresh nonce each time");
        }
    }

    /// SM4-GCM against a published vector (RFC 8998 Appendix A.1).
    #[test]
    fn sm4_gcm_known_answer() {
        let key = SealingKey::from_bytes(
            Suite::Sm4Gcm,
            &hex::decode("0123456789ABCDEFFEDCBA9876543210").expect("hex"),
        )
        .expect("key");
        let nonce = hex::decode("00001234567800000000ABCD").expect("hex");
        let aad = hex::decode("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2").expect("hex");
        let plain = hex::decode(
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDDEEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA",
        )
        .expect("hex");
        let expected = hex::decode(concat!(
            "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D",
            "83DE3541E4C2B58177E065A9BF7B62EC"
        ))
        .expect("hex");
        let mut sealed = nonce.clone();
        sealed.extend_from_slice(&expected);
        assert_eq!(key.open(&aad, &sealed).as_deref(), Some(&plain));
    }
}
