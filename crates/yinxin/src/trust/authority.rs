//! Creating certificates: roots, issuing authorities and end-entity signing certificates.
//!
//! x509-cert's builder assembles the certificate; the signature comes from a
//! [`Signer`](crate::crypto::Signer), in DER form (`SEQUENCE {r, s}` for ECDSA and SM2, which is
//! what X.509 requires; x509-cert's own signing path would put raw `r ‖ s` there for SM2).

use std::time::Duration;

use der::asn1::{BitString, OctetString, PrintableStringRef, Utf8StringRef};
use der::{Decode as _, Encode as _};
use spki::{
    AlgorithmIdentifierOwned, DynSignatureAlgorithmIdentifier, EncodePublicKey, SubjectPublicKeyInfoOwned,
};
use time::OffsetDateTime;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder as _, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use super::{Certificate, IssueCertificateError, Party};
use crate::crypto::{DigestAlgorithm, PublicKey, Signer};

/// What a certificate may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateProfile {
    /// A CA certificate (root or issuing authority): keyCertSign and cRLSign, with an optional
    /// path length constraint.
    Ca {
        /// How many CA certificates may follow below this one.
        path_len: Option<u8>,
    },
    /// An end-entity signing certificate (a document signer, a seal holder): digitalSignature
    /// and nonRepudiation, not a CA.
    EndEntity,
}

/// A certificate together with the signer of its key: what issues certificates.
pub struct CertificateAuthority<S> {
    certificate: Certificate,
    signer: S,
}

impl<S> std::fmt::Debug for CertificateAuthority<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateAuthority").field("certificate", &self.certificate).finish_non_exhaustive()
    }
}

fn encode_err(e: impl std::fmt::Display) -> IssueCertificateError {
    IssueCertificateError::Encode(e.to_string())
}

/// `C=CN, O=<name>, CN=<name>, organizationIdentifier=NTRCN-<USCC>` for an organisation;
/// `C=CN, CN=<name>, serialNumber=IDCCN-<ID>` for a person.
fn subject_name(name: &str, party: &Party) -> Result<Name, IssueCertificateError> {
    let utf8 = |s: &str| Utf8StringRef::new(s).and_then(|v| der::Any::encode_from(&v)).map_err(encode_err);
    let printable =
        |s: &str| PrintableStringRef::new(s).and_then(|v| der::Any::encode_from(&v)).map_err(encode_err);
    let attr = |oid: &str, value: der::Any| -> Result<RelativeDistinguishedName, IssueCertificateError> {
        let oid = der::asn1::ObjectIdentifier::new(oid).map_err(encode_err)?;
        RelativeDistinguishedName::try_from(vec![AttributeTypeAndValue { oid, value }]).map_err(encode_err)
    };
    let mut rdns = vec![attr("2.5.4.6", printable("CN")?)?];
    match party {
        Party::Organization(_) => {
            rdns.push(attr("2.5.4.10", utf8(name)?)?);
            rdns.push(attr("2.5.4.3", utf8(name)?)?);
            rdns.push(attr("2.5.4.97", utf8(&party.subject_identifier())?)?);
        }
        Party::Person(_) => {
            rdns.push(attr("2.5.4.3", utf8(name)?)?);
            rdns.push(attr("2.5.4.5", printable(&party.subject_identifier())?)?);
        }
    }
    let der = RdnSequence::from(rdns).to_der().map_err(encode_err)?;
    Name::from_der(&der).map_err(encode_err)
}

fn x509_time(t: OffsetDateTime) -> Result<Time, IssueCertificateError> {
    let secs = u64::try_from(t.unix_timestamp())
        .map_err(|_| IssueCertificateError::Validity("times before 1970 are not supported".into()))?;
    let dt = der::DateTime::from_unix_duration(Duration::from_secs(secs)).map_err(encode_err)?;
    Ok(Time::from(dt))
}

fn key_identifier(spki_der: &[u8]) -> Vec<u8> {
    DigestAlgorithm::Sha256.digest(spki_der).get(..20).unwrap_or_default().to_vec()
}

/// The extensions and names of one certificate.
struct Profile {
    subject: Name,
    issuer: Option<Name>,
    kind: CertificateProfile,
    extra: Vec<Extension>,
}

