//! The verifier's role: one object, configured once with trust anchors, status lists, an
//! algorithm policy, a freshness window and a replay guard, that checks licenses, QR codes,
//! seals and OFD documents and never skips a check.
//!
//! The parts stay public for experts ([`LicenseVerifier`], [`PresentationVerifier`],
//! [`SealVerifier`], [`verify_ofd`]); this is what the FFI's `Verifier` and the CLI use.

mod builder;
mod license_file;
mod trust_lists;

use std::sync::{Arc, Mutex};

use time::OffsetDateTime;

pub use builder::{VerifierBuilder, VerifierError};
pub use license_file::LicenseFileReport;

use crate::fetch::{DiskCache, TrustListSources};
use crate::license::{LicenseError, LicenseVerifier, VerifiedLicense};
use crate::present::{PresentError, PresentationVerifier, ReplayGuard, VerifiedPresentation};
use crate::seal::ofd::{OfdError, OfdLimits, SignatureVerdict, verify_ofd};
use crate::seal::{
    Seal, SealCheck, SealError, SealSignature, SealVerifier, VerifiedSeal, VerifiedSealSignature,
};
use crate::status::{StatusError, StatusListCache, StatusListToken};
use crate::trust::list::{TrustListState, TrustListVerifier};
use crate::trust::{Certificate, TrustStore};

/// The file in the cache directory that records the trust lists accepted.
const STATE_FILE: &str = "trust-lists.state.json";

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
    list_state: Arc<Mutex<TrustListState>>,
    sources: Option<Arc<TrustListSources>>,
    disk: Option<DiskCache>,
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

    /// Verifies a QR text that may answer this verifier's request `binding` (decision 0019):
    /// a code bound to it is accepted once with
    /// [`VerifiedPresentation::request_bound`](crate::present::VerifiedPresentation::request_bound);
    /// a code bound to another request is refused.
    pub fn verify_qr_for_request(
        &self,
        text: &str,
        at: OffsetDateTime,
        binding: &crate::present::request::RequestBinding,
    ) -> Result<VerifiedPresentation, PresentError> {
        self.presentations.verify_for_request(&crate::present::qr_text::decode(text)?, at, binding)
    }

    /// Verifies a presentation's CBOR (as [`Verifier::verify_qr`] after the QR text).
    pub fn verify_presentation(
        &self,
        bytes: &[u8],
        at: OffsetDateTime,
    ) -> Result<VerifiedPresentation, PresentError> {
        self.presentations.verify(bytes, at)
    }

    /// Reads the QR code in a picture (PNG, JPEG, WebP, GIF) and verifies it.
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
