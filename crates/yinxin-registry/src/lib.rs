//! # yinxin-registry: what an issuing authority has issued, durably
//!
//! The issuer side of revocation: every issued license with its status list entry, every
//! status change in an append-only audit log, and the state the signed status lists are built
//! from. [`Registry`] is the storage trait (defined in the core, `yinxin::registry`); [`SqliteRegistry`] is the embedded default (SQLite
//! through rusqlite, bundled, WAL, `synchronous = FULL`): no server, no setup.
//! [`PostgresRegistry`] serves many issuing desks and processes on one PostgreSQL database;
//! [`AnyRegistry`] opens either from a path or a `postgres://` URL.
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

mod any;
pub mod postgres;
mod sqlite;

pub use any::{AnyRegistry, is_postgres_url};
pub use postgres::PostgresRegistry;
pub use sqlite::SqliteRegistry;
/// The registry interface and its records live in the core (`yinxin::registry`), where the
/// `Authority` facade uses them; named here too for the implementations' users.
pub use yinxin::registry::{
    AuditEntry, IssuedRecord, LicenseRecord, Registry, RegistryConfig, RegistryError, SignBatch, StatusSlot,
};
