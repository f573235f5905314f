//! Verifying seals and seal signatures: every check runs, each failure is reported with its
//! own code, and success yields a value only this module constructs.

use std::sync::Arc;

use time::OffsetDateTime;

use crate::text::rfc3339;

use super::model::{CertList, Seal, SealSignature};
use super::time_stamp::{self, TimeStampCheck, TimeStampStatus};
use super::{SM2_WITH_SM3_OID, SealError};
use crate::crypto::{Algorithm, DigestAlgorithm, Verifier as _, der_to_raw};
use crate::status::{Status, StatusListCache};
use crate::trust::{Certificate, TrustStore};

/// Checks seals and seal signatures.
///
/// The seal maker's certificate is validated against trust anchors when the verifier has them
/// ([`SealVerifier::new`]). Seals from other systems often come without their roots; a
/// verifier made with [`SealVerifier::without_trust_anchors`] still runs every other check and
/// says in its result that the maker was not checked against an anchor
/// ([`VerifiedSeal::maker_trusted`] is `false`).
#[derive(Debug, Clone)]
pub struct SealVerifier {
    trust: Option<TrustStore>,
    intermediates: Vec<Certificate>,
    lists: Option<Arc<StatusListCache>>,
    accept_unknown_status: bool,
    strict: bool,
    tsa: Option<TrustStore>,
}

/// The outcome of every check on one seal signature (or seal), for reports that show each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealCheck {
    /// `dataHash` equals the digest of the data (`None` when checking a seal alone).
    pub data_hash: Option<bool>,
    /// The signature over TBS_Sign verifies with the signer certificate (`None` for a seal).
    pub signature: Option<bool>,
    /// The maker's signature over the seal verifies.
    pub maker_signature: bool,
    /// The seal passes all of its own checks (maker signature and certificate, validity,
    /// status, and for a signature: signer in the list, signed within validity).
    pub seal: bool,
    /// The maker certificate chains to a trust anchor (`None`: the verifier has none).
    pub maker_trusted: Option<bool>,
    /// The failed checks, in the order they were run; empty when everything passed.
    pub errors: Vec<SealError>,
    /// What was found but does not fail the check under the verifier's policy (e.g.
    /// `seal.maker_certificate_at_creation`); under [`SealVerifier::strict`] these are errors.
    pub warnings: Vec<SealError>,
    /// The time stamp over the signature, when one is attached. A verified one's time is the
    /// time the signature is judged at.
    pub time_stamp: Option<TimeStampCheck>,
}

