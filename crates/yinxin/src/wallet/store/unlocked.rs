//! An unlocked wallet: its licenses, presentations (each asks the PIN again), the consent log.

use std::path::PathBuf;

use time::OffsetDateTime;

use super::files::{read_limited, record_ids, remove, write_atomic};
use super::pin::{self, Pin};
use super::record::{ConsentEntry, Kind, LicenseRecord, unwrap_file, wrap_file};
use super::sealing::{self, SealingKey};
use super::{MAX_RECORDS, Settings, check_pin_in};
use crate::crypto::{Signer as _, SoftwareKey};
use crate::present::delegation::{DelegationTerms, check_valid_at, sign_delegation, verify_delegation};
use crate::present::request::{RequestError, RequestVerifier, VerifiedRequest};
use crate::present::{Disclosure, present, present_as_agent, present_for_request};
use crate::trust::{Certificate, TrustStore};
use crate::wallet::{LicenseSummary, WalletError, summary};

/// The licenses of a wallet, and the files that did not open.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// Every license that opened, in the order of their identifiers.
    pub licenses: Vec<LicenseSummary>,
    /// The names of record files that are damaged or were altered (each refused on its own).
    pub damaged: Vec<String>,
}

/// A wallet opened with its PIN. Showing a license asks for the PIN again.
pub struct UnlockedWallet {
    dir: PathBuf,
    id: [u8; 16],
    key: SealingKey,
    settings: Settings,
    pin_salt: [u8; 16],
    pin_tag: [u8; 32],
}

impl std::fmt::Debug for UnlockedWallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnlockedWallet").field("dir", &self.dir).finish_non_exhaustive()
    }
}

/// A license file: its record id, and its record or why it did not open.
type RecordSlot = ([u8; 16], Result<LicenseRecord, WalletError>);

fn file_name(id: &[u8; 16]) -> String {
    format!("{}.yx", hex::encode(id))
}

impl UnlockedWallet {
    pub(super) fn new(
        dir: PathBuf,
        id: [u8; 16],
        key: SealingKey,
        settings: Settings,
        pin_salt: [u8; 16],
        pin_tag: [u8; 32],
    ) -> Self {
        Self { dir, id, key, settings, pin_salt, pin_tag }
    }

    /// The AEAD of this wallet.
    pub fn suite(&self) -> super::Suite {
        self.key.suite()
    }

    /// The roots (DER) under which verifier certificates are accepted.
    pub fn verifier_anchors(&self) -> &[Vec<u8>] {
        &self.settings.verifier_anchors
    }

    /// The elements never given to an unauthenticated request.
    pub fn sensitive_elements(&self) -> &[String] {
        &self.settings.sensitive
    }

    fn path(&self, kind: Kind, id: &[u8; 16]) -> PathBuf {
        self.dir.join(kind.dir()).join(file_name(id))
    }

    fn write_sealed(&self, kind: Kind, id: &[u8; 16], plaintext: &[u8]) -> Result<(), WalletError> {
        let sealed = self.key.seal(&kind.aad(&self.id, id), plaintext)?;
        write_atomic(&self.path(kind, id), &wrap_file(sealed)?)
    }

    /// The plaintext of one sealed file; a file that does not open is
    /// [`WalletError::RecordDamaged`] naming it.
    fn read_sealed(&self, kind: Kind, id: &[u8; 16]) -> Result<zeroize::Zeroizing<Vec<u8>>, WalletError> {
        let path = self.path(kind, id);
        let name = format!("{}/{}", kind.dir(), file_name(id));
        let bytes =
            read_limited(&path, kind.limit())?.ok_or_else(|| WalletError::RecordDamaged(name.clone()))?;
        unwrap_file(&bytes)
            .and_then(|sealed| self.key.open(&kind.aad(&self.id, id), &sealed))
            .ok_or(WalletError::RecordDamaged(name))
    }

