//! Issuing side, for backends that prefer Kotlin or Python: authorities, license issuance,
//! signed status lists.

use std::sync::Arc;

use time::Duration;
use yinxin::crypto::{Algorithm, PublicKey, Signer as _, SoftwareKey};
use yinxin::license::{IssueOptions, LicenseData, LicenseIssuer, StatusReference};
use yinxin::status::{StatusList, StatusListToken, TokenClaims};
use yinxin::trust::{Certificate, CertificateAuthority, CertificateProfile, Party, parse_pem_certificates};

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

/// One entry of a status list to sign.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StatusEntry {
    /// The index.
    pub index: u64,
    /// 0 valid, 1 revoked, 2 suspended.
    pub status: u8,
}

/// A root CA and an issuing authority under it, made in memory.
#[derive(uniffi::Object)]
pub struct Authority {
    root: Certificate,
    issuer_ca: CertificateAuthority<SoftwareKey>,
}

fn algorithm(name: &str) -> Result<Algorithm, YinxinError> {
    name.parse().map_err(YinxinError::config)
}

fn party(code: &str) -> Result<Party, YinxinError> {
    code.parse().map_err(YinxinError::config)
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
        let alg = algorithm(&algorithm_name)?;
        let party = party(&code)?;
        let now = time::OffsetDateTime::now_utc();
        let until = crate::later(now, Duration::days(i64::from(valid_days.max(1))), "valid_days")?;
        let root_key = SoftwareKey::generate(alg).map_err(YinxinError::config)?;
        let root = CertificateAuthority::new_root(
            root_key,
            &format!("{name} 根CA"),
            &party,
            now - Duration::minutes(5),
            until,
            Some(1),
        )
        .map_err(YinxinError::config)?;
        let issuer_key = SoftwareKey::generate(alg).map_err(YinxinError::config)?;
        let issuer_cert = root
            .issue(
                issuer_key.public_key(),
                &name,
                &party,
                CertificateProfile::Ca { path_len: Some(0) },
                now - Duration::minutes(4),
                until - Duration::minutes(1),
            )
            .map_err(YinxinError::config)?;
        let issuer_ca =
            CertificateAuthority::from_parts(issuer_cert, issuer_key).map_err(YinxinError::config)?;
        Ok(Arc::new(Self { root: root.certificate().clone(), issuer_ca }))
    }

    /// The root certificate (PEM): what verifiers trust.
    pub fn root_certificate_pem(&self) -> String {
        self.root.to_pem()
    }

    /// The issuing authority's certificate (PEM).
    pub fn issuer_certificate_pem(&self) -> String {
        self.issuer_ca.certificate().to_pem()
    }

    /// The issuing authority's private key (PKCS#8 PEM), to keep in the backend's secret store.
    pub fn issuer_private_key_pem(&self) -> Result<String, YinxinError> {
        Ok(self.issuer_ca.signer().to_pkcs8_pem().map_err(YinxinError::config)?.to_string())
    }

    /// The license issuer of this authority.
    pub fn issuer(&self) -> Result<Arc<Issuer>, YinxinError> {
        Issuer::from_pem(self.issuer_private_key_pem()?, self.issuer_certificate_pem())
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
        let key = PublicKey::from_pem_or_der(&subject_public_key).map_err(YinxinError::unreadable)?;
        let now = time::OffsetDateTime::now_utc();
        let cert = self
            .issuer_ca
            .issue(
                &key,
                &name,
                &party(&code)?,
                CertificateProfile::EndEntity,
                now - Duration::minutes(3),
                crate::later(now, Duration::days(i64::from(valid_days.max(1))), "valid_days")?
                    .min(self.issuer_ca.certificate().not_after()),
            )
            .map_err(YinxinError::config)?;
        Ok(cert.to_pem())
    }
}

/// An issuing authority's signing side: issues licenses and signs status lists.
#[derive(uniffi::Object)]
pub struct Issuer {
    inner: LicenseIssuer<SoftwareKey>,
    chain: Vec<Certificate>,
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
        let inner = LicenseIssuer::new(key, chain.clone()).map_err(YinxinError::config)?;
        Ok(Arc::new(Self { inner, chain }))
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
        let now = time::OffsetDateTime::now_utc();
        let claims = TokenClaims {
            sub: uri,
            iat: now,
            exp: Some(crate::later(now, Duration::hours(i64::from(valid_hours.max(1))), "valid_hours")?),
            ttl: Some(ttl_seconds),
        };
        StatusListToken::sign(&list, &claims, self.inner.signer(), &self.chain).map_err(YinxinError::config)
    }

    /// The issuer's certificate (PEM).
    pub fn certificate_pem(&self) -> String {
        self.chain.first().map(Certificate::to_pem).unwrap_or_default()
    }
}
