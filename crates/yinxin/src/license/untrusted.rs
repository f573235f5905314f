//! Reading mdocs **without a trust anchor**, for inspection and for foreign credentials.
//!
//! Nothing here establishes trust: the issuer signature is checked with the key of the
//! certificate the credential itself carries (x5chain), and no chain is validated. Use
//! [`LicenseVerifier`](super::LicenseVerifier) to accept a license.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::issuer_signed::parse_any;
use super::mso::{Mso, ValidityInfo};
use super::verify::{check_digests, check_issuer_signature, check_validity, elements_json, into_elements};
use super::{ElementValue, LicenseError};
use crate::ErrorCode;
use crate::crypto::PublicKey;
use crate::trust::{CertificateError, TrustError};

/// What could be checked of one document without a trust anchor.
#[derive(Debug, Clone)]
pub struct MdocReport {
    /// The MSO's docType (or the DeviceResponse document's, if the MSO could not be read).
    pub doc_type: String,
    /// The issuer signature verifies with the x5chain leaf key.
    pub issuer_signature: bool,
    /// Every element's digest matches the MSO.
    pub digests: bool,
    /// validityInfo, if the MSO could be read.
    pub validity: Option<ValidityInfo>,
    /// Whether `at` falls within validityInfo.
    pub valid_at: bool,
    /// The signer certificate (x5chain leaf), DER; see [`MdocReport::signer`].
    signer_certificate: Option<Vec<u8>>,
    /// The elements, by name space.
    pub elements: BTreeMap<String, BTreeMap<String, ElementValue>>,
    /// The first failure's stable code, if any.
    pub error: Option<&'static str>,
    /// The first failure in words, if any.
    pub message: Option<String>,
    /// The first failure itself (for the wallet, which refuses with it).
    pub(crate) failure: Option<LicenseError>,
}

impl MdocReport {
    /// The signer certificate's subject (RFC 4514 text), formatted on demand.
    pub fn signer(&self) -> Option<String> {
        use der::Decode as _;
        let der = self.signer_certificate.as_deref()?;
        x509_cert::Certificate::from_der(der).ok().map(|c| c.tbs_certificate().subject().to_string())
    }

    /// JSON form: `{"doc_type", "issuer_signature", "digests", "validity", "elements", …}`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut validity = self.validity.map_or(serde_json::Value::Null, |v| v.to_json());
        if let Some(map) = validity.as_object_mut() {
            map.insert("valid_at".into(), self.valid_at.into());
        }
        let mut obj = serde_json::json!({
            "doc_type": self.doc_type,
            "issuer_signature": self.issuer_signature,
            "digests": self.digests,
            "validity": validity,
            "signer": self.signer(),
            "elements": elements_json(&self.elements),
        });
        if let (Some(e), Some(map)) = (self.error, obj.as_object_mut()) {
            map.insert("error".into(), e.into());
            map.insert("message".into(), self.message.clone().into());
        }
        obj
    }
}

/// The x5chain leaf and its public key: no chain or validity is checked here, so the
/// certificate is only decoded (strict DER), not analysed.
fn signer_of(sign1: &crate::cose::sign1::Sign1<'_>) -> Result<(Vec<u8>, PublicKey), LicenseError> {
    use der::{Decode as _, Encode as _};
    let der = sign1.x5chain.first().ok_or_else(|| LicenseError::IssuerAuth("no x5chain".into()))?;
    let malformed = |e: &dyn std::fmt::Display| {
        LicenseError::Chain(TrustError::Certificate {
            index: 0,
            error: CertificateError::Malformed(e.to_string()),
        })
    };
    let cert = x509_cert::Certificate::from_der(der).map_err(|e| malformed(&e))?;
    let spki = cert.tbs_certificate().subject_public_key_info().to_der().map_err(|e| malformed(&e))?;
    let key = PublicKey::from_spki_der(&spki).map_err(|e| malformed(&e))?;
    Ok((der.to_vec(), key))
}

/// Inspects an IssuerSigned or a DeviceResponse: one report per document. Fails only when the
/// input cannot be parsed at all.
pub fn inspect(bytes: &[u8], at: OffsetDateTime) -> Result<Vec<MdocReport>, LicenseError> {
    let docs = parse_any(bytes)?;
    Ok(docs
        .into_iter()
        .map(|doc| {
            let parsed = &doc.issuer_signed;
            let mut report = MdocReport {
                doc_type: doc.doc_type.clone(),
                issuer_signature: false,
                digests: false,
                validity: None,
                valid_at: false,
                signer_certificate: None,
                elements: BTreeMap::new(),
                error: None,
                message: None,
                failure: None,
            };
            let first_error = |e: &LicenseError, r: &mut MdocReport| {
                if r.error.is_none() {
                    r.error = Some(e.code());
                    r.message = Some(e.to_string());
                    r.failure = Some(e.clone());
                }
            };
            match signer_of(&parsed.issuer_auth) {
                Ok((der, key)) => {
                    report.signer_certificate = Some(der);
                    match check_issuer_signature(&parsed.issuer_auth, &key) {
                        Ok(()) => report.issuer_signature = true,
                        Err(e) => first_error(&e, &mut report),
                    }
                }
                Err(e) => first_error(&e, &mut report),
            }
            let mso = Mso::from_payload(parsed.issuer_auth.payload);
            match mso {
                Ok(mso) => {
                    report.doc_type = mso.doc_type.clone();
                    report.validity = Some(mso.validity);
                    report.valid_at =
                        check_validity(&mso.validity, at, super::verify::DEFAULT_CLOCK_SKEW).is_ok();
                    if !doc.doc_type.is_empty() && doc.doc_type != mso.doc_type {
                        first_error(&LicenseError::DocType(doc.doc_type.clone()), &mut report);
                    }
                    match check_digests(parsed, &mso) {
                        Ok(()) => {
                            report.digests = true;
                            report.elements = into_elements(doc.issuer_signed.clone());
                        }
                        Err(e) => first_error(&e, &mut report),
                    }
                    // The pre-signed sets and tree claims, with the key that signed issuerAuth.
                    let holder = mso.device_key.as_ref().and_then(super::device_key::from_cose_key);
                    if let (Ok((_, key)), Some(holder), true) =
                        (signer_of(&parsed.issuer_auth), holder, report.digests)
                    {
                        let parts = super::verify::check_signed_parts(
                            &parsed.qr_sets,
                            parsed.tree,
                            &key,
                            &mso,
                            &holder,
                            &report.elements,
                        );
                        if let Err(e) = parts {
                            first_error(&e, &mut report);
                        }
                    }
                }
                Err(e) => first_error(&e, &mut report),
            }
            report
        })
        .collect())
}
