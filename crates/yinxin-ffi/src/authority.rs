//! Issuing side, for backends that prefer Kotlin or Python: thin wrappers over the core's
//! [`yinxin::authority::AuthoritySetup`] and [`yinxin::Authority`].

use std::sync::Arc;

use time::Duration;
use yinxin::authority::{AuthoritySetup, ListValidity};
use yinxin::crypto::{Algorithm, PublicKey, SoftwareKey};
use yinxin::license::{IssueOptions, LicenseData, StatusReference};
use yinxin::status::StatusList;
use yinxin::trust::{CertificateProfile, Party, parse_pem_certificates};

use crate::{YinxinError, at};

/// A license the issuer made.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct IssuedLicense {
    /// The license identifier (GB/T 36904).
    pub identifier: String,
    /// The docType.
    pub doc_type: String,
    /// The credential (ISO 18013-5 IssuerSigned CBOR) the holder stores.
    pub credential: Vec<u8>,
}

/// An authority a trust list trusts, and what it may issue.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TrustListEntrySpec {
    /// The authority's root (or issuing) certificate, PEM.
    pub certificate_pem: String,
    /// License type codes (GB/T 36904) or document types (`org.iso.18013.5.1.mDL`,
    /// `cn.gov.eseal`).
    pub types: Vec<String>,
}

/// One entry of a status list to sign.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StatusEntry {
    /// The index.
    pub index: u64,
    /// 0 valid, 1 revoked, 2 suspended.
    pub status: u8,
}

fn algorithm(name: &str) -> Result<Algorithm, YinxinError> {
    name.parse().map_err(YinxinError::config)
}

fn party(code: &str) -> Result<Party, YinxinError> {
    code.parse().map_err(YinxinError::config)
}

/// A root CA and an issuing authority under it, made in memory.
#[derive(uniffi::Object)]
pub struct Authority {
    setup: AuthoritySetup,
}

#[uniffi::export]
impl Authority {
    /// Generates a root and an issuing authority (`algorithm`: `ed25519`, `es256` or `sm2`;
    /// `code`: the authority's USCC), valid `valid_days` days.
    #[uniffi::constructor]
    pub fn generate(
        algorithm_name: String,
        name: String,
        code: String,
        valid_days: u32,
    ) -> Result<Arc<Self>, YinxinError> {
        let now = time::OffsetDateTime::now_utc();
        let until = crate::later(now, Duration::days(i64::from(valid_days.max(1))), "valid_days")?;
        let setup = AuthoritySetup::generate(
            algorithm(&algorithm_name)?,
            &name,
            &party(&code)?,
            now - Duration::minutes(5),
            until,
            until,
        )
        .map_err(YinxinError::config)?;
        Ok(Arc::new(Self { setup }))
    }

    /// The root certificate (PEM): what verifiers trust.
    pub fn root_certificate_pem(&self) -> String {
        self.setup.root_certificate().to_pem()
    }

    /// The issuing authority's certificate (PEM).
    pub fn issuer_certificate_pem(&self) -> String {
        self.setup.issuer.certificate().to_pem()
    }

    /// The issuing authority's private key (PKCS#8 PEM), to keep in the backend's secret store.
    pub fn issuer_private_key_pem(&self) -> Result<String, YinxinError> {
        Ok(self.setup.issuer.signer().to_pkcs8_pem().map_err(YinxinError::config)?.to_string())
    }

    /// Signs a trust list as a list operator (with the issuing authority's key and
    /// certificate): `provider` (the operator's name), `region` (GB/T 2260, e.g. `510000`),
    /// an `issue_id` higher than every earlier one, the next issue in `next_update_days`, and
    /// the authorities it trusts. Verifiers configure this authority's root as a list
    /// operator anchor.
    pub fn sign_trust_list(
        &self,
        provider: String,
        region: String,
        issue_id: u64,
        next_update_days: u32,
        entries: Vec<TrustListEntrySpec>,
    ) -> Result<Vec<u8>, YinxinError> {
        use yinxin::trust::list::{TrustList, TrustListEntry, doc_type_of, region_subdivision};
        let now = time::OffsetDateTime::now_utc();
        let next = crate::later(now, Duration::days(i64::from(next_update_days.max(1))), "next_update_days")?;
        let subdivision = region_subdivision(&region).map_err(YinxinError::config)?;
        let mut list = TrustList::new(&provider, issue_id, now, next);
        list.region = Some(region);
        for e in entries {
            let cert = yinxin::trust::Certificate::from_pem_or_der(e.certificate_pem.as_bytes())
                .map_err(YinxinError::unreadable)?;
            let types = e
                .types
                .iter()
                .map(|t| doc_type_of(t))
                .collect::<Result<Vec<_>, _>>()
                .map_err(YinxinError::config)?;
            let mut entry = TrustListEntry::for_certificate(&cert, types);
            entry.state_or_province = Some(subdivision.to_owned());
            list.entries.push(entry);
        }
        let issuer = &self.setup.issuer;
        list.sign(issuer.signer(), std::slice::from_ref(issuer.certificate())).map_err(YinxinError::config)
    }

    /// The license issuer of this authority.
    pub fn issuer(&self) -> Result<Arc<Issuer>, YinxinError> {
        Ok(Arc::new(Issuer { inner: self.setup.authority().map_err(YinxinError::config)? }))
    }

