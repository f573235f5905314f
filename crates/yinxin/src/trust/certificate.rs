//! Reading X.509 certificates (x509-parser) into the facts chain validation checks.

use std::fmt;

use der::asn1::ObjectIdentifier as Oid;
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer as _, X509Certificate};

use super::{CertificateError, Party};
use crate::crypto::{Algorithm, DigestAlgorithm, PublicKey};

/// Certificates larger than this are refused before parsing (16 KiB; authority certificates
/// are around 600 bytes).
pub const MAX_CERTIFICATE_SIZE: usize = 16 * 1024;
/// At most this many certificates are read from one PEM bundle.
const MAX_PEM_CERTIFICATES: usize = 64;

const OID_BASIC_CONSTRAINTS: &str = "2.5.29.19";
const OID_KEY_USAGE: &str = "2.5.29.15";
/// Extensions yinxin tolerates when critical: the two it enforces, and SAN / EKU, which do not
/// widen what a certificate may do.
const KNOWN_CRITICAL: [&str; 4] = [OID_BASIC_CONSTRAINTS, OID_KEY_USAGE, "2.5.29.17", "2.5.29.37"];
const OID_ORGANIZATION_IDENTIFIER: &str = "2.5.4.97";
const OID_SERIAL_NUMBER: &str = "2.5.4.5";

/// keyUsage bits (RFC 5280 §4.2.1.3), as x509-parser numbers them.
pub(crate) mod key_usage {
    pub const DIGITAL_SIGNATURE: u16 = 1;
    pub const NON_REPUDIATION: u16 = 1 << 1;
    pub const KEY_CERT_SIGN: u16 = 1 << 5;
}

/// A parsed X.509 certificate: its DER and the facts yinxin checks. Cheap to clone.
#[derive(Clone)]
pub struct Certificate(std::sync::Arc<Parsed>);

struct Parsed {
    der: Vec<u8>,
    tbs: Vec<u8>,
    signature_algorithm: Algorithm,
    signature: Vec<u8>,
    subject_raw: Vec<u8>,
    issuer_raw: Vec<u8>,
    subject: String,
    common_name: Option<String>,
    party: Option<Party>,
    public_key: PublicKey,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    ca: Option<(bool, Option<u32>)>,
    key_usage: Option<u16>,
    unknown_critical_extension: bool,
    fingerprint: [u8; 32],
    serial: Vec<u8>,
    subject_key_id: Vec<u8>,
    issuer: String,
    may_request: Option<Vec<String>>,
}

/// The extension of a verifier's certificate that lists the license elements it is authorised
/// to request from holders (decision 0019): `SEQUENCE OF UTF8String`, not critical.
///
/// The OID is a placeholder under the Internet `experimental` arc (1.3.6.1.3, RFC 1155) until
/// the project registers its own arc (an IANA private enterprise number); decision 0019 says
/// so. A UUID-based OID (2.25) would need no registration, but its 128-bit arc is beyond what
/// the x509-cert/der encoder writes (32-bit arcs).
pub const OID_MAY_REQUEST: &str = "1.3.6.1.3.1919.1";
/// At most this many element identifiers in one certificate.
pub const MAX_MAY_REQUEST: usize = 256;

fn may_request_of(cert: &X509Certificate<'_>) -> Result<Option<Vec<String>>, CertificateError> {
    let Some(ext) = cert.extensions().iter().find(|e| e.oid.to_id_string() == OID_MAY_REQUEST) else {
        return Ok(None);
    };
    let names: Vec<der::asn1::Utf8StringRef<'_>> =
        <Vec<der::asn1::Utf8StringRef<'_>> as der::Decode>::from_der(ext.value)
            .map_err(|e| malformed(format!("the may-request extension: {e}")))?;
    if names.len() > MAX_MAY_REQUEST {
        return Err(malformed("the may-request extension lists too many elements"));
    }
    Ok(Some(names.iter().map(|n| n.as_str().to_owned()).collect()))
}

fn malformed(e: impl fmt::Display) -> CertificateError {
    CertificateError::Malformed(e.to_string())
}