fn extension(
    oid: der::asn1::ObjectIdentifier,
    critical: bool,
    value: &impl der::Encode,
) -> x509_cert::builder::Result<Extension> {
    Ok(Extension { extn_id: oid, critical, extn_value: OctetString::new(value.to_der()?)? })
}

impl BuilderProfile for Profile {
    fn get_issuer(&self, subject: &Name) -> Name {
        self.issuer.clone().unwrap_or_else(|| subject.clone())
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: spki::SubjectPublicKeyInfoRef<'_>,
        issuer_spk: spki::SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        use der::oid::AssociatedOid as _;
        let (bc, usage) = match self.kind {
            CertificateProfile::Ca { path_len } => (
                BasicConstraints { ca: true, path_len_constraint: path_len },
                KeyUsages::KeyCertSign | KeyUsages::CRLSign | KeyUsages::DigitalSignature,
            ),
            CertificateProfile::EndEntity => (
                BasicConstraints { ca: false, path_len_constraint: None },
                KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
            ),
        };
        let ski = SubjectKeyIdentifier(OctetString::new(key_identifier(&spk.to_der()?))?);
        let aki = AuthorityKeyIdentifier {
            key_identifier: Some(OctetString::new(key_identifier(&issuer_spk.to_der()?))?),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        };
        let mut extensions = vec![
            extension(BasicConstraints::OID, true, &bc)?,
            extension(KeyUsage::OID, true, &KeyUsage(usage))?,
            extension(SubjectKeyIdentifier::OID, false, &ski)?,
            extension(AuthorityKeyIdentifier::OID, false, &aki)?,
        ];
        extensions.extend(self.extra.iter().cloned());
        Ok(extensions)
    }
}

/// Adapts a [`Signer`] to what x509-cert's builder asks of a signer (its public key and
/// algorithm identifier); the signing itself is done by [`CertificateAuthority::sign`].
struct BuilderSigner {
    spki: SpkiDer,
    algorithm: AlgorithmIdentifierOwned,
}

#[derive(Clone)]
struct SpkiDer(Vec<u8>);

impl EncodePublicKey for SpkiDer {
    fn to_public_key_der(&self) -> spki::Result<der::Document> {
        Ok(der::Document::from_der(&self.0)?)
    }
}

impl signature::Keypair for BuilderSigner {
    type VerifyingKey = SpkiDer;
    fn verifying_key(&self) -> SpkiDer {
        self.spki.clone()
    }
}

impl DynSignatureAlgorithmIdentifier for BuilderSigner {
    fn signature_algorithm_identifier(&self) -> spki::Result<AlgorithmIdentifierOwned> {
        Ok(self.algorithm.clone())
    }
}

fn random_serial() -> Result<SerialNumber, IssueCertificateError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|_| IssueCertificateError::Sign(crate::crypto::SignError::Rng))?;
    // Positive, and no leading zero byte to trim.
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    SerialNumber::new(&bytes).map_err(encode_err)
}

impl<S: Signer> CertificateAuthority<S> {
    /// Creates a self-signed root CA certificate for `signer`'s key.
    pub fn new_root(
        signer: S,
        name: &str,
        party: &Party,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
        path_len: Option<u8>,
    ) -> Result<Self, IssueCertificateError> {
        let profile = Profile {
            subject: subject_name(name, party)?,
            issuer: None,
            kind: CertificateProfile::Ca { path_len },
            extra: Vec::new(),
        };
        let der = build(&signer, profile, signer.public_key(), not_before, not_after)?;
        let certificate = Certificate::from_der(&der).map_err(encode_err)?;
        Ok(Self { certificate, signer })
    }

    /// Pairs an existing CA certificate with the signer of its key. Refuses a signer whose
    /// public key is not the certificate's, and a certificate that is not a CA.
    pub fn from_parts(certificate: Certificate, signer: S) -> Result<Self, IssueCertificateError> {
        if certificate.public_key() != signer.public_key() {
            return Err(IssueCertificateError::Encode(
                "the signer's key is not the certificate's key".into(),
            ));
        }
        if !certificate.is_ca() {
            return Err(IssueCertificateError::NotAllowed);
        }
        Ok(Self { certificate, signer })
    }

