//! Issuing a license: validate the data, salt and digest every element, sign the
//! MobileSecurityObject with the issuing authority's key.

use std::collections::BTreeMap;

use crate::cose::build::{self, Headers};
use time::{OffsetDateTime, Time, UtcOffset};

use super::device_key::to_cose_key;
use super::issuer_signed::{MAX_CREDENTIAL_SIZE, encode, encode_item};
use super::mso::{Mso, ValidityInfo};
use super::{
    ElementValue, IssueError, LicenseData, META_NAMESPACE, StatusReference, doc_type, surface_namespace,
};
use crate::crypto::{DigestAlgorithm, PublicKey, Signer};
use crate::id::LicenseIdentifier;
use crate::trust::{Certificate, Party};

/// Length of each element's random salt (ISO 18013-5 asks for at least 16 bytes).
const SALT_LEN: usize = 16;
/// COSE header label of the certificate chain (RFC 9360).
/// Licenses are dated in China Standard Time.
const CST: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// Options of one issuance.
#[derive(Debug, Clone)]
pub struct IssueOptions {
    /// The issuance time (`validityInfo.signed`); now when `None`.
    pub at: Option<OffsetDateTime>,
    /// The license's entry in a status list.
    pub status: Option<StatusReference>,
    /// Extra surface elements that JSON cannot carry (e.g. `portrait` as JPEG bytes); they
    /// replace elements of the same name.
    pub extra_surface: BTreeMap<String, ElementValue>,
    /// Disclosure sets to pre-sign as compact QR claims (name, element identifiers), e.g. the
    /// `counter_check` set of a business license; stored with the credential under `yinxinQr`.
    pub qr_sets: Vec<(String, Vec<String>)>,
    /// Sign tree claims (`yinxinTree`), with which the holder can show any subset of the
    /// license in a QR code (decision 0017): one more signature per license. On by default.
    pub tree_claims: bool,
}

impl Default for IssueOptions {
    fn default() -> Self {
        Self {
            at: None,
            status: None,
            extra_surface: BTreeMap::new(),
            qr_sets: Vec::new(),
            tree_claims: true,
        }
    }
}

/// A signed license credential.
#[derive(Debug, Clone)]
pub struct IssuedLicense {
    /// The IssuerSigned CBOR: what the holder stores and presents from.
    pub bytes: Vec<u8>,
    /// The license identifier.
    pub identifier: LicenseIdentifier,
    /// The docType.
    pub doc_type: String,
    /// The credential's validityInfo.
    pub validity: ValidityInfo,
    /// What the issuer should know about the credential (it was issued all the same).
    pub warnings: Vec<IssueWarning>,
}

/// Something about an issued credential that differs from what the license data asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IssueWarning {
    /// The credential ends before the license does (or the license is long-term), because a
    /// credential cannot outlive the certificate that signs it: renew the authority's
    /// certificate and re-issue before then.
    ValidityCapped {
        /// The license's valid_until (`None`: long-term).
        license_until: Option<time::Date>,
        /// The end of the credential: the signing certificate's notAfter.
        credential_until: OffsetDateTime,
    },
}

impl IssueWarning {
    /// The stable code, e.g. `license.validity_capped`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ValidityCapped { .. } => "license.validity_capped",
        }
    }
}

impl std::fmt::Display for IssueWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ValidityCapped { license_until, credential_until } => {
                let until = crate::text::rfc3339(*credential_until);
                match license_until {
                    Some(d) => write!(f, "the license is valid until {d}, ")?,
                    None => write!(f, "the license is long-term (长期), ")?,
                }
                write!(
                    f,
                    "but the credential ends {until}, when the issuer certificate expires: \
                     re-issue it under a renewed certificate before then"
                )
            }
        }
    }
}

/// An issuing authority's signing side: its key (behind [`Signer`], so an HSM can hold it) and
/// its certificate chain, leaf first.
pub struct LicenseIssuer<S> {
    signer: S,
    chain: Vec<Certificate>,
}

impl<S> std::fmt::Debug for LicenseIssuer<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LicenseIssuer").field("chain", &self.chain).finish_non_exhaustive()
    }
}

fn random(buf: &mut [u8]) -> Result<(), IssueError> {
    getrandom::fill(buf).map_err(|_| IssueError::Sign(crate::crypto::SignError::Rng))
}