    /// Every license record: `(record id, record or the error of its file)`.
    fn records(&self) -> Result<Vec<RecordSlot>, WalletError> {
        let ids = record_ids(&self.dir.join(Kind::License.dir()), MAX_RECORDS)?;
        Ok(ids
            .into_iter()
            .map(|id| {
                let record = self.read_sealed(Kind::License, &id).and_then(|plain| {
                    LicenseRecord::decode(&plain).ok_or_else(|| {
                        WalletError::RecordDamaged(format!("{}/{}", Kind::License.dir(), file_name(&id)))
                    })
                });
                (id, record)
            })
            .collect())
    }

    fn find(&self, identifier: &str) -> Result<([u8; 16], LicenseRecord), WalletError> {
        self.records()?
            .into_iter()
            .find_map(|(id, r)| r.ok().filter(|r| r.summary.identifier == identifier).map(|r| (id, r)))
            .ok_or_else(|| WalletError::UnknownLicense(identifier.to_owned()))
    }

    /// Imports a license and the holder key it is bound to: every signed part of the
    /// credential must verify with the key it carries (the parts' own error codes otherwise)
    /// and its holder key must be `key`'s. A license with the same identifier is replaced.
    pub fn add(
        &self,
        credential: Vec<u8>,
        key: &SoftwareKey,
        now: OffsetDateTime,
    ) -> Result<LicenseSummary, WalletError> {
        let (summary, holder) = summary::read(&credential)?;
        if holder.as_ref() != Some(key.public_key()) {
            return Err(WalletError::HolderKeyMismatch);
        }
        self.store(credential, key, summary, now, None)
    }

    /// Seals a new license record, then removes any earlier one of the same identifier (a
    /// crash in between leaves both, and the next import or removal settles it).
    fn store(
        &self,
        credential: Vec<u8>,
        key: &SoftwareKey,
        summary: LicenseSummary,
        now: OffsetDateTime,
        delegation: Option<Vec<u8>>,
    ) -> Result<LicenseSummary, WalletError> {
        let previous: Vec<[u8; 16]> = self
            .records()?
            .into_iter()
            .filter(|(_, r)| r.as_ref().is_ok_and(|r| r.summary.identifier == summary.identifier))
            .map(|(id, _)| id)
            .collect();
        let record = LicenseRecord {
            credential,
            key: key.to_pkcs8_der().map_err(|e| WalletError::HolderKey(e.to_string()))?,
            sm2_distid: key.public_key().sm2_distid().map(str::to_owned),
            summary,
            added: now,
            delegation,
        };
        let id: [u8; 16] = sealing::random()?;
        self.write_sealed(Kind::License, &id, &record.encode()?)?;
        for old in previous {
            remove(&self.path(Kind::License, &old))?;
        }
        Ok(record.summary)
    }

    /// Imports an agent's copy of a legal entity's license: `delegation` (signed by the
    /// license's holder key, the entity's) must name this license and `agent_key`, and be valid
    /// at `now`. The agent then shows the license with its own key, within the delegation.
    pub fn add_delegated(
        &self,
        credential: Vec<u8>,
        agent_key: &SoftwareKey,
        delegation: Vec<u8>,
        now: OffsetDateTime,
    ) -> Result<LicenseSummary, WalletError> {
        let (summary, holder) = summary::read(&credential)?;
        let entity = holder.ok_or(WalletError::HolderKeyMismatch)?;
        let terms = verify_delegation(&delegation, &entity)?;
        check_valid_at(&terms, now)?;
        if terms.agent_key != *agent_key.public_key() {
            return Err(WalletError::HolderKeyMismatch);
        }
        if terms.license != summary.identifier {
            return Err(
                crate::present::PresentError::DelegationInvalid("it names another license".into()).into()
            );
        }
        self.store(credential, agent_key, summary, now, Some(delegation))
    }

