//! The verifier's role: one object, configured once with trust anchors, status lists, an
//! algorithm policy, a freshness window and a replay guard, that checks licenses, QR codes,
//! seals and OFD documents and never skips a check.
//!
//! The parts stay public for experts ([`LicenseVerifier`], [`PresentationVerifier`],
//! [`SealVerifier`], [`verify_ofd`]); this is what the FFI's `Verifier` and the CLI use.

use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use crate::crypto::AlgorithmPolicy;
use crate::license::{LicenseError, LicenseVerifier, VerifiedLicense};
use crate::present::{
    DEFAULT_REPLAY_CAPACITY, DEFAULT_SKEW, DEFAULT_WINDOW, PresentError, PresentationVerifier, ReplayGuard,
    VerifiedPresentation,
};
use crate::seal::ofd::{OfdError, OfdLimits, SignatureVerdict, verify_ofd};
use crate::seal::{
    Seal, SealCheck, SealError, SealSignature, SealVerifier, VerifiedSeal, VerifiedSealSignature,
};
use crate::status::{StatusError, StatusListCache, StatusListToken};
use crate::trust::list::{TrustListError, TrustListState, TrustListVerifier, VerifiedTrustList};
use crate::trust::{
    AnchorScope, Certificate, CertificateError, TrustError, TrustStore, parse_pem_certificates,
};

/// Builds a [`Verifier`]: add trust anchors, then [`VerifierBuilder::build`].
#[derive(Debug, Clone)]
pub struct VerifierBuilder {
    anchors: Vec<Certificate>,
    intermediates: Vec<Certificate>,
    issuers: Vec<Certificate>,
    policy: AlgorithmPolicy,
    window: Duration,
    accept_unknown_status: bool,
    replay: Option<Arc<ReplayGuard>>,
    lists: Option<Arc<StatusListCache>>,
    ofd_limits: OfdLimits,
    list_operators: Vec<Certificate>,
    list_grace: Duration,
    list_state: TrustListState,
}

impl Default for VerifierBuilder {
    fn default() -> Self {
        Self {
            anchors: Vec::new(),
            intermediates: Vec::new(),
            issuers: Vec::new(),
            policy: AlgorithmPolicy::all(),
            window: DEFAULT_WINDOW,
            accept_unknown_status: false,
            replay: None,
            lists: None,
            ofd_limits: OfdLimits::default(),
            list_operators: Vec::new(),
            list_grace: Duration::ZERO,
            list_state: TrustListState::new(),
        }
    }
}

impl VerifierBuilder {
    /// Trusts `root` (a root CA certificate: licenses, status lists and seal makers must chain
    /// to an anchor).
    pub fn trust_anchor(mut self, root: Certificate) -> Self {
        self.anchors.push(root);
        self
    }

    /// Trusts every certificate of a PEM bundle (or one DER certificate).
    pub fn trust_anchors_pem(mut self, pem_or_der: &[u8]) -> Result<Self, CertificateError> {
        self.anchors.extend(TrustStore::from_pem_or_der(pem_or_der)?.anchors().iter().cloned());
        Ok(self)
    }

    /// Trusts trust lists signed under `root` (a list operator's root, e.g. the Sichuan or
    /// Chongqing operator's). The operator's anchors vouch only for lists; the authorities a
    /// list names become anchors once the list is added ([`Verifier::add_trust_list`]), each
    /// for the document types the list allows.
    pub fn list_operator(mut self, root: Certificate) -> Self {
        self.list_operators.push(root);
        self
    }

    /// List-operator anchors from a PEM bundle (or one DER certificate).
    pub fn list_operators_pem(mut self, pem_or_der: &[u8]) -> Result<Self, CertificateError> {
        self.list_operators.extend(TrustStore::from_pem_or_der(pem_or_der)?.anchors().iter().cloned());
        Ok(self)
    }

    /// How long past its `nextUpdate` a trust list is still used (default: not at all).
    pub fn trust_list_grace(mut self, grace: Duration) -> Self {
        self.list_grace = grace;
        self
    }

    /// The trust lists accepted before (saved with [`Verifier::trust_list_state`]), so that
    /// an older list is refused after a restart too.
    pub fn trust_list_state(mut self, state: TrustListState) -> Self {
        self.list_state = state;
        self
    }

    /// An intermediate CA certificate that may link a seal maker's certificate to an anchor.
    pub fn intermediate(mut self, ca: Certificate) -> Self {
        self.intermediates.push(ca);
        self
    }

