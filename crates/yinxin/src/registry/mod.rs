//! The issuer's registry, as an interface: what an issuing authority has issued, each status
//! change in an append-only audit log, and the state its signed status lists are built from.
//!
//! [`Registry`] is implemented outside the core, so that the mobile library carries no
//! database: `yinxin_registry::SqliteRegistry` (embedded, the default) and the PostgreSQL
//! registry for authorities that outgrow one machine. The [`Authority`](crate::Authority)
//! facade issues, changes status and publishes through any of them. Decision 0008 says what
//! each method promises; decision 0014 why the trait lives here.

mod error;
mod model;

pub use error::RegistryError;
pub use model::{
    AuditEntry, DEFAULT_STATUS_HOST, IssuedRecord, LicenseRecord, RegistryConfig, StatusSlot,
    default_uri_base,
};

use crate::status::{Status, StatusList};

/// Whether a license may go from `from` to `to` (revoke: INVALID from VALID or SUSPENDED, final;
/// suspend: SUSPENDED from VALID; reinstate: VALID from SUSPENDED): the rule every
/// [`Registry::set_status`] applies, as [`RegistryError::Transition`] otherwise.
pub fn check_transition(identifier: &str, from: Status, to: Status) -> Result<(), RegistryError> {
    let allowed = matches!(
        (from, to),
        (Status::Valid, Status::Invalid)
            | (Status::Suspended, Status::Invalid)
            | (Status::Valid, Status::Suspended)
            | (Status::Suspended, Status::Valid)
    );
    if allowed {
        Ok(())
    } else {
        Err(RegistryError::Transition { identifier: identifier.to_owned(), from: from.name(), to: to.name() })
    }
}

/// The signing step of an issuance batch: given the allocated slots, returns one record per
/// slot, in order.
pub type SignBatch<'a> = dyn FnMut(&[StatusSlot]) -> Result<Vec<IssuedRecord>, RegistryError> + 'a;

/// The issuer's registry. Implementations must make each method atomic and durable before it
/// returns `Ok`. See `docs/decisions/0008-registry-trait.md` for how a PostgreSQL
/// implementation maps onto it.
pub trait Registry {
    /// Issues a batch atomically: allocates `count` fresh status slots, calls `sign` with them
    /// (which returns one record per slot, in order: the licenses signed with those slots), and
    /// records the licenses and their audit entries, all in one transaction. When this returns
    /// `Ok`, every record is durable; on `Err`, none is and no slot is consumed.
    fn issue_batch(
        &mut self,
        count: usize,
        sign: &mut SignBatch<'_>,
    ) -> Result<Vec<IssuedRecord>, RegistryError>;

    /// Changes a license's status (revoke: INVALID, final; suspend: SUSPENDED from VALID;
    /// reinstate: VALID from SUSPENDED), appending to the audit log in the same transaction.
    /// The reason is required: an empty (or blank) one is refused as
    /// [`RegistryError::ReasonMissing`].
    fn set_status(
        &mut self,
        identifier: &str,
        status: Status,
        actor: &str,
        reason: &str,
    ) -> Result<AuditEntry, RegistryError>;

    /// One license.
    fn license(&self, identifier: &str) -> Result<Option<LicenseRecord>, RegistryError>;

    /// Every license, in issuance order.
    fn licenses(&self) -> Result<Vec<LicenseRecord>, RegistryError>;

    /// The audit log of one license, oldest first.
    fn audit(&self, identifier: &str) -> Result<Vec<AuditEntry>, RegistryError>;

    /// The whole audit log in order, a page at a time: at most `limit` entries whose sequence
    /// is greater than `after` (start with 0).
    fn audit_log(&self, after: i64, limit: usize) -> Result<Vec<AuditEntry>, RegistryError>;

    /// Every status list (by URI) with its current entries.
    fn status_lists(&self) -> Result<Vec<(String, StatusList)>, RegistryError>;
}