/// x509-parser's error as a person reads it (its DER errors print Rust debug text).
fn x509_malformed(e: &x509_parser::nom::Err<x509_parser::error::X509Error>) -> CertificateError {
    use x509_parser::error::X509Error;
    match e {
        x509_parser::nom::Err::Error(X509Error::Der(_) | X509Error::NomError(_))
        | x509_parser::nom::Err::Failure(X509Error::Der(_) | X509Error::NomError(_))
        | x509_parser::nom::Err::Incomplete(_) => malformed("the DER structure is malformed or truncated"),
        x509_parser::nom::Err::Error(other) | x509_parser::nom::Err::Failure(other) => malformed(other),
    }
}

/// What bytes that are not a certificate look like, for the error message.
fn not_certificate(input: &[u8]) -> CertificateError {
    let text = std::str::from_utf8(input)
        .is_ok_and(|t| !t.trim().is_empty() && t.chars().all(|c| !c.is_control() || c.is_whitespace()));
    CertificateError::NotCertificate(if text { "text" } else { "binary data" })
}

fn time(ts: i64) -> Result<OffsetDateTime, CertificateError> {
    OffsetDateTime::from_unix_timestamp(ts).map_err(malformed)
}

impl Certificate {
    /// Parses a DER certificate. Refuses trailing data, more than [`MAX_CERTIFICATE_SIZE`]
    /// bytes, unknown signature algorithms, unsupported keys, a TBS signature algorithm that
    /// differs from the outer one, and duplicate extensions.
    pub fn from_der(der: &[u8]) -> Result<Self, CertificateError> {
        if der.len() > MAX_CERTIFICATE_SIZE {
            return Err(CertificateError::TooLarge(der.len()));
        }
        // A certificate is a DER SEQUENCE; anything else (a text file, a key) is named as such.
        if der.first() != Some(&0x30) {
            return Err(not_certificate(der));
        }
        // x509-parser is lenient about some encodings outside the TBS (e.g. the tag of the outer
        // signature algorithm OID); the der crate's strict DER decoder must accept it too, so
        // that no byte of a certificate can change without being noticed. It runs first: its
        // errors read well.
        let strict = <x509_cert::Certificate as der::Decode>::from_der(der)
            .map_err(|e| malformed(format!("not strict DER: {e}")))?;
        // RFC 5280 §4.1.2.1: extensions only in version 3, unique identifiers only in 2 and 3.
        // A version 1 certificate with extensions is malformed, whatever a lenient parser
        // makes of it.
        let tbs = strict.tbs_certificate();
        let version = tbs.version();
        if version != x509_cert::Version::V3 && tbs.extensions().is_some() {
            return Err(malformed(format!(
                "a version {} certificate with extensions (only version 3 has them)",
                version as u8 + 1
            )));
        }
        if version == x509_cert::Version::V1
            && (tbs.issuer_unique_id().is_some() || tbs.subject_unique_id().is_some())
        {
            return Err(malformed("a version 1 certificate with unique identifiers"));
        }
        let (rest, cert) = X509Certificate::from_der(der).map_err(|e| x509_malformed(&e))?;
        if !rest.is_empty() {
            return Err(malformed("trailing data after the certificate"));
        }
        if cert.signature_value.unused_bits != 0 {
            return Err(malformed("signature BIT STRING with unused bits"));
        }
        let outer = &cert.signature_algorithm;
        if outer.algorithm != cert.tbs_certificate.signature.algorithm {
            return Err(malformed("signatureAlgorithm differs from the TBS signature field"));
        }
        let oid = Oid::from_bytes(outer.algorithm.as_bytes()).map_err(malformed)?;
        let signature_algorithm = Algorithm::from_signature_oid(&oid)
            .ok_or_else(|| CertificateError::UnsupportedAlgorithm(outer.algorithm.to_id_string()))?;
        let public_key = PublicKey::from_spki_der(cert.public_key().raw).map_err(|e| match e {
            crate::crypto::KeyError::UnsupportedCurve(curve) => CertificateError::UnsupportedKey(curve),
            _ => CertificateError::PublicKey,
        })?;

        let ca = cert
            .basic_constraints()
            .map_err(malformed)?
            .map(|bc| (bc.value.ca, bc.value.path_len_constraint));
        let key_usage = cert.key_usage().map_err(malformed)?.map(|ku| ku.value.flags);
        let unknown_critical_extension = cert
            .extensions()
            .iter()
            .any(|e| e.critical && !KNOWN_CRITICAL.contains(&e.oid.to_id_string().as_str()));

        let subject_key_id = cert
            .extensions()
            .iter()
            .find_map(|e| match e.parsed_extension() {
                x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(id) => Some(id.0.to_vec()),
                _ => None,
            })
            .unwrap_or_else(|| {
                // RFC 7093 §2 method 1: the leftmost 160 bits of the SHA-256 of the key.
                let mut id =
                    DigestAlgorithm::Sha256.digest(&cert.public_key().subject_public_key.data).to_vec();
                id.truncate(20);
                id
            });
        let may_request = may_request_of(&cert)?;
        let subject_name = cert.subject();
        let common_name =
            subject_name.iter_common_name().next().and_then(|a| a.as_str().ok()).map(str::to_owned);
        let party = subject_name
            .iter_attributes()
            .filter(|a| {
                let oid = a.attr_type().to_id_string();
                oid == OID_ORGANIZATION_IDENTIFIER || oid == OID_SERIAL_NUMBER
            })
            .find_map(|a| a.as_str().ok().and_then(|s| Party::from_subject_identifier(s).ok()));

        Ok(Self(std::sync::Arc::new(Parsed {
            der: der.to_vec(),
            tbs: cert.tbs_certificate.as_ref().to_vec(),
            signature_algorithm,
            signature: cert.signature_value.data.to_vec(),
            subject_raw: subject_name.as_raw().to_vec(),
            issuer_raw: cert.issuer().as_raw().to_vec(),
            subject: subject_name.to_string(),
            common_name,
            party,
            public_key,
            not_before: time(cert.validity().not_before.timestamp())?,
            not_after: time(cert.validity().not_after.timestamp())?,
            ca,
            key_usage,
            unknown_critical_extension,
            fingerprint: DigestAlgorithm::Sha256.digest(der),
            serial: cert.tbs_certificate.raw_serial().to_vec(),
            subject_key_id,
            issuer: cert.issuer().to_string(),
            may_request,
        })))
    }

