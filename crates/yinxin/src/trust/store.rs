//! The verifier's trust store and certificate chain validation.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use time::OffsetDateTime;

use super::certificate::key_usage;
use super::listed::{AnchorScope, Listed, ListedAnchors};
use super::{Certificate, CertificateError, TrustError, parse_pem_certificates};
use crate::crypto::{AlgorithmPolicy, Verifier as _};

/// Chains longer than this (leaf included, anchor excluded) are refused before any signature
/// is checked.
pub const MAX_CHAIN_LENGTH: usize = 5;
/// Verified certificate signatures remembered, at most; the cache is cleared when full.
const SIGNATURE_CACHE_LIMIT: usize = 4096;
/// Parsed certificates remembered, at most; the cache is cleared when full.
const PARSE_CACHE_LIMIT: usize = 256;

/// The roots a verifier trusts, and the algorithms it accepts.
///
/// Two kinds of anchor: the ones configured with [`TrustStore::add`], trusted for everything,
/// and the ones trust lists name ([`TrustStore::set_listed`]), each scoped to the document
/// types its list allows and usable until the list goes stale.
///
/// Cheap to clone and safe to share between threads; clones share the listed anchors and the
/// caches. It remembers which certificate signatures it has already verified (keyed by both
/// certificates' SHA-256), so a chain seen before costs no signature verification; validity,
/// constraints and policy are checked every time.
#[derive(Clone, Default)]
pub struct TrustStore {
    anchors: Vec<Certificate>,
    policy: AlgorithmPolicy,
    verified: Arc<RwLock<HashSet<[u8; 64]>>>,
    parsed: Arc<RwLock<HashMap<Vec<u8>, Certificate>>>,
    issuers: Arc<RwLock<HashMap<crate::crypto::KeyId, Certificate>>>,
    listed: Arc<RwLock<Arc<ListedAnchors>>>,
}

impl std::fmt::Debug for TrustStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustStore").field("anchors", &self.anchors).field("policy", &self.policy).finish()
    }
}

/// A chain that [`TrustStore::verify_chain`] validated. Only the trust store makes these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedChain {
    leaf: Certificate,
    anchor: Certificate,
    length: usize,
    scope: Option<Arc<AnchorScope>>,
}

impl VerifiedChain {
    /// The end-entity (first) certificate.
    pub fn leaf(&self) -> &Certificate {
        &self.leaf
    }

    /// The trust anchor the chain ends at.
    pub fn anchor(&self) -> &Certificate {
        &self.anchor
    }

    /// Certificates in the path, anchor included.
    pub fn len(&self) -> usize {
        self.length
    }

    /// Always false: a verified chain has at least its anchor.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The trust list that made the anchor trusted, and what it allows; `None` for a
    /// configured anchor, which is trusted for everything.
    pub fn scope(&self) -> Option<&AnchorScope> {
        self.scope.as_deref()
    }

    /// Whether the anchor may vouch for `doc_type`: always for a configured anchor; for a
    /// listed one, when its list names the type.
    pub fn allows(&self, doc_type: &str) -> bool {
        self.scope.as_ref().is_none_or(|s| s.allows(doc_type))
    }
}

impl TrustStore {
    /// An empty store accepting every algorithm yinxin supports.
    pub fn new() -> Self {
        Self::default()
    }

