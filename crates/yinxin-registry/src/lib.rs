//! # yinxin-registry: what an issuing authority has issued, durably
//!
//! The issuer side of revocation: every issued license with its status list entry, every
//! status change in an append-only audit log, and the state the signed status lists are built
//! from. [`Registry`] is the storage trait; [`SqliteRegistry`] is the embedded default (SQLite
//! through rusqlite, bundled, WAL, `synchronous = FULL`): no server, no setup.
//!
//! Guarantees:
//! * **Nothing acknowledged is lost.** A call that returned `Ok` has committed its transaction
//!   to disk; a crash at any point leaves the database consistent (tests kill writers with
//!   SIGKILL at random moments and check).
//! * **Indices are random and never reused.** Each license gets a random free index in the
//!   current list; a list is closed when 90 % full (to keep allocation fast) and a new list
//!   opened; an index, once given, stays with its license.
//! * **Revocation is final; suspension is reversible**; every change is in the audit log
//!   before it is published.
//!
//! The mobile library does not depend on this crate (DESIGN.md).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
mod model;
mod sqlite;

pub use error::RegistryError;
pub use model::{AuditEntry, IssuedRecord, LicenseRecord, RegistryConfig, StatusSlot};
pub use sqlite::SqliteRegistry;

use yinxin::status::{Status, StatusList};

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