    /// Intermediates from a PEM bundle.
    pub fn intermediates_pem(mut self, pem: &[u8]) -> Result<Self, CertificateError> {
        self.intermediates.extend(parse_pem_certificates(pem)?);
        Ok(self)
    }

    /// An issuer certificate, for compact QR codes that name their issuer by key id (it is
    /// still validated against the anchors at every use). Status lists added later make their
    /// signers known too.
    pub fn issuer_certificate(mut self, cert: Certificate) -> Self {
        self.issuers.push(cert);
        self
    }

    /// The algorithms accepted, whatever an input names (default: all yinxin knows).
    pub fn policy(mut self, policy: AlgorithmPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Only SM2 with SM3 (信创 deployments).
    pub fn gm_only(self) -> Self {
        self.policy(AlgorithmPolicy::gm_only())
    }

    /// How old a QR code may be (default 300 s; more than 0 and at most a day, checked by
    /// [`VerifierBuilder::build`]).
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Accept a license or seal whose status cannot be established (default: refuse). The
    /// verified value still says the status was unknown.
    pub fn accept_unknown_status(mut self, accept: bool) -> Self {
        self.accept_unknown_status = accept;
        self
    }

    /// Share `guard` (e.g. one guard for every counter of an office; default: a new one sized
    /// for the window).
    pub fn replay_guard(mut self, guard: Arc<ReplayGuard>) -> Self {
        self.replay = Some(guard);
        self
    }

    /// Share a status list cache (default: a new one).
    pub fn status_cache(mut self, lists: Arc<StatusListCache>) -> Self {
        self.lists = Some(lists);
        self
    }

    /// Limits for OFD packages (default: [`OfdLimits::default`]).
    pub fn ofd_limits(mut self, limits: OfdLimits) -> Self {
        self.ofd_limits = limits;
        self
    }

    /// The verifier. Fails only for a window that is not more than 0 and at most a day.
    pub fn build(self) -> Result<Verifier, PresentError> {
        let mut trust = TrustStore::new().with_policy(self.policy);
        for anchor in self.anchors {
            trust.add(anchor);
        }
        for issuer in self.issuers {
            trust.add_issuer(issuer);
        }
        let lists = self.lists.unwrap_or_default();
        let replay = self.replay.unwrap_or_else(|| {
            Arc::new(ReplayGuard::new(self.window.saturating_add(DEFAULT_SKEW), DEFAULT_REPLAY_CAPACITY))
        });
        let licenses =
            LicenseVerifier::new(trust.clone()).with_unknown_status_accepted(self.accept_unknown_status);
        let presentations = PresentationVerifier::new(licenses.clone(), lists.clone())
            .with_window(self.window)?
            .with_replay_guard(replay.clone());
        let mut operators = TrustStore::new().with_policy(self.policy);
        for root in &self.list_operators {
            operators.add(root.clone());
        }
        let trust_lists = (!self.list_operators.is_empty())
            .then(|| TrustListVerifier::new(operators).with_grace(self.list_grace));
        let seals = if trust.anchors().is_empty() && trust_lists.is_none() {
            SealVerifier::without_trust_anchors()
        } else {
            SealVerifier::new(trust.clone()).with_intermediates(self.intermediates)
        }
        .with_status_lists(lists.clone())
        .accept_unknown_status(self.accept_unknown_status);
        Ok(Verifier {
            trust,
            lists,
            replay,
            licenses,
            presentations,
            seals,
            ofd_limits: self.ofd_limits,
            trust_lists,
            list_state: Arc::new(std::sync::Mutex::new(self.list_state)),
        })
    }
}

/// A configured verifier. Cheap to share between threads (`Arc<Verifier>`): the status cache
/// and the replay guard are shared by every verification.
#[derive(Debug, Clone)]
pub struct Verifier {
    trust: TrustStore,
    lists: Arc<StatusListCache>,
    replay: Arc<ReplayGuard>,
    licenses: LicenseVerifier,
    presentations: PresentationVerifier,
    seals: SealVerifier,
    ofd_limits: OfdLimits,
    trust_lists: Option<TrustListVerifier>,
    list_state: Arc<std::sync::Mutex<TrustListState>>,
}

impl Verifier {
    /// A builder with no anchors, every algorithm, the 300 s window, unknown status refused.
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder::default()
    }

