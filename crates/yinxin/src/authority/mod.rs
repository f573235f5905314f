//! The issuing authority's role: issue licenses, change their status through a registry, and
//! publish signed status lists, with one object configured once from the authority's signing
//! key and certificate chain.
//!
//! The parts stay public for experts: [`LicenseIssuer`] signs one license,
//! [`StatusListToken::sign`](crate::status::StatusListToken::sign) one list, and a [`Registry`]
//! keeps what was issued.

mod batch;
mod publish;
mod setup;

pub use batch::Issuance;
pub use publish::{ListValidity, PublishError, PublishedList};
pub use setup::{AuthoritySetup, SetupError};

use crate::crypto::{PublicKey, Signer, SoftwareKey};
use crate::license::{IssueError, IssueOptions, IssuedLicense, LicenseData, LicenseIssuer};
use crate::registry::{AuditEntry, Registry, RegistryError};
use crate::status::Status;
use crate::trust::Certificate;

/// An issuing authority: its signing key (behind [`Signer`], so an HSM can hold it), its
/// certificate chain, and the name its registry entries are recorded under.
pub struct Authority<S: Signer = SoftwareKey> {
    issuer: LicenseIssuer<S>,
    certificate: Certificate,
    actor: String,
}

impl<S: Signer> Authority<S> {
    /// An authority signing with `key`, whose certificate is the first of `chain` (it must hold
    /// the key and name the authority's USCC).
    pub fn new(key: S, chain: Vec<Certificate>) -> Result<Self, IssueError> {
        let certificate = chain.first().cloned().ok_or(IssueError::SignerMismatch)?;
        Ok(Self { issuer: LicenseIssuer::new(key, chain)?, certificate, actor: "yinxin".into() })
    }

    /// The same authority recording registry changes under `actor` (an operator or system).
    pub fn with_actor(mut self, actor: impl Into<String>) -> Self {
        self.actor = actor.into();
        self
    }

    /// Who registry changes are recorded under.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// The signing certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The signer.
    pub fn signer(&self) -> &S {
        self.issuer.signer()
    }

    /// The license issuer underneath.
    pub fn issuer(&self) -> &LicenseIssuer<S> {
        &self.issuer
    }

    /// Issues one license to `holder` (see [`LicenseIssuer::issue`]): validated, bound to the
    /// holder's key, signed; not recorded anywhere (use [`Authority::issue_recorded`] for that).
    pub fn issue(
        &self,
        data: &LicenseData,
        holder: &PublicKey,
        options: &IssueOptions,
    ) -> Result<IssuedLicense, IssueError> {
        self.issuer.issue(data, holder, options)
    }

    /// Revokes a license in `registry` (final), with the reason in the audit log. Verifiers
    /// see it once the lists are published again ([`Authority::publish`]).
    pub fn revoke<R: Registry + ?Sized>(
        &self,
        registry: &mut R,
        identifier: &str,
        reason: &str,
    ) -> Result<AuditEntry, RegistryError> {
        registry.set_status(identifier, Status::Invalid, &self.actor, reason)
    }

    /// Suspends a license in `registry` (reversible).
    pub fn suspend<R: Registry + ?Sized>(
        &self,
        registry: &mut R,
        identifier: &str,
        reason: &str,
    ) -> Result<AuditEntry, RegistryError> {
        registry.set_status(identifier, Status::Suspended, &self.actor, reason)
    }

    /// Reinstates a suspended license in `registry`.
    pub fn reinstate<R: Registry + ?Sized>(
        &self,
        registry: &mut R,
        identifier: &str,
        reason: &str,
    ) -> Result<AuditEntry, RegistryError> {
        registry.set_status(identifier, Status::Valid, &self.actor, reason)
    }
}