impl SealCheck {
    /// Everything passed.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// A seal whose checks all passed.
#[derive(Debug, Clone)]
pub struct VerifiedSeal {
    seal: Seal,
    maker: Certificate,
    maker_trusted: bool,
    status: Option<Status>,
    warnings: Vec<SealError>,
}

impl VerifiedSeal {
    /// The seal.
    pub fn seal(&self) -> &Seal {
        &self.seal
    }
    /// The maker's certificate.
    pub fn maker(&self) -> &Certificate {
        &self.maker
    }
    /// Whether the maker certificate was validated against a trust anchor.
    pub fn maker_trusted(&self) -> bool {
        self.maker_trusted
    }
    /// The status the seal's list entry gave, when it has one.
    pub fn status(&self) -> Option<Status> {
        self.status
    }
    /// What was found that does not fail the seal under the verifier's policy (e.g.
    /// `seal.maker_certificate_at_creation`).
    pub fn warnings(&self) -> &[SealError] {
        &self.warnings
    }
}

/// A seal signature whose checks all passed.
#[derive(Debug, Clone)]
pub struct VerifiedSealSignature {
    signature: SealSignature,
    signer: Certificate,
    seal: VerifiedSeal,
    time_stamp: Option<TimeStampCheck>,
}

impl VerifiedSealSignature {
    /// The signature.
    pub fn signature(&self) -> &SealSignature {
        &self.signature
    }
    /// The signer's certificate.
    pub fn signer(&self) -> &Certificate {
        &self.signer
    }
    /// The verified seal it was made with.
    pub fn seal(&self) -> &VerifiedSeal {
        &self.seal
    }
    /// When it was signed (`timeInfo`).
    pub fn signed_at(&self) -> Option<OffsetDateTime> {
        self.signature.signed_at
    }
    /// Its time stamp, when one is attached (verified or unverified: an invalid one fails).
    pub fn time_stamp(&self) -> Option<&TimeStampCheck> {
        self.time_stamp.as_ref()
    }
}

/// Verifies an SM2 signature (DER or raw `r‖s`) with a certificate's key.
pub(crate) fn sm2_signature_ok(cert: &Certificate, message: &[u8], signature: &[u8]) -> bool {
    let raw = match signature.len() {
        64 => signature.to_vec(),
        _ => match der_to_raw(Algorithm::Sm2Sm3, signature) {
            Ok(r) => r,
            Err(_) => return false,
        },
    };
    cert.public_key().verify(message, &raw).is_ok()
}

fn sm2_certificate(der: &[u8], role: &str) -> Result<Certificate, SealError> {
    let cert = Certificate::from_der(der).map_err(|e| SealError::Certificate(format!("{role}: {e}")))?;
    if cert.public_key().algorithm() != Algorithm::Sm2Sm3 {
        return Err(SealError::Certificate(format!("{role}: the key is not SM2")));
    }
    Ok(cert)
}

fn valid_at(cert: &Certificate, at: OffsetDateTime) -> bool {
    cert.not_before() <= at && at <= cert.not_after()
}

/// Digest of a certificate by the algorithm name a certDigestList entry gives.
fn cert_digest(kind: &str, cert: &[u8]) -> Option<[u8; 32]> {
    match kind.to_ascii_lowercase().replace('-', "").as_str() {
        "sm3" | "1.2.156.10197.1.401" => Some(DigestAlgorithm::Sm3.digest(cert)),
        "sha256" | "2.16.840.1.101.3.4.2.1" => Some(DigestAlgorithm::Sha256.digest(cert)),
        _ => None,
    }
}

/// Whether `cert` may sign with `seal` (its certificate list).
pub(crate) fn in_cert_list(seal: &Seal, cert: &[u8]) -> bool {
    match &seal.cert_list {
        CertList::Certificates(list) => list.iter().any(|c| c == cert),
        CertList::Digests(list) => {
            list.iter().any(|(kind, value)| cert_digest(kind, cert).is_some_and(|d| d.as_slice() == value))
        }
        CertList::NotCertificates(_) => false,
    }
}

impl SealVerifier {
    /// A verifier that validates seal makers' certificates against `trust`.
    pub fn new(trust: TrustStore) -> Self {
        Self {
            trust: Some(trust),
            intermediates: Vec::new(),
            lists: None,
            accept_unknown_status: false,
            strict: false,
            tsa: None,
        }
    }

    /// A verifier with no trust anchors: every check but the maker's chain runs, and results
    /// say the maker was not checked against an anchor.
    pub fn without_trust_anchors() -> Self {
        Self {
            trust: None,
            intermediates: Vec::new(),
            lists: None,
            accept_unknown_status: false,
            strict: false,
            tsa: None,
        }
    }

    /// Intermediate CA certificates that may link a maker's certificate to an anchor (a seal
    /// carries only the maker's own certificate).
    pub fn with_intermediates(mut self, intermediates: Vec<Certificate>) -> Self {
        self.intermediates = intermediates;
        self
    }

    /// One more intermediate CA certificate (e.g. a license issuer's certificate that issued
    /// the issuer's seal certificates). It only links a chain; trust still comes from an anchor.
    pub fn with_intermediate(mut self, ca: Certificate) -> Self {
        if !self.intermediates.contains(&ca) {
            self.intermediates.push(ca);
        }
        self
    }

    /// Status lists for seals that carry a status reference. Without them such seals are
    /// refused with `seal.status_unknown` (unless [`Self::accept_unknown_status`]).
    pub fn with_status_lists(mut self, lists: Arc<StatusListCache>) -> Self {
        self.lists = Some(lists);
        self
    }

    /// Accept seals whose status cannot be established (no list, stale list).
    pub fn accept_unknown_status(mut self, accept: bool) -> Self {
        self.accept_unknown_status = accept;
        self
    }

