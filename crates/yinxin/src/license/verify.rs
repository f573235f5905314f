//! Verifying a license credential: every check, in order, none skipped.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::device_key::from_cose_key;
use super::issuer_signed::{IssuerSigned, parse};
use super::mso::{Mso, ValidityInfo};
use super::{ElementValue, LicenseError, META_NAMESPACE, StatusReference};
use crate::cose::sign1::Sign1;
use crate::crypto::{PublicKey, Verifier as _};
use crate::status::{Status, StatusListCache, StatusOutcome};
use crate::trust::{Certificate, Party, TrustStore, VerifiedChain};

/// A license credential that passed every check of [`LicenseVerifier::verify`]. Only the
/// verifier can make one.
#[derive(Debug, Clone)]
pub struct VerifiedLicense {
    doc_type: String,
    elements: BTreeMap<String, BTreeMap<String, ElementValue>>,
    holder_key: PublicKey,
    chain: VerifiedChain,
    validity: ValidityInfo,
    status: Option<StatusReference>,
    status_checked: Option<StatusOutcome>,
}

impl VerifiedLicense {
    /// A license whose checks passed (status not yet applied).
    pub(crate) fn new(
        doc_type: String,
        elements: BTreeMap<String, BTreeMap<String, ElementValue>>,
        holder_key: PublicKey,
        chain: VerifiedChain,
        validity: ValidityInfo,
        status: Option<StatusReference>,
    ) -> Self {
        Self { doc_type, elements, holder_key, chain, validity, status, status_checked: None }
    }

    /// What the status check found, when the license was verified with status
    /// ([`LicenseVerifier::verify_with_status`]): `Known(Valid)`, `NoReference` for a license
    /// that names no status list, or `Unknown` when the verifier accepts unknown status.
    pub fn status_outcome(&self) -> Option<&StatusOutcome> {
        self.status_checked.as_ref()
    }

    /// The docType (`cn.gov.elicense.<license type code>`).
    pub fn doc_type(&self) -> &str {
        &self.doc_type
    }

    /// The elements, by name space then element identifier.
    pub fn elements(&self) -> &BTreeMap<String, BTreeMap<String, ElementValue>> {
        &self.elements
    }

    /// One element.
    pub fn element(&self, namespace: &str, id: &str) -> Option<&ElementValue> {
        self.elements.get(namespace).and_then(|m| m.get(id))
    }

    /// A metadata element (name space `cn.gov.elicense.meta.1`).
    pub fn meta(&self, id: &str) -> Option<&ElementValue> {
        self.element(META_NAMESPACE, id)
    }

    /// The holder's key (deviceKeyInfo), which presentations must be signed with.
    pub fn holder_key(&self) -> &PublicKey {
        &self.holder_key
    }

    /// The issuer's validated certificate chain.
    pub fn chain(&self) -> &VerifiedChain {
        &self.chain
    }

    /// validityInfo.
    pub fn validity(&self) -> &ValidityInfo {
        &self.validity
    }

    /// The status reference, if the credential carries one.
    pub fn status(&self) -> Option<&StatusReference> {
        self.status.as_ref()
    }

    /// The elements as JSON: `{"<name space>": {"<id>": value}}`.
    pub fn elements_json(&self) -> serde_json::Value {
        elements_json(&self.elements)
    }
}

