//! Verifying a trust list against list-operator anchors: size, COSE_Sign1, the operator's
//! chain at the verification time, the algorithm (the operator key's, allowed by policy), the
//! signature, the VICAL structure, the version, `date` and `nextUpdate`; then each entry's
//! certificate, skipping (and saying why) the ones this verifier cannot use.

use time::{Duration, OffsetDateTime};

use super::decode::{decode, strip_zeros};
use super::{EntryError, MAX_TRUST_LIST_SIZE, TrustList, TrustListError};
use crate::crypto::{DigestAlgorithm, Verifier as _};
use crate::trust::{Certificate, TrustStore, VerifiedChain, certificates_of};

/// How far in the future a list's `date` may be, for a verifier whose clock lags the
/// operator's (the tolerance licenses get).
const DATE_SKEW: Duration = Duration::minutes(5);

/// An authority a verified list trusts: its certificate and the document types it may issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedAuthority {
    /// The entry's certificate (an anchor for the authority's chains).
    pub certificate: Certificate,
    /// What it may issue.
    pub doc_types: Vec<String>,
}

/// An entry of a verified list that this verifier does not use, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedEntry {
    /// Position in `certificateInfos`.
    pub index: usize,
    /// The entry's `issuingAuthority`, if it names one.
    pub name: Option<String>,
    /// Why.
    pub error: EntryError,
}

/// A trust list whose operator chain, signature and dates were checked. Only
/// [`TrustListVerifier::verify`] makes these.
#[derive(Debug, Clone)]
pub struct VerifiedTrustList {
    list: TrustList,
    operator: VerifiedChain,
    authorities: Vec<ListedAuthority>,
    skipped: Vec<SkippedEntry>,
    digest: [u8; 32],
}

impl VerifiedTrustList {
    /// What the list says (every entry, usable or not).
    pub fn list(&self) -> &TrustList {
        &self.list
    }

    /// The operator's verified chain (its leaf signed the list).
    pub fn operator(&self) -> &VerifiedChain {
        &self.operator
    }

    /// The authorities this verifier can use, one per certificate (entries naming the same
    /// certificate are merged).
    pub fn authorities(&self) -> &[ListedAuthority] {
        &self.authorities
    }

    /// Entries not used, with the reason.
    pub fn skipped(&self) -> &[SkippedEntry] {
        &self.skipped
    }

    /// SHA-256 of the signed list, as received.
    pub fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// What identifies the list across issues, for rollback protection: its operator's anchor
    /// and its provider name.
    pub fn source(&self) -> String {
        format!("{}|{}", hex::encode(self.operator.anchor().fingerprint()), self.list.provider)
    }

    /// When the list stops being usable: `nextUpdate` plus `grace`; `None` for a list that
    /// names no next update.
    pub fn usable_until(&self, grace: Duration) -> Option<OffsetDateTime> {
        self.list.next_update.map(|t| t.saturating_add(grace))
    }
}

/// Verifies trust lists signed by the configured list operators.
#[derive(Debug, Clone)]
pub struct TrustListVerifier {
    operators: TrustStore,
    grace: Duration,
}

impl TrustListVerifier {
    /// Trusts lists whose operator certificate chains to an anchor of `operators` (its
    /// algorithm policy applies to the lists' signatures too). No grace period past
    /// `nextUpdate`.
    pub fn new(operators: TrustStore) -> Self {
        Self { operators, grace: Duration::ZERO }
    }

    /// Accepts a list for `grace` past its `nextUpdate` (a verifier that cannot fetch the next
    /// issue on time); negative values count as zero.
    pub fn with_grace(mut self, grace: Duration) -> Self {
        self.grace = grace.max(Duration::ZERO);
        self
    }

    /// The grace period past `nextUpdate`.
    pub fn grace(&self) -> Duration {
        self.grace
    }

    /// The list-operator anchors.
    pub fn operators(&self) -> &TrustStore {
        &self.operators
    }