    /// The strict validity policy: the seal maker's certificate must also have been valid at
    /// the seal's `createDate` (`seal.maker_certificate_at_creation` fails instead of warning).
    /// The default judges every certificate at the time the seal is used (a signature's
    /// signing time): docs/decisions/0016.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Trust anchors for time stamping authorities: a time stamp whose TSA chains to one is
    /// `verified` and its time is the signing time; without anchors stamps are `unverified`
    /// and signatures are judged at their own `timeInfo`.
    pub fn with_tsa_anchors(mut self, anchors: TrustStore) -> Self {
        self.tsa = Some(anchors);
        self
    }

    /// Verifies a seal (DER) for use at `at`.
    pub fn verify_seal(&self, der: &[u8], at: OffsetDateTime) -> Result<VerifiedSeal, SealError> {
        let seal = Seal::from_der(der)?;
        let (check, verified) = self.run_seal(seal, at, at);
        match check.errors.into_iter().next() {
            Some(e) => Err(e),
            None => verified.ok_or_else(|| SealError::Malformed("no result".into())),
        }
    }

    /// Checks a seal for use at `at`, reporting every check.
    pub fn check_seal(&self, seal: &Seal, at: OffsetDateTime) -> SealCheck {
        self.run_seal(seal.clone(), at, at).0
    }

    /// Verifies a `SES_Signature` (DER) over `data`: `dataHash` must be SM3(`data`). `now` is
    /// the time the seal's status is checked for.
    pub fn verify_signature(
        &self,
        der: &[u8],
        data: &[u8],
        now: OffsetDateTime,
    ) -> Result<VerifiedSealSignature, SealError> {
        let sig = SealSignature::from_der(der)?;
        let (check, verified) = self.run_signature(sig, Some(&DigestAlgorithm::Sm3.digest(data)), now);
        match check.errors.into_iter().next() {
            Some(e) => Err(e),
            None => verified.ok_or_else(|| SealError::Malformed("no result".into())),
        }
    }

    /// Checks a signature, reporting every check. `data_digest` is SM3 of the signed data,
    /// or `None` when the data is not available (then `data_hash` is `None` and the result
    /// is not valid).
    pub fn check_signature(
        &self,
        sig: &SealSignature,
        data_digest: Option<&[u8; 32]>,
        now: OffsetDateTime,
    ) -> SealCheck {
        self.run_signature(sig.clone(), data_digest, now).0
    }

    /// Whether `cert` chains to a trust anchor at `at`, directly or through one of the
    /// intermediates; `None` when the verifier has no anchors (not checked).
    pub(crate) fn chain_check(&self, cert: &Certificate, at: OffsetDateTime) -> Option<Result<(), String>> {
        let trust = self.trust.as_ref()?;
        let mut ok = trust.verify_chain(std::slice::from_ref(cert), at);
        for ca in &self.intermediates {
            if ok.is_err() {
                ok = trust.verify_chain(&[cert.clone(), ca.clone()], at);
            }
        }
        Some(match ok {
            Err(e) => Err(e.to_string()),
            // An anchor from a trust list vouches for seals only if its list says so.
            Ok(chain) => match chain.scope() {
                Some(scope) if !scope.allows(crate::trust::list::SEAL_DOC_TYPE) => Err(format!(
                    "{} is on the trust list from {}, but not for seals ({})",
                    chain.anchor().subject(),
                    scope.provider,
                    crate::trust::list::SEAL_DOC_TYPE
                )),
                _ => Ok(()),
            },
        })
    }

