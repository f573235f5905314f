//! [`VerifierBuilder`]: what a verifier trusts (anchors, list operators), accepts (policy,
//! window, unknown status) and fetches (trust list URLs, status lists, a cache directory).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use time::Duration;

use super::{STATE_FILE, Verifier};
use crate::ErrorCode;
use crate::crypto::AlgorithmPolicy;
use crate::fetch::{DiskCache, FetchError, StatusFetcher, Transport, TrustListSources};
use crate::license::LicenseVerifier;
use crate::present::{
    DEFAULT_REPLAY_CAPACITY, DEFAULT_SKEW, DEFAULT_WINDOW, PresentError, PresentationVerifier, ReplayGuard,
};
use crate::seal::SealVerifier;
use crate::seal::ofd::OfdLimits;
use crate::status::StatusListCache;
use crate::trust::list::{MAX_STATE_SIZE, TrustListError, TrustListState, TrustListVerifier};
use crate::trust::{Certificate, CertificateError, TrustStore, parse_pem_certificates};

/// Why a verifier could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifierError {
    /// The QR window is not more than 0 and at most a day.
    #[error(transparent)]
    Window(#[from] PresentError),
    /// The cache directory cannot be created or read.
    #[error(transparent)]
    Cache(#[from] FetchError),
    /// The saved record of accepted trust lists cannot be read (the verifier would forget
    /// which lists it accepted, and so accept a rollback).
    #[error(transparent)]
    State(#[from] TrustListError),
    /// Trust list URLs or a cache directory without a way to fetch.
    #[error("{0}")]
    Config(String),
}

impl ErrorCode for VerifierError {
    fn code(&self) -> &'static str {
        match self {
            Self::Window(e) => e.code(),
            Self::Cache(e) => e.code(),
            Self::State(e) => e.code(),
            Self::Config(_) => "verifier.config",
        }
    }
}

/// Builds a [`Verifier`]: add trust anchors, then [`VerifierBuilder::build`].
#[derive(Clone)]
pub struct VerifierBuilder {
    anchors: Vec<Certificate>,
    intermediates: Vec<Certificate>,
    tsa_anchors: Vec<Certificate>,
    issuers: Vec<Certificate>,
    policy: AlgorithmPolicy,
    window: Duration,
    accept_unknown_status: bool,
    strict_seals: bool,
    replay: Option<Arc<ReplayGuard>>,
    lists: Option<Arc<StatusListCache>>,
    ofd_limits: OfdLimits,
    list_operators: Vec<Certificate>,
    list_grace: Duration,
    list_state: Option<TrustListState>,
    transport: Option<Arc<dyn Transport>>,
    cache_dir: Option<PathBuf>,
    trust_list_urls: Vec<String>,
}

impl std::fmt::Debug for VerifierBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifierBuilder")
            .field("anchors", &self.anchors.len())
            .field("list_operators", &self.list_operators.len())
            .field("policy", &self.policy)
            .field("trust_list_urls", &self.trust_list_urls)
            .field("cache_dir", &self.cache_dir)
            .finish_non_exhaustive()
    }
}

