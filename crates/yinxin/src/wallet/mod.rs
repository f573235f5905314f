//! The holder's role: a wallet of licenses bound to one holder key, which shows them as
//! presentations (QR codes) disclosing only the elements the holder chooses.
//!
//! The key is any [`Signer`]: a software key, or the platform keystore through the bindings
//! (Android Keystore, the iOS Secure Enclave).
//!
//! [`Wallet`] keeps one holder key and its licenses in memory (the app persists them); the
//! [`store`] keeps many licenses, each with its own key, encrypted in a directory behind the
//! showing PIN (亮证密码), with a consent log.

mod error;
pub mod store;
mod summary;

use std::sync::Mutex;

use time::OffsetDateTime;

pub use error::WalletError;
pub use summary::{DisclosureSet, LicenseSummary};

use crate::crypto::{PublicKey, Signer, SoftwareKey};
use crate::present::{Disclosure, present, qr_text};

struct Stored {
    summary: LicenseSummary,
    credential: Vec<u8>,
}

/// A holder's licenses and key, kept in memory (the app persists credentials and keys itself).
pub struct Wallet<S: Signer = SoftwareKey> {
    key: S,
    licenses: Mutex<Vec<Stored>>,
}

impl<S: Signer> Wallet<S> {
    /// An empty wallet of the holder whose key is `key`.
    pub fn new(key: S) -> Self {
        Self { key, licenses: Mutex::new(Vec::new()) }
    }

    /// The holder's public key: what issuers bind licenses to.
    pub fn holder_key(&self) -> &PublicKey {
        self.key.public_key()
    }

    /// The holder's signer.
    pub fn signer(&self) -> &S {
        &self.key
    }

    /// Stores a license (replacing one with the same identifier) and returns its summary. The
    /// credential must be well formed, its issuer signature and digests must verify with the
    /// key it carries, and it must be bound to this wallet's key.
    pub fn add_license(&self, credential: Vec<u8>) -> Result<LicenseSummary, WalletError> {
        let (summary, holder) = summary::read(&credential)?;
        if holder.as_ref() != Some(self.key.public_key()) {
            return Err(WalletError::HolderKeyMismatch);
        }
        let mut licenses = self.licenses.lock().map_err(|_| WalletError::State)?;
        licenses.retain(|s| s.summary.identifier != summary.identifier);
        licenses.push(Stored { summary: summary.clone(), credential });
        Ok(summary)
    }

    /// The stored licenses, in the order they were added.
    pub fn licenses(&self) -> Result<Vec<LicenseSummary>, WalletError> {
        Ok(self.licenses.lock().map_err(|_| WalletError::State)?.iter().map(|s| s.summary.clone()).collect())
    }

    /// The credential of a stored license.
    pub fn credential(&self, identifier: &str) -> Result<Vec<u8>, WalletError> {
        let licenses = self.licenses.lock().map_err(|_| WalletError::State)?;
        licenses
            .iter()
            .find(|s| s.summary.identifier == identifier)
            .map(|s| s.credential.clone())
            .ok_or_else(|| WalletError::UnknownLicense(identifier.to_owned()))
    }

    /// Removes a license; `false` when there was none.
    pub fn remove_license(&self, identifier: &str) -> Result<bool, WalletError> {
        let mut licenses = self.licenses.lock().map_err(|_| WalletError::State)?;
        let before = licenses.len();
        licenses.retain(|s| s.summary.identifier != identifier);
        Ok(licenses.len() != before)
    }

    /// A presentation of a stored license disclosing `disclose`, signed by the holder key at
    /// `at` (a pre-signed disclosure set with exactly these elements gives a small code).
    pub fn present(
        &self,
        identifier: &str,
        disclose: Disclosure<'_>,
        at: OffsetDateTime,
    ) -> Result<Vec<u8>, WalletError> {
        Ok(present(&self.credential(identifier)?, &self.key, disclose, at)?)
    }

    /// The same presentation as QR text (`YX1:…`).
    pub fn present_qr(
        &self,
        identifier: &str,
        disclose: Disclosure<'_>,
        at: OffsetDateTime,
    ) -> Result<String, WalletError> {
        Ok(qr_text::encode(&self.present(identifier, disclose, at)?)?)
    }
}