pub(crate) fn elements_json(
    elements: &BTreeMap<String, BTreeMap<String, ElementValue>>,
) -> serde_json::Value {
    serde_json::Value::Object(
        elements
            .iter()
            .map(|(ns, items)| {
                (
                    ns.clone(),
                    serde_json::Value::Object(items.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
                )
            })
            .collect(),
    )
}

/// Verifies yinxin license credentials against a trust store (whose policy also decides the
/// accepted algorithms).
#[derive(Debug, Clone)]
pub struct LicenseVerifier {
    trust: TrustStore,
    clock_skew: time::Duration,
    accept_unknown_status: bool,
}

/// How far the verifier's clock may lag behind the issuer's by default: a credential signed up
/// to five minutes "in the future" is accepted; expiry gets no such grace.
pub const DEFAULT_CLOCK_SKEW: time::Duration = time::Duration::minutes(5);

/// The certificates of the x5chain header (protected or unprotected), through the trust
/// store's parse cache when there is one.
pub(crate) fn x5chain(
    sign1: &Sign1<'_>,
    trust: Option<&TrustStore>,
) -> Result<Vec<Certificate>, LicenseError> {
    if sign1.x5chain.is_empty() {
        return Err(LicenseError::IssuerAuth("no x5chain".into()));
    }
    crate::trust::certificates_of(&sign1.x5chain, trust).map_err(LicenseError::Chain)
}

/// Checks issuerAuth's signature with `key`, after checking that the header algorithm is the
/// key's.
pub(crate) fn check_issuer_signature(sign1: &Sign1<'_>, key: &PublicKey) -> Result<(), LicenseError> {
    let alg = sign1.algorithm()?;
    if alg != key.algorithm() {
        return Err(LicenseError::AlgorithmMismatch { header: alg, key: key.algorithm() });
    }
    key.verify(&sign1.sig_structure()?, sign1.signature).map_err(|_| LicenseError::SignatureInvalid)
}

/// ISO 18013-5 §9.1.2.5: the random value of each item is at least 16 bytes.
const MIN_SALT: usize = 16;

/// Checks that every item's salt is long enough and its digest is the signed one.
pub(crate) fn check_digests(parsed: &IssuerSigned<'_>, mso: &Mso) -> Result<(), LicenseError> {
    let digest = mso.digest()?;
    for (ns, items) in &parsed.namespaces {
        let signed = mso.value_digests.get(ns);
        for item in items {
            if item.random_len < MIN_SALT {
                return Err(LicenseError::Malformed(format!(
                    "{ns}/{}: salt shorter than {MIN_SALT} bytes",
                    item.element
                )));
            }
            let expected = signed.and_then(|d| d.get(&item.digest_id)).ok_or_else(|| {
                LicenseError::DigestMissing { namespace: ns.clone(), element: item.element.clone() }
            })?;
            if digest.digest(item.raw).as_slice() != expected.as_ref() {
                return Err(LicenseError::DigestMismatch {
                    namespace: ns.clone(),
                    element: item.element.clone(),
                });
            }
        }
    }
    Ok(())
}

/// The elements of a parsed credential, by name space then identifier (consumes the parse).
pub(crate) fn into_elements(parsed: IssuerSigned<'_>) -> BTreeMap<String, BTreeMap<String, ElementValue>> {
    parsed
        .namespaces
        .into_iter()
        .map(|(ns, items)| (ns, items.into_iter().map(|i| (i.element, i.value)).collect()))
        .collect()
}

/// A stored license carries every element the issuer signed: each signed digest ID has its
/// item (so nothing was stripped from the credential).
fn check_complete(parsed: &IssuerSigned<'_>, mso: &Mso) -> Result<(), LicenseError> {
    for (ns, ids) in &mso.value_digests {
        let items =
            parsed.namespaces.iter().find(|(n, _)| n == ns).map(|(_, items)| items.as_slice()).unwrap_or(&[]);
        if let Some(id) = ids.keys().find(|id| !items.iter().any(|i| i.digest_id == **id)) {
            return Err(LicenseError::ElementMissing { namespace: ns.clone(), digest_id: *id });
        }
    }
    Ok(())
}

/// validityInfo against the verification time, allowing `skew` for the start only.
pub(crate) fn check_validity(
    validity: &ValidityInfo,
    at: OffsetDateTime,
    skew: time::Duration,
) -> Result<(), LicenseError> {
    // Saturating: a verification time at the end of the representable range is late enough.
    let late = at.saturating_add(skew);
    if late < validity.valid_from || late < validity.signed {
        return Err(LicenseError::NotYetValid);
    }
    if at > validity.valid_until {
        return Err(LicenseError::Expired);
    }
    Ok(())
}

impl LicenseVerifier {
    /// A verifier trusting `trust`'s anchors under `trust`'s algorithm policy.
    pub fn new(trust: TrustStore) -> Self {
        Self { trust, clock_skew: DEFAULT_CLOCK_SKEW, accept_unknown_status: false }
    }

    /// The same verifier with another tolerance for a clock that lags the issuer's
    /// (default [`DEFAULT_CLOCK_SKEW`]).
    pub fn with_clock_skew(mut self, skew: time::Duration) -> Self {
        self.clock_skew = skew.abs();
        self
    }

    /// The same verifier accepting (`true`) or rejecting (`false`, the default) credentials
    /// whose status cannot be established.
    pub fn with_unknown_status_accepted(mut self, accept: bool) -> Self {
        self.accept_unknown_status = accept;
        self
    }

    /// Verifies like [`LicenseVerifier::verify`], then checks the credential's entry in its
    /// status list, taken from `lists` (verified Status List Tokens by URI). Revoked and
    /// suspended credentials are refused with their own codes; a credential that names a status
    /// list whose status cannot be established (no list, a list past `exp` or `ttl`, a list
    /// signed by another authority than the credential, an index outside the list) is refused
    /// as `license.status_unknown` unless unknown status is accepted. A credential that names
    /// no status list has nothing to check: it verifies with [`StatusOutcome::NoReference`].
    pub fn verify_with_status(
        &self,
        credential: &[u8],
        at: OffsetDateTime,
        lists: &StatusListCache,
    ) -> Result<VerifiedLicense, LicenseError> {
        let verified = self.verify(credential, at)?;
        self.apply_status(verified, at, lists)
    }

    /// The status check of [`LicenseVerifier::verify_with_status`] on an already verified
    /// license (or the disclosed part of one).
    pub(crate) fn apply_status(
        &self,
        mut verified: VerifiedLicense,
        at: OffsetDateTime,
        lists: &StatusListCache,
    ) -> Result<VerifiedLicense, LicenseError> {
        let outcome = self.status_of(&verified, at, lists);
        match &outcome {
            StatusOutcome::Known(Status::Valid) => {}
            StatusOutcome::Known(Status::Invalid) => return Err(LicenseError::Revoked),
            StatusOutcome::Known(Status::Suspended) => return Err(LicenseError::Suspended),
            StatusOutcome::Known(Status::Other(v)) if !self.accept_unknown_status => {
                return Err(LicenseError::StatusUnknown(format!("status value {v}")));
            }
            StatusOutcome::Unknown(reason) if !self.accept_unknown_status => {
                return Err(LicenseError::StatusUnknown(reason.clone()));
            }
            _ => {}
        }
        verified.status_checked = Some(outcome);
        Ok(verified)
    }

    fn status_of(
        &self,
        license: &VerifiedLicense,
        at: OffsetDateTime,
        lists: &StatusListCache,
    ) -> StatusOutcome {
        let Some(reference) = license.status() else {
            return StatusOutcome::NoReference;
        };
        let list = match lists.get(Some(license.chain().leaf()), &reference.uri, at) {
            Ok(l) => l,
            Err(reason) => return StatusOutcome::Unknown(reason),
        };
        if let Some(signer) = list.signer() {
            if signer.party() != license.chain().leaf().party() {
                return StatusOutcome::Unknown("the status list is signed by another authority".into());
            }
        }
        match list.list().status(reference.index) {
            Ok(s) => StatusOutcome::Known(s),
            Err(e) => StatusOutcome::Unknown(e.to_string()),
        }
    }

    /// Verifies compact QR claims (a COSE_Sign1 naming the issuer key by id): the issuer
    /// certificate must be known to the trust store (see [`TrustStore::add_issuer`]) and is
    /// validated at `at`; then the same checks as for a credential: algorithm and policy,
    /// signature, docType, issuer code against the certificate, holder key, validity.
    pub(crate) fn verify_compact(
        &self,
        raw: &[u8],
        at: OffsetDateTime,
    ) -> Result<VerifiedLicense, LicenseError> {
        let sign1 = crate::cose::sign1::parse(raw)?;
        let alg = sign1.algorithm()?;
        if !self.trust.policy().allows(alg) {
            return Err(LicenseError::AlgorithmNotAllowed(alg));
        }
        let kid: [u8; 8] = sign1
            .kid
            .and_then(|k| k.try_into().ok())
            .ok_or_else(|| LicenseError::IssuerAuth("no key id".into()))?;
        let kid = crate::crypto::KeyId::from_bytes(kid);
        let cert = self.trust.issuer_by_key_id(&kid).ok_or(LicenseError::IssuerKeyUnknown(kid))?;
        let chain = self.trust.verify_chain(std::slice::from_ref(&cert), at).map_err(LicenseError::Chain)?;
        check_issuer_signature(&sign1, chain.leaf().public_key())?;
        let claims = super::compact::decode(sign1.payload, super::DOC_TYPE_PREFIX)?;
        let doc_type = format!("{}{}", super::DOC_TYPE_PREFIX, claims.type_code);
        check_doc_type(&doc_type, &claims.elements)?;
        check_scope(&chain, &doc_type)?;
        check_issuer_code(&claims.elements, chain.leaf())?;
        check_validity(&claims.validity, at, self.clock_skew)?;
        Ok(VerifiedLicense {
            doc_type,
            elements: claims.elements,
            holder_key: claims.holder_key,
            chain,
            validity: claims.validity,
            status: claims.status,
            status_checked: None,
        })
    }

    /// How far ahead of this verifier's clock an issuer's may be.
    pub(crate) fn clock_skew(&self) -> time::Duration {
        self.clock_skew
    }

    /// The trust store.
    pub fn trust(&self) -> &TrustStore {
        &self.trust
    }

    /// Verifies an IssuerSigned credential at time `at`: the COSE algorithm (known, allowed by
    /// policy, the certificate key's), the certificate chain to a trust anchor at `at`, the
    /// issuer signature over the exact signed bytes, the digest algorithm (allowed by policy),
    /// every element's digest, that no signed element is missing, the docType against the name spaces and license_type_code,
    /// issuer_code and the license identifier's issuer against the certificate's USCC, the
    /// holder key, and validityInfo at `at`.
    pub fn verify(&self, credential: &[u8], at: OffsetDateTime) -> Result<VerifiedLicense, LicenseError> {
        let parsed = parse(credential)?;
        self.verify_parsed(parsed, at)
    }

    /// Verifies a credential that may disclose only some of its elements (a presentation):
    /// every check of [`LicenseVerifier::verify`] except completeness.
    pub(crate) fn verify_disclosed(
        &self,
        parsed: IssuerSigned<'_>,
        at: OffsetDateTime,
    ) -> Result<VerifiedLicense, LicenseError> {
        self.verify_inner(parsed, at, false)
    }

    pub(crate) fn verify_parsed(
        &self,
        parsed: IssuerSigned<'_>,
        at: OffsetDateTime,
    ) -> Result<VerifiedLicense, LicenseError> {
        self.verify_inner(parsed, at, true)
    }

    fn verify_inner(
        &self,
        parsed: IssuerSigned<'_>,
        at: OffsetDateTime,
        complete: bool,
    ) -> Result<VerifiedLicense, LicenseError> {
        let sign1 = &parsed.issuer_auth;
        let alg = sign1.algorithm()?;
        if !self.trust.policy().allows(alg) {
            return Err(LicenseError::AlgorithmNotAllowed(alg));
        }
        let chain =
            self.trust.verify_chain(&x5chain(sign1, Some(&self.trust))?, at).map_err(LicenseError::Chain)?;
        check_issuer_signature(sign1, chain.leaf().public_key())?;
        let payload = sign1.payload;
        let mso = Mso::from_payload(payload)?;
        let digest = mso.digest()?;
        if !self.trust.policy().allows_digest(digest) {
            return Err(digest.into());
        }
        check_digests(&parsed, &mso)?;
        if complete {
            check_complete(&parsed, &mso)?;
        }
        let qr_sets = parsed.qr_sets.clone();
        let tree = parsed.tree;
        let elements = into_elements(parsed);
        check_doc_type(&mso.doc_type, &elements)?;
        check_scope(&chain, &mso.doc_type)?;
        check_issuer_code(&elements, chain.leaf())?;
        let holder_key = mso.device_key.as_ref().and_then(from_cose_key).ok_or(LicenseError::DeviceKey)?;
        check_validity(&mso.validity, at, self.clock_skew)?;
        if complete {
            check_signed_parts(&qr_sets, tree, chain.leaf().public_key(), &mso, &holder_key, &elements)?;
        }
        Ok(VerifiedLicense {
            doc_type: mso.doc_type,
            elements,
            holder_key,
            chain,
            validity: mso.validity,
            status: mso.status,
            status_checked: None,
        })
    }
}

/// Every part of a license file the issuer signed besides issuerAuth must hold too, with the
/// issuer's `key`: each pre-signed QR set and the tree claims, against the license's own
/// elements, holder key, validity and status. One bad part, one bad file.
pub(crate) fn check_signed_parts(
    qr_sets: &[(String, &[u8])],
    tree: Option<&[u8]>,
    key: &PublicKey,
    mso: &Mso<'_>,
    holder_key: &PublicKey,
    elements: &BTreeMap<String, BTreeMap<String, ElementValue>>,
) -> Result<(), LicenseError> {
    // The parts the MSO names (its signature covers their digests and names) are exactly
    // those of the file: none added, renamed, changed or left out. A license issued before
    // parts were named in the MSO has its parts checked below only.
    if let Some(named) = &mso.parts {
        let digest = mso.digest()?;
        for (name, raw) in qr_sets {
            if !named.qr.iter().any(|(n, d)| n == name && *d == digest.digest(raw)) {
                return Err(LicenseError::QrSetInvalid {
                    set: name.clone(),
                    reason: "it is not a set the license's MSO names, with these bytes".into(),
                });
            }
        }
        if let Some((name, _)) = named.qr.iter().find(|(n, _)| !qr_sets.iter().any(|(s, _)| s == n)) {
            return Err(LicenseError::QrSetInvalid {
                set: name.clone(),
                reason: "it is missing from the file".into(),
            });
        }
        match (tree, &named.tree) {
            (None, None) => {}
            (Some(raw), Some(d)) if *d == digest.digest(raw) => {}
            (None, Some(_)) => return Err(LicenseError::TreeInvalid("missing from the file".into())),
            _ => return Err(LicenseError::TreeInvalid("not the tree claims the license's MSO names".into())),
        }
    }
    let type_code = mso.doc_type.strip_prefix(super::DOC_TYPE_PREFIX).unwrap_or_default();
    let expected = super::tree::Header {
        type_code: type_code.to_owned(),
        holder_key: holder_key.clone(),
        validity: mso.validity,
        status: mso.status.clone(),
        leaves: 0,
    };
    for (name, raw) in qr_sets {
        super::compact::check_stored(raw, key, elements, &expected)
            .map_err(|reason| LicenseError::QrSetInvalid { set: name.clone(), reason })?;
    }
    if let Some(raw) = tree {
        super::tree::verify::check_stored(&super::tree::parse_stored(raw)?, key, elements, &expected)?;
    }
    Ok(())
}

/// An issuer trusted through a trust list must be listed for the license's docType.
pub(crate) fn check_scope(chain: &VerifiedChain, doc_type: &str) -> Result<(), LicenseError> {
    match chain.scope() {
        Some(scope) if !scope.allows(doc_type) => Err(LicenseError::TypeNotAllowed {
            doc_type: doc_type.to_owned(),
            authority: chain.anchor().subject().to_owned(),
            provider: scope.provider.clone(),
            allowed: scope.doc_types.clone(),
        }),
        _ => Ok(()),
    }
}

/// The docType must be `cn.gov.elicense.<type code>`, the name spaces the metadata one and
/// `<docType>.1`, and license_type_code (when disclosed) the docType's.
pub(crate) fn check_doc_type(
    doc_type: &str,
    elements: &BTreeMap<String, BTreeMap<String, ElementValue>>,
) -> Result<(), LicenseError> {
    let bad = || LicenseError::DocType(doc_type.to_owned());
    let type_code = doc_type.strip_prefix(super::DOC_TYPE_PREFIX).ok_or_else(bad)?;
    crate::id::LicenseTypeCode::parse(type_code).map_err(|_| bad())?;
    let surface = format!("{doc_type}.1");
    if elements.keys().any(|ns| ns != META_NAMESPACE && *ns != surface) {
        return Err(bad());
    }
    if let Some(v) = elements.get(META_NAMESPACE).and_then(|m| m.get("license_type_code")) {
        if v.as_text() != Some(type_code) {
            return Err(bad());
        }
    }
    Ok(())
}

/// issuer_code and the license identifier's issuer (those disclosed) must be the USCC the
/// signing certificate names; a certificate naming no organisation is refused.
pub(crate) fn check_issuer_code(
    elements: &BTreeMap<String, BTreeMap<String, ElementValue>>,
    leaf: &Certificate,
) -> Result<(), LicenseError> {
    let Some(Party::Organization(uscc)) = leaf.party() else {
        return Err(LicenseError::IssuerUnidentified);
    };
    let meta = elements.get(META_NAMESPACE);
    let mismatch = |found: &str| LicenseError::IssuerCodeMismatch {
        found: found.to_owned(),
        expected: uscc.to_string(),
    };
    if let Some(v) = meta.and_then(|m| m.get("issuer_code")) {
        let code = v.as_text().unwrap_or_default();
        if code != uscc.as_str() {
            return Err(mismatch(code));
        }
    }
    if let Some(v) = meta.and_then(|m| m.get("license_identifier")) {
        let text = v.as_text().unwrap_or_default();
        match crate::id::LicenseIdentifier::parse(text) {
            Ok(id) if id.issuer() == uscc => {}
            Ok(id) => return Err(mismatch(id.issuer().as_str())),
            Err(_) => return Err(LicenseError::Malformed("license_identifier".into())),
        }
    }
    Ok(())
}
