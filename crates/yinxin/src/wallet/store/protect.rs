//! What protects the wallet's data key: the platform keystore, or the showing PIN through
//! Argon2id (the software fallback).

use std::sync::Arc;

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use crate::wallet::WalletError;

/// The platform keystore as the wallet sees it: it wraps the wallet's data key under a key that
/// never leaves the device's secure hardware (an Android Keystore AES key, an iOS Secure
/// Enclave key) and unwraps it again. The bindings expose it as a foreign trait, so the app
/// implements it in Kotlin or Swift.
pub trait StorageKeyGuard: Send + Sync {
    /// The data key wrapped (encrypted and authenticated) by the keystore.
    fn wrap(&self, key: &[u8]) -> Result<Vec<u8>, String>;
    /// The data key again, from what [`StorageKeyGuard::wrap`] returned.
    fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, String>;
}

/// Argon2id parameters (RFC 9106).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
    /// Parallel lanes.
    pub lanes: u32,
}

impl KdfParams {
    /// The software fallback's parameters for the showing PIN: 46 MiB, 1 pass, 1 lane (OWASP's
    /// first Argon2id configuration), chosen by measurement (BENCHMARKS.md): 47 ms on the
    /// reference machine, so a phone affords it on every unlock; 64 MiB with 3 passes took
    /// 150 ms there, too slow for a phone at every showing.
    pub const PIN: Self = Self { memory_kib: 46 * 1024, iterations: 1, lanes: 1 };
    /// Backups, which leave the device and are protected by a passphrase: 64 MiB, 3 passes
    /// (RFC 9106's second recommendation).
    pub const BACKUP: Self = Self { memory_kib: 64 * 1024, iterations: 3, lanes: 4 };
    /// The most memory a stored parameter set may ask for (a tampered file must not make the
    /// app allocate gigabytes).
    pub const MAX_MEMORY_KIB: u32 = 256 * 1024;
    /// The most passes a stored parameter set may ask for.
    pub const MAX_ITERATIONS: u32 = 16;
    /// The most lanes a stored parameter set may ask for.
    pub const MAX_LANES: u32 = 8;

    /// Whether stored parameters are within the limits (and Argon2id's own minimums).
    pub(crate) fn checked(self) -> Option<Self> {
        let ok = (8 * self.lanes..=Self::MAX_MEMORY_KIB).contains(&self.memory_kib)
            && (1..=Self::MAX_ITERATIONS).contains(&self.iterations)
            && (1..=Self::MAX_LANES).contains(&self.lanes);
        ok.then_some(self)
    }

    /// `len` bytes of key from `secret` and `salt`.
    pub(crate) fn derive(
        self,
        secret: &[u8],
        salt: &[u8],
        len: usize,
    ) -> Result<Zeroizing<Vec<u8>>, WalletError> {
        let bad = |e: argon2::Error| WalletError::Damaged(format!("key derivation: {e}"));
        let params = Params::new(self.memory_kib, self.iterations, self.lanes, Some(len)).map_err(bad)?;
        let mut out = Zeroizing::new(vec![0u8; len]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(secret, salt, &mut out)
            .map_err(bad)?;
        Ok(out)
    }
}

/// How a new wallet protects its data key.
#[derive(Clone)]
pub enum Protection {
    /// The software fallback: a key derived from the showing PIN with these parameters.
    Pin(KdfParams),
    /// The platform keystore; the PIN is then checked against a keyed hash.
    Keystore(Arc<dyn StorageKeyGuard>),
}

impl std::fmt::Debug for Protection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Pin(p) => f.debug_tuple("Pin").field(p).finish(),
            Self::Keystore(_) => f.write_str("Keystore"),
        }
    }
}

impl Default for Protection {
    fn default() -> Self {
        Self::Pin(KdfParams::PIN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_parameters_are_bounded() {
        assert!(KdfParams::PIN.checked().is_some());
        assert!(KdfParams::BACKUP.checked().is_some());
        for bad in [
            KdfParams { memory_kib: KdfParams::MAX_MEMORY_KIB + 1, ..KdfParams::PIN },
            KdfParams { memory_kib: 4, ..KdfParams::PIN },
            KdfParams { iterations: 0, ..KdfParams::PIN },
            KdfParams { iterations: 1000, ..KdfParams::PIN },
            KdfParams { lanes: 0, ..KdfParams::PIN },
            KdfParams { lanes: 64, ..KdfParams::PIN },
        ] {
            assert!(bad.checked().is_none(), "{bad:?}");
        }
    }

    #[test]
    fn derivation_depends_on_secret_and_salt() {
        let p = KdfParams { memory_kib: 64, iterations: 1, lanes: 1 };
        let a = p.derive(b"123456", b"saltsaltsaltsalt", 32).expect("derive");
        assert_eq!(a, p.derive(b"123456", b"saltsaltsaltsalt", 32).expect("derive"));
        assert_ne!(a, p.derive(b"123457", b"saltsaltsaltsalt", 32).expect("derive"));
        assert_ne!(a, p.derive(b"123456", b"saltsaltsaltsalu", 32).expect("derive"));
    }
}