    /// The entity delegates a license it holds to an agent's device key (after the showing
    /// PIN): `elements` until `until` (`license_identifier` is always included). The consent
    /// log records it. An agent's copy cannot be delegated further.
    #[allow(clippy::too_many_arguments)]
    pub fn delegate(
        &self,
        pin: &Pin,
        identifier: &str,
        agent_key: &crate::crypto::PublicKey,
        agent_name: &str,
        agent_id: &str,
        elements: &[String],
        until: OffsetDateTime,
        at: OffsetDateTime,
    ) -> Result<Vec<u8>, WalletError> {
        self.check_pin(pin, at)?;
        let (_, record) = self.find(identifier)?;
        if record.delegation.is_some() {
            return Err(crate::present::PresentError::DelegationInvalid(
                "an agent cannot delegate further".into(),
            )
            .into());
        }
        if let Some(e) = elements.iter().find(|e| !record.summary.elements.contains(e)) {
            return Err(crate::present::PresentError::ElementNotInLicense(e.clone()).into());
        }
        let terms = DelegationTerms {
            license: identifier.to_owned(),
            entity: record.summary.holder_name.clone().unwrap_or_else(|| identifier.to_owned()),
            elements: elements.to_vec(),
            agent_key: agent_key.clone(),
            agent_name: agent_name.to_owned(),
            agent_id: agent_id.to_owned(),
            from: at,
            until,
        };
        let delegation = sign_delegation(&record.signer()?, &terms)?;
        self.log(&ConsentEntry {
            at,
            license: identifier.to_owned(),
            elements: elements.to_vec(),
            verifier: Some(super::VerifierInfo {
                name: format!("{agent_name} (agent)"),
                code: None,
                key_id: hex::encode(agent_key.key_id().as_bytes()),
            }),
            purpose: Some(format!("delegation until {}", crate::text::rfc3339(until))),
        })?;
        Ok(delegation)
    }

    /// The licenses, and the names of record files that did not open.
    pub fn licenses(&self) -> Result<Listing, WalletError> {
        let mut listing = Listing::default();
        for (_, record) in self.records()? {
            match record {
                Ok(r) => listing.licenses.push(r.summary),
                Err(WalletError::RecordDamaged(name)) => listing.damaged.push(name),
                Err(e) => return Err(e),
            }
        }
        listing.licenses.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        Ok(listing)
    }

    /// The credential of a license (to show its details).
    pub fn credential(&self, identifier: &str) -> Result<Vec<u8>, WalletError> {
        Ok(self.find(identifier)?.1.credential)
    }

