//! RFC 3161 time stamps over seal signatures (the `timeStamp` of a GB/T 38540
//! `SES_Signature`: a TimeStampToken over the signature value, GB/T 20520 style).
//!
//! A token is a CMS SignedData whose content is a `TSTInfo`. Checked: the content type; the
//! message imprint (SHA-256 or SM3) equals the digest of the signature value; one SignerInfo
//! whose signed attributes name the TSTInfo content type and carry its digest; the TSA's
//! signature over those attributes with the certificate the token carries, its algorithm
//! taken from that certificate's key (ECDSA P-256 with SHA-256, or SM2 with SM3), never from
//! the token alone; the certificate is for time stamping (extended key usage); and, with TSA
//! anchors, its chain at the stamped time. Without anchors the stamp is `unverified` and the
//! signature is judged at its own `timeInfo` (docs/decisions/0016).

use der::asn1::{AnyRef, GeneralizedTime, OctetStringRef};
use der::{Decode, Encode, Tag, Tagged as _};
use time::OffsetDateTime;

use super::ofd::pkcs7::{alg_oid, elements, is_context, issuer_and_serial, oid};
use crate::crypto::{Algorithm, DigestAlgorithm, Verifier as _};
use crate::trust::{Certificate, TrustStore};

/// CMS SignedData (and the GB/T 35275 one).
const SIGNED_DATA: [&str; 2] = ["1.2.840.113549.1.7.2", "1.2.156.10197.6.1.4.2.2"];
/// id-ct-TSTInfo.
const TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
/// PKCS#9 contentType and messageDigest attributes.
const CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
const MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
/// id-kp-timeStamping.
const TIME_STAMPING: &str = "1.3.6.1.5.5.7.3.8";
/// The largest token read.
pub const MAX_TIME_STAMP_SIZE: usize = 64 * 1024;

/// What a time stamp check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeStampStatus {
    /// Every check passed, the TSA's chain included: the stamped time is trusted.
    Verified,
    /// Every check but the TSA's chain passed: no TSA anchors were given.
    Unverified,
    /// A check failed.
    Invalid,
}

impl TimeStampStatus {
    /// `verified`, `unverified` or `invalid`, as reports name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Unverified => "unverified",
            Self::Invalid => "invalid",
        }
    }
}

/// The outcome of checking a time stamp token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeStampCheck {
    /// Verified, unverified or invalid.
    pub status: TimeStampStatus,
    /// The stamped time (`genTime`), when the token could be read.
    pub gen_time: Option<OffsetDateTime>,
    /// The TSA certificate's subject, when its signature verified.
    pub tsa: Option<String>,
    /// Why it is invalid (or unverified).
    pub problem: Option<String>,
}

/// Checks `token` (a DER TimeStampToken) over `stamped` (the signature value), the TSA
/// chained to `anchors` when given.
pub(crate) fn check(token: &[u8], stamped: &[u8], anchors: Option<&TrustStore>) -> TimeStampCheck {
    let invalid = |gen_time, tsa, problem: String| TimeStampCheck {
        status: TimeStampStatus::Invalid,
        gen_time,
        tsa,
        problem: Some(problem),
    };
    if token.len() > MAX_TIME_STAMP_SIZE {
        return invalid(None, None, format!("a token of {} bytes", token.len()));
    }
    let read = match read(token, stamped) {
        Ok(r) => r,
        Err(Problem { gen_time, why }) => return invalid(gen_time, None, why),
    };
    let subject = read.tsa.subject().to_owned();
    match anchors {
        None => TimeStampCheck {
            status: TimeStampStatus::Unverified,
            gen_time: Some(read.gen_time),
            tsa: Some(subject),
            problem: Some("no TSA trust anchors: the TSA's certificate was not checked".into()),
        },
        Some(trust) => {
            let mut chained = trust.verify_chain(std::slice::from_ref(&read.tsa), read.gen_time).map(|_| ());
            for ca in &read.others {
                if chained.is_err() {
                    chained = trust.verify_chain(&[read.tsa.clone(), ca.clone()], read.gen_time).map(|_| ());
                }
            }
            match chained {
                Ok(()) => TimeStampCheck {
                    status: TimeStampStatus::Verified,
                    gen_time: Some(read.gen_time),
                    tsa: Some(subject),
                    problem: None,
                },
                Err(e) => invalid(Some(read.gen_time), Some(subject), format!("the TSA certificate: {e}")),
            }
        }
    }
}

