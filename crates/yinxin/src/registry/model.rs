//! The records a registry keeps.

use crate::status::Status;
use time::OffsetDateTime;

/// How a new registry lays out its status lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryConfig {
    /// Lists are published at `<uri_base>/<list number>`.
    pub uri_base: String,
    /// Entries per list (2^20 by default).
    pub list_size: u64,
    /// Bits per entry (2: VALID, INVALID, SUSPENDED).
    pub bits: u8,
}

impl RegistryConfig {
    /// Lists of 2^20 2-bit entries under `uri_base`.
    pub fn new(uri_base: impl Into<String>) -> Self {
        Self { uri_base: uri_base.into().trim_end_matches('/').to_owned(), list_size: 1 << 20, bits: 2 }
    }

    /// The default for an authority: lists under
    /// `https://status.example.gov.cn/<authority code>/lists`, so two authorities set up with
    /// default settings never publish under the same URI. `code` is the USCC (or resident ID)
    /// its certificate names.
    pub fn for_authority(code: &str) -> Self {
        Self::new(default_uri_base(code))
    }
}

/// The host every default status URI is under.
pub const DEFAULT_STATUS_HOST: &str = "https://status.example.gov.cn";

/// `https://status.example.gov.cn/<code>/lists`: where an authority's lists go by default.
pub fn default_uri_base(code: &str) -> String {
    format!("{DEFAULT_STATUS_HOST}/{code}/lists")
}

/// A status list entry given to one license.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatusSlot {
    /// The list's URI.
    pub uri: String,
    /// The index in the list.
    pub index: u64,
}

/// What the signing callback of [`Registry::issue_batch`](super::Registry::issue_batch)
/// returns for each slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedRecord {
    /// The license identifier (GB/T 36904).
    pub identifier: String,
    /// The holder's code (USCC or resident ID).
    pub holder_code: String,
    /// The docType.
    pub doc_type: String,
    /// The slot the license was signed with.
    pub slot: StatusSlot,
    /// Who issued (an operator or system name).
    pub actor: String,
}

/// A registered license.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseRecord {
    /// The license identifier.
    pub identifier: String,
    /// The holder's code.
    pub holder_code: String,
    /// The docType.
    pub doc_type: String,
    /// Its status list entry.
    pub slot: StatusSlot,
    /// Its current status.
    pub status: Status,
    /// When it was issued.
    pub issued_at: OffsetDateTime,
    /// When its status last changed.
    pub updated_at: OffsetDateTime,
}

/// One entry of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the log.
    pub sequence: i64,
    /// The license.
    pub identifier: String,
    /// The status before (`None` for the issuance).
    pub from: Option<Status>,
    /// The status after.
    pub to: Status,
    /// Who.
    pub actor: String,
    /// Why.
    pub reason: String,
    /// When.
    pub at: OffsetDateTime,
}