/// A random permutation of 0..n: digest IDs unrelated to the element order.
fn shuffled_ids(n: usize) -> Result<Vec<u64>, IssueError> {
    let mut ids: Vec<u64> = (0..n as u64).collect();
    for i in (1..n).rev() {
        let mut b = [0u8; 8];
        random(&mut b)?;
        let j = usize::try_from(u64::from_le_bytes(b) % (i as u64 + 1)).unwrap_or(0);
        ids.swap(i, j);
    }
    Ok(ids)
}

impl<S: Signer> LicenseIssuer<S> {
    /// Pairs a signer with its certificate chain. The chain's first certificate must hold the
    /// signer's key and name an organisation (its USCC is checked against every license's
    /// issuer_code).
    pub fn new(signer: S, chain: Vec<Certificate>) -> Result<Self, IssueError> {
        let leaf = chain.first().ok_or(IssueError::SignerMismatch)?;
        if leaf.public_key() != signer.public_key() {
            return Err(IssueError::SignerMismatch);
        }
        Ok(Self { signer, chain })
    }

    /// The signing certificate.
    pub fn certificate(&self) -> Option<&Certificate> {
        self.chain.first()
    }

    /// The signer (e.g. to sign the authority's status lists with the same key).
    pub fn signer(&self) -> &S {
        &self.signer
    }