    /// An end-entity certificate (PEM) for `subject_public_key` (SPKI DER or PEM), e.g. a seal
    /// holder's or a seal maker's, valid `valid_days` days.
    pub fn issue_certificate(
        &self,
        subject_public_key: Vec<u8>,
        name: String,
        code: String,
        valid_days: u32,
    ) -> Result<String, YinxinError> {
        let (key, from, until) = self.subject(&subject_public_key, valid_days)?;
        let cert = self
            .setup
            .issuer
            .issue(&key, &name, &party(&code)?, CertificateProfile::EndEntity, from, until)
            .map_err(YinxinError::config)?;
        Ok(cert.to_pem())
    }

    /// A verifier's certificate (a counter, a service system) for `subject_public_key`, stating
    /// the license elements it may request from holders (decision 0019), valid `valid_days`
    /// days; returned as PEM with the issuing authority's certificate after it (the chain a
    /// request carries). Wallets accept it under this authority's root.
    pub fn issue_verifier_certificate(
        &self,
        subject_public_key: Vec<u8>,
        name: String,
        code: String,
        may_request: Vec<String>,
        valid_days: u32,
    ) -> Result<String, YinxinError> {
        let (key, from, until) = self.subject(&subject_public_key, valid_days)?;
        let issuer = &self.setup.issuer;
        let cert = issuer
            .issue_verifier(&key, &name, &party(&code)?, &may_request, from, until)
            .map_err(YinxinError::config)?;
        Ok(format!("{}{}", cert.to_pem(), issuer.certificate().to_pem()))
    }
}

impl Authority {
    /// A subject's key and the validity of a certificate for it: from a few minutes ago (clock
    /// skew) for `valid_days` days, within the issuing authority's own validity.
    fn subject(
        &self,
        subject_public_key: &[u8],
        valid_days: u32,
    ) -> Result<(PublicKey, time::OffsetDateTime, time::OffsetDateTime), YinxinError> {
        let key = PublicKey::from_pem_or_der(subject_public_key).map_err(YinxinError::unreadable)?;
        let now = time::OffsetDateTime::now_utc();
        let until = crate::later(now, Duration::days(i64::from(valid_days.max(1))), "valid_days")?;
        Ok((key, now - Duration::minutes(3), until.min(self.setup.issuer.certificate().not_after())))
    }
}

/// An issuing authority's signing side: issues licenses and signs status lists.
#[derive(uniffi::Object)]
pub struct Issuer {
    inner: yinxin::Authority<SoftwareKey>,
}

#[uniffi::export]
impl Issuer {
    /// An issuer from its private key (PKCS#8 PEM) and certificate chain (PEM, leaf first).
    #[uniffi::constructor]
    pub fn from_pem(
        private_key_pem: String,
        certificate_chain_pem: String,
    ) -> Result<Arc<Self>, YinxinError> {
        let key =
            SoftwareKey::from_pem_or_der(private_key_pem.as_bytes()).map_err(YinxinError::unreadable)?;
        let chain =
            parse_pem_certificates(certificate_chain_pem.as_bytes()).map_err(YinxinError::unreadable)?;
        Ok(Arc::new(Self { inner: yinxin::Authority::new(key, chain).map_err(YinxinError::config)? }))
    }

    /// Issues a license: `license_json` in the GB/T 36903 model (as the reference fixtures),
    /// bound to `holder_public_key` (SPKI DER or PEM, e.g. `Wallet::holder_public_key`), with a
    /// status list entry when given, issued at `at_unix` (default now). The license's
    /// disclosure sets are pre-signed for small QR codes.
    pub fn issue(
        &self,
        license_json: String,
        holder_public_key: Vec<u8>,
        status_uri: Option<String>,
        status_index: Option<u64>,
        at_unix: Option<i64>,
    ) -> Result<IssuedLicense, YinxinError> {
        let data = LicenseData::from_json(license_json.as_bytes()).map_err(YinxinError::unreadable)?;
        let holder = PublicKey::from_pem_or_der(&holder_public_key).map_err(YinxinError::unreadable)?;
        let status = match (status_uri, status_index) {
            (Some(uri), Some(index)) => Some(StatusReference { uri, index }),
            (None, None) => None,
            _ => {
                return Err(YinxinError::config_text(
                    "ffi.status",
                    "give both status_uri and status_index, or neither",
                ));
            }
        };
        let options = IssueOptions {
            at: at_unix.map(|s| at(Some(s))).transpose()?,
            status,
            qr_sets: data.qr_sets(),
            ..IssueOptions::default()
        };
        let issued = self.inner.issue(&data, &holder, &options).map_err(YinxinError::invalid)?;
        Ok(IssuedLicense {
            identifier: issued.identifier.to_string(),
            doc_type: issued.doc_type,
            credential: issued.bytes,
        })
    }

    /// Signs a status list (IETF Token Status List CWT, 2 bits per entry) of `size` entries
    /// under `uri`, with the given non-valid entries; verifiers may cache it `ttl_seconds` and
    /// it expires after `valid_hours`.
    pub fn sign_status_list(
        &self,
        uri: String,
        size: u64,
        entries: Vec<StatusEntry>,
        ttl_seconds: u64,
        valid_hours: u32,
    ) -> Result<Vec<u8>, YinxinError> {
        let mut list = StatusList::new(2, size).map_err(YinxinError::config)?;
        for e in &entries {
            list.set(e.index, e.status).map_err(YinxinError::config)?;
        }
        let validity = ListValidity {
            ttl: Duration::seconds(i64::try_from(ttl_seconds).unwrap_or(i64::MAX)),
            valid_for: Duration::hours(i64::from(valid_hours.max(1))),
        };
        let now = time::OffsetDateTime::now_utc();
        Ok(self.inner.sign_status_list(&uri, &list, validity, now).map_err(YinxinError::config)?.token)
    }

    /// The issuer's certificate (PEM).
    pub fn certificate_pem(&self) -> String {
        self.inner.certificate().to_pem()
    }
}