    /// Verifies a Status List Token at `at` (signed by a certificate under the anchors) and
    /// adds it to the cache, replacing an older list of the same issuer and URI. Its signer
    /// becomes a known issuer, for compact QR codes that name their issuer by key id.
    pub fn add_status_list(&self, token: &[u8], at: OffsetDateTime) -> Result<(), StatusError> {
        let list = StatusListToken::verify_with_trust(token, &self.trust, at)?;
        if let Some(signer) = list.signer() {
            self.trust.add_issuer(signer.clone());
        }
        self.lists.insert(list, at);
        Ok(())
    }

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
        // Checked, recorded and applied under one lock: two lists added at once cannot leave
        // the older one's authorities in place.
        let mut state =
            self.list_state.lock().map_err(|_| TrustListError::State("the state lock is poisoned".into()))?;
        state.check(&list)?;
        state.record(&list)?;
        self.trust.set_listed(&list.source(), anchors);
        drop(state);
        Ok(list)
    }

    /// The record of trust lists accepted, to save and hand back to
    /// [`VerifierBuilder::trust_list_state`] after a restart.
    pub fn trust_list_state(&self) -> Result<TrustListState, TrustListError> {
        self.list_state
            .lock()
            .map(|s| s.clone())
            .map_err(|_| TrustListError::State("the state lock is poisoned".into()))
    }

    /// Makes an issuer certificate known (see [`VerifierBuilder::issuer_certificate`]).
    pub fn add_issuer_certificate(&self, cert: Certificate) {
        self.trust.add_issuer(cert);
    }

    /// The trust store (anchors, known issuers, policy).
    pub fn trust(&self) -> &TrustStore {
        &self.trust
    }

    /// The status list cache.
    pub fn status_lists(&self) -> &Arc<StatusListCache> {
        &self.lists
    }

    /// The replay guard (to save it between runs: [`ReplayGuard::save`]).
    pub fn replay_guard(&self) -> &Arc<ReplayGuard> {
        &self.replay
    }

    /// Verifies a whole credential at `at`, its status included: a license that names a status
    /// list is refused when its status cannot be established (unless unknown status is
    /// accepted).
    pub fn verify_license(
        &self,
        credential: &[u8],
        at: OffsetDateTime,
    ) -> Result<VerifiedLicense, LicenseError> {
        self.licenses.verify_with_status(credential, at, &self.lists)
    }

    /// Verifies a QR text: every license check, status, the holder's signature, the window,
    /// and once only.
    pub fn verify_qr(&self, text: &str, at: OffsetDateTime) -> Result<VerifiedPresentation, PresentError> {
        self.presentations.verify_qr(text, at)
    }

    /// Verifies a presentation's CBOR (as [`Verifier::verify_qr`] after the QR text).
    pub fn verify_presentation(
        &self,
        bytes: &[u8],
        at: OffsetDateTime,
    ) -> Result<VerifiedPresentation, PresentError> {
        self.presentations.verify(bytes, at)
    }

    /// Reads the QR code in a picture (PNG, JPEG, GIF) and verifies it.
    #[cfg(feature = "qr-image")]
    pub fn verify_qr_image(
        &self,
        image: &[u8],
        at: OffsetDateTime,
    ) -> Result<VerifiedPresentation, PresentError> {
        self.verify_qr(&crate::present::qr_image::read_image(image)?, at)
    }

    /// Verifies a seal (DER): maker signature and certificate (against the anchors when there
    /// are any), validity at `at`, status.
    pub fn verify_seal(&self, der: &[u8], at: OffsetDateTime) -> Result<VerifiedSeal, SealError> {
        self.seals.verify_seal(der, at)
    }

    /// Checks a seal reporting every check.
    pub fn check_seal(&self, seal: &Seal, at: OffsetDateTime) -> SealCheck {
        self.seals.check_seal(seal, at)
    }

    /// Verifies a seal signature (`SES_Signature`, DER) over `data`.
    pub fn verify_seal_signature(
        &self,
        der: &[u8],
        data: &[u8],
        at: OffsetDateTime,
    ) -> Result<VerifiedSealSignature, SealError> {
        self.seals.verify_signature(der, data, at)
    }

    /// Checks a seal signature reporting every check (for a verdict that lists them).
    pub fn check_seal_signature(
        &self,
        sig: &SealSignature,
        data_digest: Option<&[u8; 32]>,
        at: OffsetDateTime,
    ) -> SealCheck {
        self.seals.check_signature(sig, data_digest, at)
    }

    /// Verifies every signature of an OFD document: one verdict each.
    pub fn verify_ofd(&self, ofd: &[u8], at: OffsetDateTime) -> Result<Vec<SignatureVerdict>, OfdError> {
        verify_ofd(ofd, &self.seals, self.ofd_limits, at)
    }

    /// The seal verifier underneath (anchors, intermediates, status lists).
    pub fn seal_verifier(&self) -> &SealVerifier {
        &self.seals
    }
}
