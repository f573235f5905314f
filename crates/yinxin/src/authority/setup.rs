//! A new authority's keys and certificates: a root CA and an issuing authority under it, as
//! `yinxin authority init`, the demo, the bindings' `Authority::generate` and the test kit make
//! them. Real deployments get their certificates from their PKI; this is for a first run, a
//! pilot, a test.

use time::OffsetDateTime;

use super::Authority;
use crate::ErrorCode;
use crate::crypto::{Algorithm, KeyError, Signer as _, SoftwareKey};
use crate::license::IssueError;
use crate::trust::{Certificate, CertificateAuthority, CertificateProfile, IssueCertificateError, Party};

/// A root CA and the issuing authority it certified (a CA of path length 0, which signs
/// licenses and status lists, and may certify seal makers and holders).
pub struct AuthoritySetup {
    /// The root: what verifiers trust.
    pub root: CertificateAuthority<SoftwareKey>,
    /// The issuing authority.
    pub issuer: CertificateAuthority<SoftwareKey>,
}

/// Why a setup could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// An issuing authority is named by its USCC, not a resident ID number.
    #[error("an issuing authority is named by its USCC")]
    NotAnOrganization,
    /// The validity period is empty or inverted.
    #[error("the validity period ends before it starts")]
    Validity,
    /// A key could not be generated.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A certificate could not be made.
    #[error(transparent)]
    Certificate(#[from] IssueCertificateError),
    /// The issuing authority could not be made from its key and certificate.
    #[error(transparent)]
    Issuer(#[from] IssueError),
}

impl ErrorCode for SetupError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotAnOrganization => "authority.not_an_organization",
            Self::Validity => "authority.validity",
            Self::Key(e) => e.code(),
            Self::Certificate(e) => e.code(),
            Self::Issuer(e) => e.code(),
        }
    }
}

impl AuthoritySetup {
    /// New keys of `alg` for a root (`<name> 根CA`, path length 1) valid from `from` to
    /// `root_until`, and the issuing authority `name` valid from `from` to `issuer_until` (at
    /// most the root's end), both naming `code` (the authority's USCC).
    pub fn generate(
        alg: Algorithm,
        name: &str,
        code: &Party,
        from: OffsetDateTime,
        root_until: OffsetDateTime,
        issuer_until: OffsetDateTime,
    ) -> Result<Self, SetupError> {
        if code.uscc().is_none() {
            return Err(SetupError::NotAnOrganization);
        }
        // Certificates hold whole seconds: the issuer's period must fit the root's as written.
        let whole = |t: OffsetDateTime| t.replace_nanosecond(0).unwrap_or(t);
        let (from, root_until) = (whole(from), whole(root_until));
        let issuer_until = whole(issuer_until).min(root_until);
        if issuer_until <= from {
            return Err(SetupError::Validity);
        }
        let root = CertificateAuthority::new_root(
            SoftwareKey::generate(alg)?,
            &format!("{name} 根CA"),
            code,
            from,
            root_until,
            Some(1),
        )?;
        let issuer_key = SoftwareKey::generate(alg)?;
        let issuer_cert = root.issue(
            issuer_key.public_key(),
            name,
            code,
            CertificateProfile::Ca { path_len: Some(0) },
            from,
            issuer_until,
        )?;
        let issuer = CertificateAuthority::from_parts(issuer_cert, issuer_key)?;
        Ok(Self { root, issuer })
    }

    /// The root certificate.
    pub fn root_certificate(&self) -> &Certificate {
        self.root.certificate()
    }

    /// The license-issuing side of this setup (its own copy of the issuing key).
    pub fn authority(&self) -> Result<Authority<SoftwareKey>, SetupError> {
        let der = self.issuer.signer().to_pkcs8_der()?;
        let key = SoftwareKey::from_pkcs8_der(&der)?;
        Ok(Authority::new(key, vec![self.issuer.certificate().clone()])?)
    }
}
