//! The verifier's trust lists: adding one (verified, rollback-checked, saved, applied) and
//! refreshing the ones it follows by URL.

use time::OffsetDateTime;

use super::{STATE_FILE, Verifier};
use crate::fetch::SourceReport;
use crate::trust::list::{TrustListError, TrustListState, VerifiedTrustList};
use crate::trust::{AnchorScope, TrustError};

impl Verifier {
    /// Verifies a trust list at `at` against the list-operator anchors and, if it is not
    /// older than one accepted before from the same operator, makes the authorities it names
    /// trusted for the document types it allows, replacing those of the operator's previous
    /// list (an authority dropped from the list is no longer trusted). Refused: a list from
    /// an operator not configured, a stale one (past `nextUpdate` and the grace period), a
    /// rollback, or when the record of accepted lists cannot be read (fail closed).
    pub fn add_trust_list(
        &self,
        bytes: &[u8],
        at: OffsetDateTime,
    ) -> Result<VerifiedTrustList, TrustListError> {
        let verifier =
            self.trust_lists.as_ref().ok_or(TrustListError::OperatorUntrusted(TrustError::UntrustedRoot))?;
        let list = verifier.verify(bytes, at)?;
        let l = list.list();
        let anchors = list
            .authorities()
            .iter()
            .map(|a| {
                let scope = AnchorScope {
                    provider: l.provider.clone(),
                    region: l.region.clone(),
                    doc_types: a.doc_types.clone(),
                    next_update: l.next_update,
                    usable_until: list.usable_until(verifier.grace()),
                };
                (a.certificate.clone(), scope)
            })
            .collect();
        // Checked, recorded, saved and applied under one lock: two lists added at once cannot
        // leave the older one's authorities in place, and a list whose acceptance cannot be
        // saved is not used (after a restart it could be rolled back).
        let mut state =
            self.list_state.lock().map_err(|_| TrustListError::State("the state lock is poisoned".into()))?;
        state.check(&list)?;
        let mut next = state.clone();
        next.record(&list)?;
        if let Some(disk) = &self.disk {
            if next != *state {
                disk.write_state(STATE_FILE, &next.to_json())
                    .map_err(|e| TrustListError::State(format!("cannot save: {e}")))?;
            }
        }
        *state = next;
        self.trust.set_listed(&list.source(), anchors);
        drop(state);
        Ok(list)
    }

    /// The record of trust lists accepted, to save and hand back to
    /// [`VerifierBuilder::trust_list_state`](super::VerifierBuilder::trust_list_state) after a
    /// restart.
    pub fn trust_list_state(&self) -> Result<TrustListState, TrustListError> {
        self.list_state
            .lock()
            .map(|s| s.clone())
            .map_err(|_| TrustListError::State("the state lock is poisoned".into()))
    }

    /// Fetches the trust lists the verifier follows ([`VerifierBuilder::trust_list_url`]):
    /// the ones due (their `max-age` run out), or all with `force`. A list fetched is added as
    /// by [`Verifier::add_trust_list`]; one that fails keeps the last good copy in use. The
    /// first refresh also loads the copies in the cache directory, so a verifier that starts
    /// offline trusts what it trusted before, until those lists go stale.
    ///
    /// [`VerifierBuilder::trust_list_url`]: super::VerifierBuilder::trust_list_url
    pub fn refresh_trust_lists(&self, at: OffsetDateTime, force: bool) -> Vec<SourceReport> {
        match &self.sources {
            None => Vec::new(),
            Some(sources) => sources.refresh(at, force, &|bytes| self.add_trust_list(bytes, at)),
        }
    }

    /// Whether trust lists are configured (list operators given).
    pub fn follows_trust_lists(&self) -> bool {
        self.trust_lists.is_some()
    }
}