impl Default for VerifierBuilder {
    fn default() -> Self {
        Self {
            anchors: Vec::new(),
            intermediates: Vec::new(),
            tsa_anchors: Vec::new(),
            issuers: Vec::new(),
            policy: AlgorithmPolicy::all(),
            window: DEFAULT_WINDOW,
            accept_unknown_status: false,
            strict_seals: false,
            replay: None,
            lists: None,
            ofd_limits: OfdLimits::default(),
            list_operators: Vec::new(),
            list_grace: Duration::ZERO,
            list_state: None,
            transport: None,
            cache_dir: None,
            trust_list_urls: Vec::new(),
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
        self.list_state = Some(state);
        self
    }

    /// Fetches what the verifier needs with `transport`: the trust lists of
    /// [`VerifierBuilder::trust_list_url`], and the status list each verified license names
    /// when the cache holds no usable one. Verification then may wait on the network, up to
    /// the transport's timeout, when a status list must be fetched; a failed fetch is not
    /// retried for [`RETRY_AFTER`](crate::fetch::RETRY_AFTER).
    pub fn fetch_with(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// [`VerifierBuilder::fetch_with`] the built-in HTTP(S) client.
    #[cfg(feature = "http")]
    pub fn fetch_over_http(self) -> Self {
        self.fetch_with(Arc::new(crate::fetch::HttpTransport::default()))
    }

    /// Keeps the last good copy of every fetched list in `dir` (and the record of accepted
    /// trust lists), so the verifier works offline until the copies expire.
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// Follows the trust list at `url` (refreshed by [`Verifier::refresh_trust_lists`]).
    pub fn trust_list_url(mut self, url: impl Into<String>) -> Self {
        self.trust_list_urls.push(url.into());
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

    /// Trust anchors for time stamping authorities (PEM): time stamps on seal signatures
    /// whose TSA chains to one are `verified`, and their time is the signing time
    /// (docs/decisions/0016); without them stamps are checked but `unverified`.
    pub fn tsa_anchors_pem(mut self, pem: &[u8]) -> Result<Self, CertificateError> {
        self.tsa_anchors.extend(parse_pem_certificates(pem)?);
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

    /// The strict validity policy for seals (default off): a seal maker's certificate must
    /// also have been valid at the seal's createDate, which otherwise is a warning
    /// (`seal.maker_certificate_at_creation`; docs/decisions/0016).
    pub fn strict_seals(mut self, strict: bool) -> Self {
        self.strict_seals = strict;
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

    /// The verifier. Fails for a window that is not more than 0 and at most a day, a cache
    /// directory that cannot be created, a saved trust list state that cannot be read, or
    /// trust list URLs without a transport to fetch them.
    pub fn build(self) -> Result<Verifier, VerifierError> {
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
        let disk = self.cache_dir.map(DiskCache::open).transpose()?;
        let list_state = match (self.list_state, &disk) {
            (Some(state), _) => state,
            (None, Some(disk)) => match disk.read_state(STATE_FILE, MAX_STATE_SIZE as u64)? {
                Some(bytes) => TrustListState::from_json(&bytes)?,
                None => TrustListState::new(),
            },
            (None, None) => TrustListState::new(),
        };
        if !self.trust_list_urls.is_empty() && self.transport.is_none() {
            return Err(VerifierError::Config("trust list URLs need a transport to fetch them".into()));
        }
        if !self.trust_list_urls.is_empty() && trust_lists.is_none() {
            return Err(VerifierError::Config(
                "trust list URLs need list-operator anchors to verify them".into(),
            ));
        }
        let sources =
            self.transport.as_ref().filter(|_| !self.trust_list_urls.is_empty()).map(|t| {
                Arc::new(TrustListSources::new(t.clone(), disk.clone(), self.trust_list_urls.clone()))
            });
        if let Some(transport) = &self.transport {
            lists.set_source(Some(Arc::new(StatusFetcher::new(
                transport.clone(),
                disk.clone(),
                trust.clone(),
            ))));
        }
        let seals = if trust.anchors().is_empty() && trust_lists.is_none() {
            SealVerifier::without_trust_anchors()
        } else {
            SealVerifier::new(trust.clone()).with_intermediates(self.intermediates)
        }
        .with_status_lists(lists.clone())
        .accept_unknown_status(self.accept_unknown_status)
        .strict(self.strict_seals);
        let seals = if self.tsa_anchors.is_empty() {
            seals
        } else {
            let mut tsa = TrustStore::new().with_policy(self.policy);
            for anchor in self.tsa_anchors {
                tsa.add(anchor);
            }
            seals.with_tsa_anchors(tsa)
        };
        Ok(Verifier {
            trust,
            lists,
            replay,
            licenses,
            presentations,
            seals,
            ofd_limits: self.ofd_limits,
            trust_lists,
            list_state: Arc::new(Mutex::new(list_state)),
            sources,
            disk,
        })
    }
}