    /// Removes a license and its key; `false` when there was none.
    pub fn remove(&self, identifier: &str) -> Result<bool, WalletError> {
        match self.find(identifier) {
            Ok((id, _)) => remove(&self.path(Kind::License, &id)),
            Err(WalletError::UnknownLicense(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Checks the showing PIN again under the durable attempt count.
    pub fn check_pin(&self, pin: &Pin, now: OffsetDateTime) -> Result<(), WalletError> {
        check_pin_in(&self.dir, now, |_| {
            Ok(pin::pin_matches(self.key.bytes(), &self.pin_salt, pin, &self.pin_tag).then_some(()))
        })
        .map(|_| ())
    }

    /// A presentation of a license, after the showing PIN: the holder shows `disclose` to
    /// whoever scans the code. The consent log records it.
    pub fn present(
        &self,
        pin: &Pin,
        identifier: &str,
        disclose: Disclosure<'_>,
        at: OffsetDateTime,
    ) -> Result<Vec<u8>, WalletError> {
        self.check_pin(pin, at)?;
        let (_, record) = self.find(identifier)?;
        let signer = record.signer()?;
        let code = match &record.delegation {
            Some(d) => present_as_agent(&record.credential, &signer, d, disclose, at, None)?,
            None => present(&record.credential, &signer, disclose, at)?,
        };
        let elements = match disclose {
            Disclosure::All => record.summary.elements.clone(),
            Disclosure::Elements(e) => e.iter().map(|s| (*s).to_owned()).collect(),
        };
        self.log(&ConsentEntry {
            at,
            license: identifier.to_owned(),
            elements,
            verifier: None,
            purpose: None,
        })?;
        Ok(code)
    }

    /// Verifies a verifier's request at `at` under this wallet's verifier anchors: a signed
    /// request's certificate chain, signature, authorisation and freshness; an unsigned request
    /// may not ask for an element the holder marked sensitive. What it returns is what the
    /// holder is shown before consenting: who asks, for what, why.
    pub fn verify_request(&self, request: &[u8], at: OffsetDateTime) -> Result<VerifiedRequest, WalletError> {
        let mut anchors = TrustStore::new();
        for der in &self.settings.verifier_anchors {
            anchors.add(
                Certificate::from_der(der)
                    .map_err(|e| WalletError::Damaged(format!("a verifier anchor: {e}")))?,
            );
        }
        let request = RequestVerifier::new(anchors).verify(request, at)?;
        if request.verifier().is_none() {
            let sensitive: Vec<String> =
                request.elements().iter().filter(|e| self.settings.sensitive.contains(e)).cloned().collect();
            if !sensitive.is_empty() {
                return Err(RequestError::Sensitive(sensitive).into());
            }
        }
        Ok(request)
    }

    /// Answers a verified request with the license `identifier`, after the showing PIN (the
    /// holder's consent): exactly the elements asked for, in a code bound to the request that
    /// only its verifier accepts. The consent log records who asked, what and why.
    pub fn present_for_request(
        &self,
        pin: &Pin,
        identifier: &str,
        request: &VerifiedRequest,
        at: OffsetDateTime,
    ) -> Result<Vec<u8>, WalletError> {
        self.check_pin(pin, at)?;
        let (_, record) = self.find(identifier)?;
        let signer = record.signer()?;
        let names: Vec<&str> = request.elements().iter().map(String::as_str).collect();
        let code = present_for_request(
            &record.credential,
            &signer,
            Disclosure::Elements(&names),
            at,
            &request.binding(),
        )?;
        let verifier = request.verifier().map(|v| super::VerifierInfo {
            name: v.name.clone(),
            code: v.code.clone(),
            key_id: hex::encode(v.key_id.as_bytes()),
        });
        self.log(&ConsentEntry {
            at,
            license: identifier.to_owned(),
            elements: request.elements().to_vec(),
            verifier,
            purpose: Some(request.purpose().to_owned()),
        })?;
        Ok(code)
    }

    /// Adds an entry to the consent log.
    pub(crate) fn log(&self, entry: &ConsentEntry) -> Result<(), WalletError> {
        let id: [u8; 16] = sealing::random()?;
        self.write_sealed(Kind::History, &id, &entry.encode()?)
    }

    /// The consent log, oldest first, and the names of entries that did not open.
    pub fn history(&self) -> Result<(Vec<ConsentEntry>, Vec<String>), WalletError> {
        let ids = record_ids(&self.dir.join(Kind::History.dir()), MAX_RECORDS)?;
        let (mut entries, mut damaged) = (Vec::new(), Vec::new());
        for id in ids {
            match self.read_sealed(Kind::History, &id).map(|p| ConsentEntry::decode(&p)) {
                Ok(Some(e)) => entries.push(e),
                Ok(None) => damaged.push(format!("{}/{}", Kind::History.dir(), file_name(&id))),
                Err(WalletError::RecordDamaged(name)) => damaged.push(name),
                Err(e) => return Err(e),
            }
        }
        entries.sort_by_key(|e| e.at);
        Ok((entries, damaged))
    }

    pub(super) fn backup_parts(&self) -> (&[u8; 16], &SealingKey, &Settings, &PathBuf) {
        (&self.id, &self.key, &self.settings, &self.dir)
    }
}
