//! Anchors that come from trust lists: each scoped to the document types its list allows,
//! usable until its list goes stale, and replaced as a whole when a newer list from the same
//! source is accepted (so an authority dropped from the list is no longer trusted).

use std::collections::HashMap;
use std::sync::Arc;

use time::OffsetDateTime;

use super::Certificate;

/// What a listed anchor may vouch for, and on whose word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorScope {
    /// The list's provider (its operator's name).
    pub provider: String,
    /// The list's region (GB/T 2260), if it names one.
    pub region: Option<String>,
    /// The document types the authority may issue.
    pub doc_types: Vec<String>,
    /// The list's `nextUpdate`.
    pub next_update: Option<OffsetDateTime>,
    /// When the anchor stops being usable: `nextUpdate` plus the verifier's grace period.
    pub usable_until: Option<OffsetDateTime>,
}

impl AnchorScope {
    /// Whether the authority may issue `doc_type`.
    pub fn allows(&self, doc_type: &str) -> bool {
        self.doc_types.iter().any(|t| t == doc_type)
    }
}

/// One listed anchor.
#[derive(Debug, Clone)]
pub(crate) struct Listed {
    pub cert: Certificate,
    pub scope: Arc<AnchorScope>,
}

/// Every listed anchor, by source and indexed by subject name. Replaced, never mutated, so a
/// verification works on one consistent snapshot.
#[derive(Debug, Default)]
pub(crate) struct ListedAnchors {
    by_source: HashMap<String, Vec<Listed>>,
    by_subject: HashMap<Vec<u8>, Vec<Listed>>,
}

impl ListedAnchors {
    /// A copy with `source`'s anchors replaced by `anchors`.
    pub fn with_source(&self, source: &str, anchors: Vec<Listed>) -> Self {
        let mut by_source = self.by_source.clone();
        if anchors.is_empty() {
            by_source.remove(source);
        } else {
            by_source.insert(source.to_owned(), anchors);
        }
        let mut by_subject: HashMap<Vec<u8>, Vec<Listed>> = HashMap::new();
        for l in by_source.values().flatten() {
            by_subject.entry(l.cert.subject_raw().to_vec()).or_default().push(l.clone());
        }
        Self { by_source, by_subject }
    }

    /// Listed anchors whose subject is `name`.
    pub fn by_subject(&self, name: &[u8]) -> &[Listed] {
        self.by_subject.get(name).map_or(&[], Vec::as_slice)
    }

    /// The listed anchor that is exactly `cert`, if any.
    pub fn exact(&self, cert: &Certificate) -> impl Iterator<Item = &Listed> {
        self.by_subject(cert.subject_raw()).iter().filter(move |l| l.cert == *cert)
    }

    /// Every listed anchor.
    pub fn all(&self) -> impl Iterator<Item = &Listed> {
        self.by_source.values().flatten()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_source.is_empty()
    }
}