    /// The authority's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The authority's signer.
    pub fn signer(&self) -> &S {
        &self.signer
    }

    /// Issues a certificate for `subject_key`, within this authority's own validity period.
    pub fn issue(
        &self,
        subject_key: &PublicKey,
        name: &str,
        party: &Party,
        profile: CertificateProfile,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<Certificate, IssueCertificateError> {
        self.issue_with(subject_key, name, party, profile, not_before, not_after, Vec::new())
    }

    #[allow(clippy::too_many_arguments)]
    fn issue_with(
        &self,
        subject_key: &PublicKey,
        name: &str,
        party: &Party,
        profile: CertificateProfile,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
        extra: Vec<Extension>,
    ) -> Result<Certificate, IssueCertificateError> {
        let issuer = &self.certificate;
        match (issuer.basic_constraints(), profile) {
            (Some((true, _)), CertificateProfile::EndEntity) => {}
            (Some((true, None)), CertificateProfile::Ca { .. }) => {}
            (Some((true, Some(n))), CertificateProfile::Ca { path_len })
                if n > 0 && path_len.is_some_and(|p| u32::from(p) < n) => {}
            _ => return Err(IssueCertificateError::NotAllowed),
        }
        if not_before < issuer.not_before() || not_after > issuer.not_after() {
            return Err(IssueCertificateError::Validity("outside the issuer's validity period".into()));
        }
        let issuer_name = Name::from_der(issuer.subject_raw()).map_err(encode_err)?;
        let p =
            Profile { subject: subject_name(name, party)?, issuer: Some(issuer_name), kind: profile, extra };
        let der = build(&self.signer, p, subject_key, not_before, not_after)?;
        Certificate::from_der(&der).map_err(encode_err)
    }

    /// Issues a verifier's certificate (end entity) that authorises it to request the license
    /// elements `may_request` from holders (the [`OID_MAY_REQUEST`](super::certificate::OID_MAY_REQUEST)
    /// extension, decision 0019).
    pub fn issue_verifier(
        &self,
        subject_key: &PublicKey,
        name: &str,
        party: &Party,
        may_request: &[String],
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<Certificate, IssueCertificateError> {
        if may_request.is_empty() || may_request.len() > super::certificate::MAX_MAY_REQUEST {
            return Err(IssueCertificateError::Encode("a verifier may request 1 to 256 elements".into()));
        }
        let names = may_request
            .iter()
            .map(|n| Utf8StringRef::new(n).map_err(encode_err))
            .collect::<Result<Vec<_>, _>>()?;
        let oid =
            der::asn1::ObjectIdentifier::new(super::certificate::OID_MAY_REQUEST).map_err(encode_err)?;
        let ext = extension(oid, false, &names).map_err(encode_err)?;
        self.issue_with(
            subject_key,
            name,
            party,
            CertificateProfile::EndEntity,
            not_before,
            not_after,
            vec![ext],
        )
    }
}

fn build<S: Signer>(
    signer: &S,
    profile: Profile,
    subject_key: &PublicKey,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<Vec<u8>, IssueCertificateError> {
    if not_after <= not_before {
        return Err(IssueCertificateError::Validity("notAfter is not after notBefore".into()));
    }
    let spki_der = subject_key.to_spki_der().map_err(encode_err)?;
    let spki = SubjectPublicKeyInfoOwned::from_der(&spki_der).map_err(encode_err)?;
    let validity = Validity::new(x509_time(not_before)?, x509_time(not_after)?);
    let mut builder =
        CertificateBuilder::new(profile, random_serial()?, validity, spki).map_err(encode_err)?;
    let adapter = BuilderSigner {
        spki: SpkiDer(signer.public_key().to_spki_der().map_err(encode_err)?),
        algorithm: AlgorithmIdentifierOwned { oid: signer.algorithm().signature_oid(), parameters: None },
    };
    let tbs = builder.finalize(&adapter).map_err(encode_err)?;
    let signature = signer.sign_der(&tbs)?;
    let bits = BitString::from_bytes(&signature).map_err(encode_err)?;
    let cert = builder.assemble(bits, &adapter).map_err(encode_err)?;
    cert.to_der().map_err(encode_err)
}
