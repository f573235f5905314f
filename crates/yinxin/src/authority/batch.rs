//! Issuing through a registry: a batch in one registry transaction, each license signed with
//! the status slot the registry allocated, on every core (signatures are the cost of a batch).

use super::Authority;
use crate::ErrorCode as _;
use crate::crypto::{PublicKey, Signer};
use crate::license::{IssueOptions, IssuedLicense, LicenseData};
use crate::registry::{IssuedRecord, Registry, RegistryError, StatusSlot};
use crate::status::StatusReference;

/// Signing threads at most.
const MAX_THREADS: usize = 8;

/// One license of a batch: its data, its holder's key, and the options of its issuance (the
/// status reference is the registry's, whatever the options say).
#[derive(Debug, Clone)]
pub struct Issuance {
    /// The license data.
    pub data: LicenseData,
    /// The holder's key the license is bound to.
    pub holder: PublicKey,
    /// Issuance options (time, disclosure sets, extra surface elements).
    pub options: IssueOptions,
}

impl<S: Signer> Authority<S> {
    /// Issues `batch` in one transaction of `registry`: it allocates a fresh random status slot
    /// per license, the licenses are signed with those slots, and the records and their audit
    /// entries are committed together. On `Ok` every license is durable; on `Err` (the first
    /// refusal, as `RegistryError::Issue` with the license error's code) none is, and no slot
    /// is used.
    pub fn issue_recorded<R: Registry + ?Sized>(
        &self,
        registry: &mut R,
        batch: &[Issuance],
    ) -> Result<Vec<(IssuedRecord, IssuedLicense)>, RegistryError> {
        let mut issued: Vec<IssuedLicense> = Vec::new();
        let records = registry.issue_batch(batch.len(), &mut |slots: &[StatusSlot]| {
            issued = self.sign_all(batch, slots)?;
            Ok(issued
                .iter()
                .zip(batch)
                .zip(slots)
                .map(|((license, item), slot)| IssuedRecord {
                    identifier: license.identifier.to_string(),
                    holder_code: item.data.meta.holder_code.clone(),
                    doc_type: license.doc_type.clone(),
                    slot: slot.clone(),
                    actor: self.actor.clone(),
                })
                .collect())
        })?;
        Ok(records.into_iter().zip(issued).collect())
    }

    /// Signs each item with its slot, the items shared out over the available cores.
    fn sign_all(
        &self,
        batch: &[Issuance],
        slots: &[StatusSlot],
    ) -> Result<Vec<IssuedLicense>, RegistryError> {
        if slots.len() != batch.len() {
            return Err(RegistryError::Config(format!("{} slots for {} licenses", slots.len(), batch.len())));
        }
        let sign = |(item, slot): (&Issuance, &StatusSlot)| {
            let mut options = item.options.clone();
            options.status = Some(StatusReference { index: slot.index, uri: slot.uri.clone() });
            self.issue(&item.data, &item.holder, &options)
                .map_err(|e| RegistryError::Issue { code: e.code(), message: e.to_string() })
        };
        let threads = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, MAX_THREADS);
        let per = batch.len().div_ceil(threads).max(1);
        let results: Vec<Result<Vec<IssuedLicense>, RegistryError>> = std::thread::scope(|s| {
            let handles: Vec<_> = batch
                .chunks(per)
                .zip(slots.chunks(per))
                .map(|(items, slots)| s.spawn(move || items.iter().zip(slots).map(sign).collect()))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(RegistryError::Issue {
                            code: "license.encode",
                            message: "a signing thread failed".into(),
                        })
                    })
                })
                .collect()
        });
        let mut out = Vec::with_capacity(batch.len());
        for chunk in results {
            out.extend(chunk?);
        }
        Ok(out)
    }
}