    /// Parses a certificate in PEM or DER, whichever `input` is (the first one of a PEM bundle).
    pub fn from_pem_or_der(input: &[u8]) -> Result<Self, CertificateError> {
        if input.trim_ascii_start().starts_with(b"-----BEGIN") {
            parse_pem_certificates(input)?.into_iter().next().ok_or(CertificateError::Pem)
        } else if input.trim_ascii().is_empty() || input.first() != Some(&0x30) {
            Err(not_certificate(input))
        } else {
            Self::from_der(input)
        }
    }

    /// For a verifier's certificate: the license elements it may request ([`OID_MAY_REQUEST`]);
    /// `None` when the certificate has no such extension (it may request nothing).
    pub fn may_request(&self) -> Option<&[String]> {
        self.0.may_request.as_deref()
    }

    /// The DER encoding, exactly as parsed.
    pub fn der(&self) -> &[u8] {
        &self.0.der
    }

    /// The PEM encoding.
    pub fn to_pem(&self) -> String {
        let mut pem = pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, &self.0.der)
            .unwrap_or_default();
        if !pem.ends_with('\n') {
            pem.push('\n');
        }
        pem
    }

    /// The signed part (TBSCertificate), exactly as parsed.
    pub(crate) fn tbs(&self) -> &[u8] {
        &self.0.tbs
    }

    /// The signature value (DER `SEQUENCE {r, s}` for ECDSA and SM2).
    pub(crate) fn signature(&self) -> &[u8] {
        &self.0.signature
    }

    pub(crate) fn subject_raw(&self) -> &[u8] {
        &self.0.subject_raw
    }

    pub(crate) fn issuer_raw(&self) -> &[u8] {
        &self.0.issuer_raw
    }

    /// The algorithm the certificate is signed with.
    pub fn signature_algorithm(&self) -> Algorithm {
        self.0.signature_algorithm
    }

    /// The subject's public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.0.public_key
    }

    /// The subject's distinguished name, RFC 4514 text.
    pub fn subject(&self) -> &str {
        &self.0.subject
    }

    /// The subject's common name.
    pub fn common_name(&self) -> Option<&str> {
        self.0.common_name.as_deref()
    }

    /// The organisation or person the subject identifier names (`NTRCN-…` / `IDCCN-…`), if any.
    pub fn party(&self) -> Option<&Party> {
        self.0.party.as_ref()
    }

    /// Start of the validity period.
    pub fn not_before(&self) -> OffsetDateTime {
        self.0.not_before
    }

    /// End of the validity period.
    pub fn not_after(&self) -> OffsetDateTime {
        self.0.not_after
    }

    /// basicConstraints: `(cA, pathLenConstraint)`, if present.
    pub fn basic_constraints(&self) -> Option<(bool, Option<u32>)> {
        self.0.ca
    }

    /// Whether basicConstraints says this is a CA certificate.
    pub fn is_ca(&self) -> bool {
        matches!(self.0.ca, Some((true, _)))
    }

    pub(crate) fn key_usage(&self) -> Option<u16> {
        self.0.key_usage
    }

    pub(crate) fn has_unknown_critical_extension(&self) -> bool {
        self.0.unknown_critical_extension
    }

    /// SHA-256 of the DER.
    pub fn fingerprint(&self) -> [u8; 32] {
        self.0.fingerprint
    }

    /// The serial number, big-endian, as encoded (a leading zero byte keeps it positive).
    pub fn serial_number(&self) -> &[u8] {
        &self.0.serial
    }

    /// The subjectKeyIdentifier extension's value; for a certificate without one, the
    /// identifier RFC 7093 §2 method 1 derives (the leftmost 160 bits of the SHA-256 of the
    /// subject public key).
    pub fn subject_key_id(&self) -> &[u8] {
        &self.0.subject_key_id
    }

    /// The issuer's distinguished name, RFC 4514 text.
    pub fn issuer(&self) -> &str {
        &self.0.issuer
    }

    /// The subject's DER-encoded Name, exactly as in the certificate.
    pub fn subject_der(&self) -> &[u8] {
        &self.0.subject_raw
    }

    /// The issuer's DER-encoded Name, exactly as in the certificate.
    pub fn issuer_der(&self) -> &[u8] {
        &self.0.issuer_raw
    }

    /// Whether this certificate names itself as issuer (a root).
    pub fn is_self_issued(&self) -> bool {
        self.0.subject_raw == self.0.issuer_raw
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.0.der == other.0.der
    }
}