    /// The store with another algorithm policy.
    pub fn with_policy(mut self, policy: AlgorithmPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Adds a trust anchor.
    pub fn add(&mut self, anchor: Certificate) {
        if !self.anchors.contains(&anchor) {
            self.anchors.push(anchor);
        }
    }

    /// A store with every certificate of a PEM bundle (or one DER certificate) as anchor.
    pub fn from_pem_or_der(input: &[u8]) -> Result<Self, CertificateError> {
        let mut store = Self::new();
        if input.trim_ascii_start().starts_with(b"-----BEGIN") {
            for cert in parse_pem_certificates(input)? {
                store.add(cert);
            }
        } else {
            store.add(Certificate::from_der(input)?);
        }
        Ok(store)
    }

    /// The configured trust anchors (not those from trust lists: [`TrustStore::listed`]).
    pub fn anchors(&self) -> &[Certificate] {
        &self.anchors
    }

    /// Replaces the anchors that trust list `source` provided with `anchors` (none: the
    /// source's anchors are removed). Every clone of this store sees the change.
    pub fn set_listed(&self, source: &str, anchors: Vec<(Certificate, AnchorScope)>) {
        let anchors: Vec<Listed> =
            anchors.into_iter().map(|(cert, scope)| Listed { cert, scope: Arc::new(scope) }).collect();
        if let Ok(mut listed) = self.listed.write() {
            let next = listed.with_source(source, anchors);
            *listed = Arc::new(next);
        }
    }

    /// The anchors trust lists provided, with their scopes. Empty when the store cannot be
    /// read (and then no listed anchor is trusted either).
    pub fn listed(&self) -> Vec<(Certificate, AnchorScope)> {
        self.listed_snapshot().all().map(|l| (l.cert.clone(), (*l.scope).clone())).collect()
    }

    /// Whether there is any anchor at all, configured or listed.
    pub fn has_anchors(&self) -> bool {
        !self.anchors.is_empty() || !self.listed_snapshot().is_empty()
    }

    /// The listed anchors now; none (fail closed) if the lock was poisoned.
    fn listed_snapshot(&self) -> Arc<ListedAnchors> {
        self.listed.read().map(|l| Arc::clone(&l)).unwrap_or_default()
    }

    /// The algorithm policy.
    pub fn policy(&self) -> AlgorithmPolicy {
        self.policy
    }

    /// Parses a certificate, or returns the one parsed before from the same bytes (credentials
    /// from one issuer all carry the same certificate).
    pub fn certificate(&self, der: &[u8]) -> Result<Certificate, CertificateError> {
        if let Some(cert) = self.parsed.read().ok().and_then(|m| m.get(der).cloned()) {
            return Ok(cert);
        }
        let cert = Certificate::from_der(der)?;
        if let Ok(mut m) = self.parsed.write() {
            if m.len() >= PARSE_CACHE_LIMIT {
                m.clear();
            }
            m.insert(der.to_vec(), cert.clone());
        }
        Ok(cert)
    }

    /// Remembers a signer certificate (e.g. an issuing authority's) so that compact
    /// presentations can name it by key id. The certificate is still validated against the
    /// anchors every time it is used. Leaf certificates of chains this store validates are
    /// remembered automatically.
    pub fn add_issuer(&self, cert: Certificate) {
        if let Ok(mut m) = self.issuers.write() {
            if m.len() >= PARSE_CACHE_LIMIT {
                m.clear();
            }
            m.insert(cert.public_key().key_id(), cert);
        }
    }

    /// A remembered signer certificate by key id.
    pub fn issuer_by_key_id(&self, key_id: &crate::crypto::KeyId) -> Option<Certificate> {
        self.issuers.read().ok().and_then(|m| m.get(key_id).cloned())
    }

    /// The anchor with this key id, for compact presentations that name the issuer's key.
    pub fn anchor_by_key_id(&self, key_id: &crate::crypto::KeyId) -> Option<&Certificate> {
        self.anchors.iter().find(|a| a.public_key().key_id() == *key_id)
    }

    /// Validates `chain` (leaf first; intermediates may follow; the root may be included or
    /// not) at time `at`: each certificate's validity period, signature (by the next
    /// certificate, or by an anchor), the algorithm policy, basicConstraints and path length
    /// for issuers, keyUsage (keyCertSign for issuers; digitalSignature or nonRepudiation for
    /// the leaf), no unknown critical extension, and at most [`MAX_CHAIN_LENGTH`] certificates.
    pub fn verify_chain(
        &self,
        chain: &[Certificate],
        at: OffsetDateTime,
    ) -> Result<VerifiedChain, TrustError> {
        if chain.is_empty() {
            return Err(TrustError::Empty);
        }
        if chain.len() > MAX_CHAIN_LENGTH {
            return Err(TrustError::ChainTooLong);
        }
        let listed = self.listed_snapshot();
        // A listed anchor that matched but whose list is stale: reported if nothing else does.
        let mut stale = None;
        for (i, cert) in chain.iter().enumerate() {
            self.check_certificate(i, cert, at)?;
            if self.anchors.contains(cert) {
                return Ok(self.verified(chain, cert, i + 1, None));
            }
            for l in listed.exact(cert) {
                match usable(&l.scope, at) {
                    Ok(()) => return Ok(self.verified(chain, cert, i + 1, Some(l.scope.clone()))),
                    Err(e) => stale = Some(e),
                }
            }
            let anchor = self
                .anchors
                .iter()
                .filter(|a| a.subject_raw() == cert.issuer_raw())
                .find(|a| self.signature_ok(cert, a));
            if let Some(anchor) = anchor {
                self.check_policy(i, cert)?;
                self.check_certificate(i + 1, anchor, at)?;
                return Ok(self.verified(chain, anchor, i + 2, None));
            }
            for l in listed.by_subject(cert.issuer_raw()).iter().filter(|l| self.signature_ok(cert, &l.cert))
            {
                match usable(&l.scope, at) {
                    Ok(()) => {
                        self.check_policy(i, cert)?;
                        self.check_certificate(i + 1, &l.cert, at)?;
                        return Ok(self.verified(chain, &l.cert, i + 2, Some(l.scope.clone())));
                    }
                    Err(e) => stale = Some(e),
                }
            }
            let Some(next) = chain.get(i + 1) else {
                return Err(stale.unwrap_or(TrustError::UntrustedRoot));
            };
            if next.subject_raw() != cert.issuer_raw() {
                return Err(stale.unwrap_or(TrustError::IssuerMismatch(i)));
            }
            self.check_policy(i, cert)?;
            if !self.signature_ok(cert, next) {
                return Err(TrustError::SignatureInvalid(i));
            }
        }
        Err(stale.unwrap_or(TrustError::UntrustedRoot))
    }

    fn verified(
        &self,
        chain: &[Certificate],
        anchor: &Certificate,
        length: usize,
        scope: Option<Arc<AnchorScope>>,
    ) -> VerifiedChain {
        let leaf = chain.first().unwrap_or(anchor).clone();
        if self.issuer_by_key_id(&leaf.public_key().key_id()).is_none() {
            self.add_issuer(leaf.clone());
        }
        VerifiedChain { leaf, anchor: anchor.clone(), length, scope }
    }

    fn check_policy(&self, i: usize, cert: &Certificate) -> Result<(), TrustError> {
        let algorithm = cert.signature_algorithm();
        if self.policy.allows(algorithm) {
            Ok(())
        } else {
            Err(TrustError::AlgorithmNotAllowed { index: i, algorithm })
        }
    }

    /// The checks on one certificate that do not involve its issuer. `i` is its position in the
    /// path: 0 is the leaf; every other certificate issued the one before it.
    fn check_certificate(&self, i: usize, cert: &Certificate, at: OffsetDateTime) -> Result<(), TrustError> {
        if at < cert.not_before() {
            return Err(TrustError::NotYetValid(i));
        }
        if at > cert.not_after() {
            return Err(TrustError::Expired(i));
        }
        if cert.has_unknown_critical_extension() {
            return Err(TrustError::UnknownCriticalExtension(i));
        }
        let ku = cert.key_usage();
        if i == 0 {
            if ku.is_some_and(|k| k & (key_usage::DIGITAL_SIGNATURE | key_usage::NON_REPUDIATION) == 0) {
                return Err(TrustError::KeyUsage(i));
            }
            return Ok(());
        }
        match cert.basic_constraints() {
            Some((true, path_len)) => {
                // CA certificates below this one in the path (the leaf is not counted).
                let below = u32::try_from(i - 1).unwrap_or(u32::MAX);
                if path_len.is_some_and(|n| below > n) {
                    return Err(TrustError::PathLength(i));
                }
            }
            _ => return Err(TrustError::NotCa(i)),
        }
        if ku.is_some_and(|k| k & key_usage::KEY_CERT_SIGN == 0) {
            return Err(TrustError::KeyUsage(i));
        }
        Ok(())
    }

    /// Whether `issuer`'s key verifies `cert`'s signature, using and filling the cache.
    fn signature_ok(&self, cert: &Certificate, issuer: &Certificate) -> bool {
        let mut key = [0u8; 64];
        key[..32].copy_from_slice(&cert.fingerprint());
        key[32..].copy_from_slice(&issuer.fingerprint());
        if self.verified.read().is_ok_and(|set| set.contains(&key)) {
            return true;
        }
        let ok = issuer.public_key().verify_with(cert.signature_algorithm(), cert.tbs(), &{
            match crate::crypto::der_to_raw(cert.signature_algorithm(), cert.signature()) {
                Ok(raw) => raw,
                Err(_) => return false,
            }
        });
        if ok.is_ok()
            && let Ok(mut set) = self.verified.write()
        {
            if set.len() >= SIGNATURE_CACHE_LIMIT {
                set.clear();
            }
            set.insert(key);
        }
        ok.is_ok()
    }
}

/// Whether a listed anchor's list is still usable at `at`.
fn usable(scope: &AnchorScope, at: OffsetDateTime) -> Result<(), TrustError> {
    match (scope.usable_until, scope.next_update) {
        (Some(until), Some(next_update)) if at > until => {
            Err(TrustError::ListStale { provider: scope.provider.clone(), next_update })
        }
        _ => Ok(()),
    }
}

/// The certificates of a COSE `x5chain` header (leaf first), parsed through `trust`'s cache
/// when there is one; a certificate that does not parse is named by its position.
pub(crate) fn certificates_of(
    x5chain: &[&[u8]],
    trust: Option<&TrustStore>,
) -> Result<Vec<Certificate>, TrustError> {
    x5chain
        .iter()
        .enumerate()
        .map(|(index, der)| {
            trust
                .map_or_else(|| Certificate::from_der(der), |t| t.certificate(der))
                .map_err(|error| TrustError::Certificate { index, error })
        })
        .collect()
}