    /// Verifies `bytes` (a COSE_Sign1, tagged or not) at `at`.
    pub fn verify(&self, bytes: &[u8], at: OffsetDateTime) -> Result<VerifiedTrustList, TrustListError> {
        if bytes.len() > MAX_TRUST_LIST_SIZE {
            return Err(TrustListError::TooLarge(bytes.len()));
        }
        let sign1 = crate::cose::sign1::parse(bytes)?;
        if sign1.x5chain.is_empty() {
            return Err(TrustListError::NoSignerCertificate);
        }
        let chain = certificates_of(&sign1.x5chain, Some(&self.operators))
            .map_err(TrustListError::OperatorUntrusted)?;
        let operator = self.operators.verify_chain(&chain, at).map_err(TrustListError::OperatorUntrusted)?;
        let key = operator.leaf().public_key();
        let alg = sign1.algorithm().map_err(|_| TrustListError::Algorithm)?;
        if alg != key.algorithm() || !self.operators.policy().allows(alg) {
            return Err(TrustListError::Algorithm);
        }
        let tbs = sign1.sig_structure()?;
        key.verify(&tbs, sign1.signature).map_err(|_| TrustListError::SignatureInvalid)?;
        let list = decode(sign1.payload)?;
        if !list.version.starts_with("1.") {
            return Err(TrustListError::Malformed(format!("version {:?} (yinxin reads 1.x)", list.version)));
        }
        if list.date > at.saturating_add(DATE_SKEW) {
            return Err(TrustListError::NotYetValid(list.date));
        }
        if let Some(next_update) = list.next_update {
            if next_update < list.date {
                return Err(TrustListError::Malformed("nextUpdate is before date".into()));
            }
            if at > next_update.saturating_add(self.grace) {
                return Err(TrustListError::Stale {
                    provider: list.provider.clone(),
                    issue_id: list.issue_id.unwrap_or_default(),
                    next_update,
                });
            }
        }
        let (authorities, skipped) = authorities(&list);
        Ok(VerifiedTrustList {
            list,
            operator,
            authorities,
            skipped,
            digest: DigestAlgorithm::Sha256.digest(bytes),
        })
    }
}

/// The usable entries, merged by certificate, and the skipped ones.
pub(super) fn authorities(list: &TrustList) -> (Vec<ListedAuthority>, Vec<SkippedEntry>) {
    let mut usable: Vec<ListedAuthority> = Vec::new();
    let mut skipped = Vec::new();
    for (index, entry) in list.entries.iter().enumerate() {
        let checked =
            Certificate::from_der(&entry.certificate).map_err(EntryError::Certificate).and_then(|cert| {
                if strip_zeros(cert.serial_number()) != strip_zeros(&entry.serial_number) {
                    return Err(EntryError::Inconsistent("serialNumber"));
                }
                if !ski_matches(&entry.ski, cert.subject_key_id()) {
                    return Err(EntryError::Inconsistent("ski"));
                }
                if entry.doc_types.is_empty() {
                    return Err(EntryError::NoDocType);
                }
                Ok(cert)
            });
        match checked {
            Ok(cert) => match usable.iter_mut().find(|a| a.certificate == cert) {
                Some(a) => {
                    for t in &entry.doc_types {
                        if !a.doc_types.contains(t) {
                            a.doc_types.push(t.clone());
                        }
                    }
                }
                None => {
                    usable.push(ListedAuthority { certificate: cert, doc_types: entry.doc_types.clone() })
                }
            },
            Err(error) => skipped.push(SkippedEntry { index, name: entry.issuing_authority.clone(), error }),
        }
    }
    (usable, skipped)
}

/// Whether a listed `ski` is the certificate's key identifier: as the bare identifier, or
/// wrapped in one or two DER OCTET STRINGs (some lists write the extension's `extnValue`).
fn ski_matches(listed: &[u8], cert: &[u8]) -> bool {
    let mut value = listed;
    for _ in 0..3 {
        if value == cert {
            return true;
        }
        match value {
            [0x04, len, rest @ ..] if usize::from(*len) == rest.len() => value = rest,
            _ => return false,
        }
    }
    false
}