impl Eq for Certificate {}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.0.subject)
            .field("algorithm", &self.0.signature_algorithm)
            .field("not_after", &self.0.not_after)
            .finish_non_exhaustive()
    }
}

/// Reads every `CERTIFICATE` block of a PEM bundle (at most 64), ignoring other blocks.
pub fn parse_pem_certificates(input: &[u8]) -> Result<Vec<Certificate>, CertificateError> {
    let mut out = Vec::new();
    let mut other_label = None;
    for pem in x509_parser::pem::Pem::iter_from_buffer(input) {
        let pem = pem.map_err(|_| CertificateError::Pem)?;
        if pem.label != "CERTIFICATE" {
            other_label.get_or_insert(pem.label);
            continue;
        }
        if out.len() == MAX_PEM_CERTIFICATES {
            return Err(CertificateError::TooLarge(input.len()));
        }
        out.push(Certificate::from_der(&pem.contents)?);
    }
    if out.is_empty() {
        return Err(match other_label {
            Some(label) if label.contains("PRIVATE KEY") => CertificateError::NotCertificate("a private key"),
            Some(label) if label == "PUBLIC KEY" => CertificateError::NotCertificate("a public key"),
            Some(_) => CertificateError::NotCertificate("PEM blocks of another kind"),
            None if input.trim_ascii_start().starts_with(b"-----BEGIN") => CertificateError::Pem,
            None => not_certificate(input),
        });
    }
    Ok(out)
}