struct Read {
    gen_time: OffsetDateTime,
    tsa: Certificate,
    others: Vec<Certificate>,
}

struct Problem {
    gen_time: Option<OffsetDateTime>,
    why: String,
}

impl From<der::ErrorKind> for Problem {
    fn from(e: der::ErrorKind) -> Self {
        der::Error::from(e).into()
    }
}

impl From<der::Error> for Problem {
    fn from(e: der::Error) -> Self {
        Self { gen_time: None, why: format!("malformed token: {e}") }
    }
}

fn problem(gen_time: Option<OffsetDateTime>, why: impl Into<String>) -> Problem {
    Problem { gen_time, why: why.into() }
}

/// The digest algorithms a token may use, by OID.
fn digest_of(oid: &str) -> Option<DigestAlgorithm> {
    match oid {
        "2.16.840.1.101.3.4.2.1" => Some(DigestAlgorithm::Sha256),
        "1.2.156.10197.1.401" => Some(DigestAlgorithm::Sm3),
        _ => None,
    }
}

/// Reads and checks everything but the chain.
fn read(token: &[u8], stamped: &[u8]) -> Result<Read, Problem> {
    let top = elements(AnyRef::from_der(token)?)?;
    let (Some(ct), Some(explicit)) = (top.first(), top.get(1)) else {
        return Err(problem(None, "no content"));
    };
    if !SIGNED_DATA.contains(&oid(ct)?.as_str()) || !is_context(explicit, 0) {
        return Err(problem(None, "not a CMS SignedData"));
    }
    let sd = elements(AnyRef::from_der(explicit.value())?)?;
    let encap = elements(*sd.get(2).ok_or_else(|| Tag::Sequence.value_error())?)?;
    if encap.first().map(oid).transpose()?.as_deref() != Some(TST_INFO) {
        return Err(problem(None, "the content is not a TSTInfo"));
    }
    let econtent = match encap.get(1) {
        Some(c) if is_context(c, 0) => <&OctetStringRef>::from_der(c.value())?.as_bytes(),
        _ => return Err(problem(None, "the TSTInfo is missing")),
    };
    // TSTInfo: version, policy, messageImprint, serialNumber, genTime, …
    let tst = elements(AnyRef::from_der(econtent)?)?;
    let gen_time = tst
        .get(4)
        .ok_or_else(|| Tag::GeneralizedTime.value_error())?
        .decode_as::<GeneralizedTime>()
        .map_err(|e| problem(None, format!("genTime: {e}")))?;
    let gen_time = OffsetDateTime::from_unix_timestamp(
        i64::try_from(gen_time.to_unix_duration().as_secs())
            .map_err(|_| problem(None, "genTime out of range"))?,
    )
    .map_err(|_| problem(None, "genTime out of range"))?;
    let at = Some(gen_time);
    let imprint = elements(*tst.get(2).ok_or_else(|| Tag::Sequence.value_error())?)?;
    let imprint_alg = imprint.first().map(alg_oid).transpose()?.unwrap_or_default();
    let hashed =
        imprint.get(1).ok_or_else(|| Tag::OctetString.value_error())?.decode_as::<&OctetStringRef>()?;
    let Some(imprint_digest) = digest_of(&imprint_alg) else {
        return Err(problem(at, format!("message imprint algorithm {imprint_alg} is not SHA-256 or SM3")));
    };
    if hashed.as_bytes() != imprint_digest.digest(stamped).as_slice() {
        return Err(problem(at, "the message imprint is not the digest of the signature value"));
    }

    let mut certs = Vec::new();
    let mut signer_infos = Vec::new();
    for el in sd.iter().skip(3) {
        if is_context(el, 0) {
            let mut r = der::SliceReader::new(el.value())?;
            while !der::Reader::is_finished(&r) {
                let der = der::Reader::decode::<AnyRef<'_>>(&mut r)?.to_der()?;
                if let Ok(cert) = Certificate::from_der(&der) {
                    certs.push((der, cert));
                }
            }
        } else if el.tag() == Tag::Set {
            signer_infos = elements(*el)?;
        }
    }
    let [si] = signer_infos.as_slice() else {
        return Err(problem(at, format!("{} SignerInfos (a token has one)", signer_infos.len())));
    };
    // version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature, [1]?
    let parts = elements(*si)?;
    let sid = parts.get(1).ok_or_else(|| Tag::Sequence.value_error())?;
    let digest_alg = parts.get(2).map(alg_oid).transpose()?.unwrap_or_default();
    let Some(digest) = digest_of(&digest_alg) else {
        return Err(problem(at, format!("digest algorithm {digest_alg} is not SHA-256 or SM3")));
    };
    let attrs =
        parts.get(3).filter(|a| is_context(a, 0)).ok_or_else(|| problem(at, "no signed attributes"))?;
    let signature = parts
        .get(5)
        .ok_or_else(|| Tag::OctetString.value_error())?
        .decode_as::<&OctetStringRef>()?
        .as_bytes();
    let mut content_type_ok = false;
    let mut digest_ok = false;
    for attr in elements(*attrs)? {
        let a = elements(attr)?;
        let values = match a.get(1) {
            Some(set) => elements(*set)?,
            None => Vec::new(),
        };
        match a.first().map(oid).transpose()?.as_deref() {
            Some(CONTENT_TYPE) => {
                content_type_ok = values.first().and_then(|v| oid(v).ok()).as_deref() == Some(TST_INFO)
            }
            Some(MESSAGE_DIGEST) => {
                digest_ok = values
                    .first()
                    .and_then(|v| v.decode_as::<&OctetStringRef>().ok())
                    .is_some_and(|v| v.as_bytes() == digest.digest(econtent).as_slice());
            }
            _ => {}
        }
    }
    if !content_type_ok || !digest_ok {
        return Err(problem(at, "the signed attributes do not name and digest the TSTInfo"));
    }
    // The signer: by issuer and serial number, or by subject key identifier.
    let tsa = certs
        .iter()
        .find(|(der, cert)| {
            if is_context(sid, 0) {
                cert.subject_key_id() == sid.value()
            } else {
                issuer_and_serial(der).is_some_and(|s| s == sid.value())
            }
        })
        .map(|(_, cert)| cert.clone())
        .ok_or_else(|| problem(at, "the TSA certificate is not in the token"))?;
    // The algorithm is the certificate key's, with the digest it is defined with.
    let expected = match tsa.public_key().algorithm() {
        Algorithm::Es256 => DigestAlgorithm::Sha256,
        Algorithm::Sm2Sm3 => DigestAlgorithm::Sm3,
        other => {
            return Err(problem(at, format!("a TSA key of {} (ES256 and SM2 are accepted)", other.name())));
        }
    };
    if expected != digest {
        return Err(problem(
            at,
            format!("digest algorithm {digest_alg} with a {} key", tsa.public_key().algorithm().name()),
        ));
    }
    let signed = AnyRef::new(Tag::Set, attrs.value())?.to_der()?;
    if tsa.public_key().verify_der(&signed, signature).is_err() {
        return Err(problem(at, "the TSA's signature does not verify"));
    }
    if !has_time_stamping_usage(&tsa) {
        return Err(problem(at, "the TSA certificate is not for time stamping (extended key usage)"));
    }
    let others = certs.into_iter().map(|(_, c)| c).filter(|c| c != &tsa).collect();
    Ok(Read { gen_time, tsa, others })
}

/// Whether a certificate's extended key usage includes id-kp-timeStamping.
fn has_time_stamping_usage(cert: &Certificate) -> bool {
    let Ok(parsed) = x509_cert::Certificate::from_der(cert.der()) else { return false };
    parsed.tbs_certificate().extensions().is_some_and(|exts| {
        exts.iter().any(|e| {
            e.extn_id.to_string() == "2.5.29.37"
                && x509_cert::ext::pkix::ExtendedKeyUsage::from_der(e.extn_value.as_bytes())
                    .is_ok_and(|eku| eku.0.iter().any(|u| u.to_string() == TIME_STAMPING))
        })
    })
}