    fn run_seal(
        &self,
        seal: Seal,
        used_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> (SealCheck, Option<VerifiedSeal>) {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let mut maker_signature = false;
        let mut maker_trusted = None;
        if seal.algorithm != SM2_WITH_SM3_OID {
            errors.push(SealError::Algorithm(seal.algorithm.clone()));
        }
        // The seal's own validity first: the most telling failure of a seal used late.
        if used_at < seal.valid_start {
            errors.push(SealError::NotYetValid);
        }
        if used_at > seal.valid_end {
            errors.push(SealError::Expired);
        }
        let maker = match sm2_certificate(&seal.maker_cert, "seal maker") {
            Ok(maker) => {
                maker_signature = seal.algorithm == SM2_WITH_SM3_OID
                    && sm2_signature_ok(&maker, &seal.signed_bytes, &seal.signature);
                if !maker_signature {
                    errors.push(SealError::MakerSignatureInvalid);
                }
                // Judged when the seal is used (a signature: its signing time); at the seal's
                // createDate a warning unless strict (docs/decisions/0016).
                if !valid_at(&maker, used_at) {
                    errors.push(SealError::CertificateExpired("seal maker", rfc3339(used_at)));
                }
                if !valid_at(&maker, seal.created) {
                    let at_creation = SealError::MakerCertificateAtCreation(rfc3339(seal.created));
                    if self.strict { errors.push(at_creation) } else { warnings.push(at_creation) }
                }
                if let Some(ok) = self.chain_check(&maker, used_at) {
                    maker_trusted = Some(ok.is_ok());
                    if let Err(why) = ok {
                        errors.push(SealError::MakerUntrusted(why));
                    }
                }
                Some(maker)
            }
            Err(e) => {
                errors.push(e);
                None
            }
        };
        for ext in seal.extensions.iter().filter(|e| e.critical && e.oid != super::STATUS_EXTENSION_OID) {
            errors.push(SealError::UnknownCriticalExtension(ext.oid.clone()));
        }
        let status = self.status(&seal, maker.as_ref(), now, &mut errors);
        let check = SealCheck {
            data_hash: None,
            signature: None,
            maker_signature,
            seal: errors.is_empty(),
            maker_trusted,
            errors,
            warnings,
            time_stamp: None,
        };
        let verified = match (check.is_valid(), maker) {
            (true, Some(maker)) => Some(VerifiedSeal {
                seal,
                maker,
                maker_trusted: maker_trusted == Some(true),
                status,
                warnings: check.warnings.clone(),
            }),
            _ => None,
        };
        (check, verified)
    }

    fn status(
        &self,
        seal: &Seal,
        maker: Option<&Certificate>,
        now: OffsetDateTime,
        errors: &mut Vec<SealError>,
    ) -> Option<Status> {
        let reference = seal.status.as_ref()?;
        let outcome = match &self.lists {
            None => Err("no status list supplied".to_owned()),
            Some(lists) => lists.get(maker, &reference.uri, now).and_then(|list| {
                if let (Some(signer), Some(maker)) = (list.signer(), maker) {
                    let same = match (signer.party(), maker.party()) {
                        (Some(a), Some(b)) => a == b,
                        _ => signer.public_key() == maker.public_key(),
                    };
                    if !same {
                        return Err("the status list is signed by another authority".to_owned());
                    }
                }
                list.list().status(reference.index).map_err(|e| e.to_string())
            }),
        };
        match outcome {
            Ok(Status::Valid) => Some(Status::Valid),
            Ok(Status::Invalid) => {
                errors.push(SealError::Revoked);
                Some(Status::Invalid)
            }
            Ok(Status::Suspended) => {
                errors.push(SealError::Suspended);
                Some(Status::Suspended)
            }
            Ok(other) => {
                if !self.accept_unknown_status {
                    errors.push(SealError::StatusUnknown(format!("status value {}", other.value())));
                }
                Some(other)
            }
            Err(reason) => {
                if !self.accept_unknown_status {
                    errors.push(SealError::StatusUnknown(reason));
                }
                None
            }
        }
    }

    fn run_signature(
        &self,
        sig: SealSignature,
        data_digest: Option<&[u8; 32]>,
        now: OffsetDateTime,
    ) -> (SealCheck, Option<VerifiedSealSignature>) {
        let mut errors = Vec::new();
        let data_hash = data_digest.map(|d| d.as_slice() == sig.data_hash.as_slice());
        match data_hash {
            Some(true) => {}
            Some(false) => errors.push(SealError::DataHashMismatch),
            None => errors.push(SealError::DataHashMismatch),
        }
        if sig.algorithm != SM2_WITH_SM3_OID {
            errors.push(SealError::Algorithm(sig.algorithm.clone()));
        }
        let mut signature = false;
        let signer = match sm2_certificate(&sig.signer_cert, "signer") {
            Ok(cert) => {
                signature = sig.algorithm == SM2_WITH_SM3_OID
                    && sm2_signature_ok(&cert, &sig.signed_bytes, &sig.signature);
                if !signature {
                    errors.push(SealError::SignatureInvalid);
                }
                Some(cert)
            }
            Err(e) => {
                errors.push(e);
                None
            }
        };
        // A time stamp over the signature value: a verified one gives the signing time.
        let time_stamp = sig
            .time_stamp
            .as_deref()
            .map(|token| time_stamp::check(token, &sig.signature, self.tsa.as_ref()));
        let stamped_at =
            time_stamp.as_ref().filter(|c| c.status == TimeStampStatus::Verified).and_then(|c| c.gen_time);
        if let Some(c) = time_stamp.as_ref().filter(|c| c.status == TimeStampStatus::Invalid) {
            errors.push(SealError::TimeStampInvalid(c.problem.clone().unwrap_or_default()));
        }
        // The seal, checked at the signing time (its validity) and now (its status).
        let mut seal_errors = Vec::new();
        let used_at = match stamped_at.or(sig.signed_at) {
            Some(t) => t,
            None => {
                seal_errors.push(SealError::SigningTime);
                now
            }
        };
        let (seal_check, verified_seal) = self.run_seal(sig.seal.clone(), used_at, now);
        seal_errors.extend(seal_check.errors);
        if let Some(e) =
            seal_errors.iter_mut().find(|e| matches!(e, SealError::NotYetValid | SealError::Expired))
        {
            *e = SealError::SignedOutsideValidity(rfc3339(used_at));
        }
        seal_errors.retain(|e| !matches!(e, SealError::NotYetValid | SealError::Expired));
        if !in_cert_list(&sig.seal, &sig.signer_cert) {
            seal_errors.push(SealError::SignerNotInSeal);
        }
        if let Some(cert) = &signer {
            if stamped_at.or(sig.signed_at).is_some() && !valid_at(cert, used_at) {
                seal_errors.push(SealError::CertificateExpired("signer", rfc3339(used_at)));
            }
        }
        let seal_ok = seal_errors.is_empty();
        errors.extend(seal_errors);
        let check = SealCheck {
            data_hash,
            signature: Some(signature),
            maker_signature: seal_check.maker_signature,
            seal: seal_ok,
            maker_trusted: seal_check.maker_trusted,
            errors,
            warnings: seal_check.warnings,
            time_stamp: time_stamp.clone(),
        };
        let verified = match (check.is_valid(), signer, verified_seal) {
            (true, Some(signer), Some(seal)) => {
                Some(VerifiedSealSignature { signature: sig, signer, seal, time_stamp })
            }
            _ => None,
        };
        (check, verified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::Certificate;

    #[test]
    fn signers_match_certificate_lists_and_digest_lists() {
        let seal_der =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/vectors/ses/UserV4.esl"))
                .expect("vector");
        let pem =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/vectors/ses/sign_cert.pem"))
                .expect("vector");
        let mut seal = Seal::from_der(&seal_der).expect("seal");
        let CertList::Certificates(list) = seal.cert_list.clone() else { panic!("certificates expected") };
        let listed = list.first().cloned().expect("one certificate");
        let other = Certificate::from_pem_or_der(&pem).expect("cert").der().to_vec();
        assert!(in_cert_list(&seal, &listed));
        assert_eq!(in_cert_list(&seal, &other), other == listed);
        let sm3 = DigestAlgorithm::Sm3.digest(&listed).to_vec();
        let sha = DigestAlgorithm::Sha256.digest(&listed).to_vec();
        for (kind, value, expected) in [
            ("SM3", sm3.clone(), true),
            ("sm3", sm3.clone(), true),
            ("1.2.156.10197.1.401", sm3.clone(), true),
            ("SHA-256", sha.clone(), true),
            ("SHA-256", sm3.clone(), false),
            ("MD5", sm3.clone(), false),
        ] {
            seal.cert_list = CertList::Digests(vec![(kind.to_owned(), value)]);
            assert_eq!(in_cert_list(&seal, &listed), expected, "{kind}");
        }
        seal.cert_list = CertList::NotCertificates("IA5String \"1\"".into());
        assert!(!in_cert_list(&seal, &listed));
    }
}