    /// Validates `data`, binds it to `holder_key`, and signs it.
    pub fn issue(
        &self,
        data: &LicenseData,
        holder_key: &PublicKey,
        options: &IssueOptions,
    ) -> Result<IssuedLicense, IssueError> {
        let valid = data.validate()?;
        let leaf = self.chain.first().ok_or(IssueError::SignerMismatch)?;
        match leaf.party() {
            Some(Party::Organization(uscc)) if *uscc == valid.issuer_code => {}
            other => {
                return Err(IssueError::IssuerCertificateMismatch {
                    found: valid.issuer_code.to_string(),
                    expected: other.map_or_else(|| "no USCC".to_owned(), |p| p.code().to_owned()),
                });
            }
        }
        let now = options
            .at
            .unwrap_or_else(OffsetDateTime::now_utc)
            .replace_nanosecond(0)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        if now < leaf.not_before() || now > leaf.not_after() {
            return Err(IssueError::CertificateValidity);
        }
        // A time that has no date in China Standard Time (the last hours of 9999-12-31 UTC)
        // cannot be an issuance time.
        let today = now.checked_to_offset(CST).ok_or(IssueError::CertificateValidity)?.date();
        if valid.valid_until.is_some_and(|until| until < today) {
            return Err(IssueError::AlreadyExpired);
        }
        // Credential validity: from the license's start (or now), to the end of its last day in
        // China Standard Time, within the signing certificate's validity.
        let valid_from = if valid.valid_from > today {
            valid.valid_from.with_time(Time::MIDNIGHT).assume_offset(CST)
        } else {
            now
        };
        let license_end = valid
            .valid_until
            .and_then(|d| d.next_day())
            .map(|d| d.with_time(Time::MIDNIGHT).assume_offset(CST) - time::Duration::seconds(1));
        let valid_until = license_end.map_or(leaf.not_after(), |end| end.min(leaf.not_after()));
        let mut warnings = Vec::new();
        if license_end.is_none_or(|end| end > valid_until) {
            warnings.push(IssueWarning::ValidityCapped {
                license_until: valid.valid_until,
                credential_until: valid_until,
            });
        }
        if valid_until <= valid_from {
            return Err(IssueError::CertificateValidity);
        }

        let doc_type = doc_type(&valid.type_code);
        let mut surface: BTreeMap<String, ElementValue> = data.surface_elements().into_iter().collect();
        surface.extend(options.extra_surface.clone());
        let meta: Vec<(String, ElementValue)> =
            data.meta_elements(&valid).into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let digest = self.signer.algorithm().digest().unwrap_or(DigestAlgorithm::Sha256);
        let meta_for_qr = meta.clone();
        let surface_for_qr: Vec<(String, ElementValue)> =
            surface.iter().map(|(k, v)| (k.clone(), v.clone())).collect();

        // Refuse what no verifier would accept before any work is done on it (a 100 MB
        // portrait, a name of ten million characters).
        let size = meta
            .iter()
            .chain(&surface_for_qr)
            .fold(0usize, |n, (k, v)| n.saturating_add(k.len()).saturating_add(v.size_hint()));
        if size > MAX_CREDENTIAL_SIZE {
            return Err(IssueError::WouldNotVerify(format!(
                "its elements take {size} bytes, more than the {MAX_CREDENTIAL_SIZE} a credential may have"
            )));
        }
        let mut namespaces = Vec::new();
        let mut value_digests = BTreeMap::new();
        for (ns, elements) in [
            (META_NAMESPACE.to_owned(), meta),
            (surface_namespace(&valid.type_code), surface.into_iter().collect()),
        ] {
            let ids = shuffled_ids(elements.len())?;
            let mut items = Vec::with_capacity(elements.len());
            let mut digests = BTreeMap::new();
            for ((name, value), id) in elements.iter().zip(ids) {
                let mut salt = [0u8; SALT_LEN];
                random(&mut salt)?;
                let raw = encode_item(id, &salt, name, value).map_err(IssueError::Encode)?;
                digests.insert(id, std::borrow::Cow::Owned(digest.digest(&raw).to_vec()));
                items.push(raw);
            }
            value_digests.insert(ns.clone(), digests);
            namespaces.push((ns, items));
        }
        let validity = ValidityInfo { signed: now, valid_from, valid_until, expected_update: None };
        let mut qr = Vec::with_capacity(options.qr_sets.len());
        for (name, wanted) in &options.qr_sets {
            let signed = super::compact::sign(
                &self.signer,
                &valid.type_code.to_string(),
                holder_key,
                &validity,
                options.status.as_ref(),
                &meta_for_qr,
                &surface_for_qr,
                wanted,
            )?;
            qr.push((name.clone(), signed));
        }
        let tree = if options.tree_claims {
            let elements = meta_for_qr
                .iter()
                .map(|(name, value)| (super::compact_keys::ElementKind::Meta, name, value))
                .chain(surface_for_qr.iter().map(|(n, v)| (super::compact_keys::ElementKind::Surface, n, v)))
                .map(|(kind, name, value)| super::tree::Element {
                    kind,
                    name: name.clone(),
                    value: value.clone(),
                })
                .collect();
            Some(super::tree::sign(
                &self.signer,
                &valid.type_code.to_string(),
                holder_key,
                &validity,
                options.status.as_ref(),
                elements,
            )?)
        } else {
            None
        };
        let mso = Mso {
            digest_algorithm: digest.mdoc_name().to_owned(),
            value_digests,
            device_key: Some(to_cose_key(holder_key)),
            doc_type: doc_type.clone(),
            validity: ValidityInfo { signed: now, valid_from, valid_until, expected_update: None },
            status: options.status.clone(),
            // The other parts, so that the MSO signature covers them (names included).
            parts: Some(super::mso::Parts {
                qr: qr.iter().map(|(name, raw)| (name.clone(), digest.digest(raw).to_vec())).collect(),
                tree: tree.as_ref().map(|raw| digest.digest(raw).to_vec()),
            }),
        };
        let payload = mso.to_payload().map_err(IssueError::Encode)?;
        let x5chain: Vec<&[u8]> = self.chain.iter().map(Certificate::der).collect();
        let headers = Headers { typ: None, kid: None, x5chain: &x5chain };
        let sign1 = build::sign1(&self.signer, headers, payload)?;
        let bytes = encode(&namespaces, sign1, &qr, tree.as_deref()).map_err(IssueError::Encode)?;
        // Issue only what verifies: the same size limit and the verifier's own parser (its
        // nesting and count limits) over exactly these bytes.
        if bytes.len() > MAX_CREDENTIAL_SIZE {
            return Err(IssueError::WouldNotVerify(format!(
                "{} bytes, more than the {MAX_CREDENTIAL_SIZE} a credential may have",
                bytes.len()
            )));
        }
        super::issuer_signed::parse(&bytes).map_err(|e| IssueError::WouldNotVerify(e.to_string()))?;
        Ok(IssuedLicense { bytes, identifier: valid.identifier, doc_type, validity, warnings })
    }
}
