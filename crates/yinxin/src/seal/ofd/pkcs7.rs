//! GB/T 35275 SM2 `SignedData` (PKCS#7 with the GM object identifiers), as OFD signatures and
//! OFD integrity protection use it: decoded with the `der` crate's reader, verified with the
//! certificate it carries.

use der::asn1::{AnyRef, ObjectIdentifier, OctetStringRef};
use der::{Decode, Encode, Reader, SliceReader, Tag, TagNumber, Tagged as _};

use crate::crypto::{Algorithm, DigestAlgorithm};
use crate::trust::Certificate;

/// `signedData` of GB/T 35275 (and the PKCS#7 OID, accepted too).
const SIGNED_DATA: [&str; 2] = ["1.2.156.10197.6.1.4.2.2", "1.2.840.113549.1.7.2"];
/// SM2 signature algorithm identifiers seen in SignerInfo.
const SM2_SIGN: [&str; 3] = ["1.2.156.10197.1.301.1", "1.2.156.10197.1.501", "1.2.156.10197.1.301"];
/// PKCS#9 messageDigest.
const MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";

/// The outcome of checking a SignedData over some data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pkcs7Check {
    /// The signed digest (content or messageDigest attribute) equals SM3 of the data.
    pub digest: bool,
    /// Every SignerInfo's signature verifies with its certificate.
    pub signature: bool,
    /// The first problem found.
    pub problem: Option<String>,
    /// The certificates of the signers whose signature verified.
    pub signers: Vec<Certificate>,
}

pub(crate) fn elements(any: AnyRef<'_>) -> der::Result<Vec<AnyRef<'_>>> {
    let mut r = SliceReader::new(any.value())?;
    let mut out = Vec::new();
    while !r.is_finished() {
        out.push(r.decode::<AnyRef<'_>>()?);
    }
    Ok(out)
}

pub(crate) fn is_context(any: &AnyRef<'_>, n: u8) -> bool {
    matches!(any.tag(), Tag::ContextSpecific { number, .. } if number == TagNumber(u32::from(n)))
}

pub(crate) fn oid(any: &AnyRef<'_>) -> der::Result<String> {
    Ok(any.decode_as::<ObjectIdentifier>()?.to_string())
}

/// The first element of an AlgorithmIdentifier.
pub(crate) fn alg_oid(any: &AnyRef<'_>) -> der::Result<String> {
    let parts = elements(*any)?;
    parts.first().map(oid).transpose()?.ok_or_else(|| Tag::Sequence.value_error().into())
}

/// Whether `bytes` look like a SignedData ContentInfo.
pub(crate) fn is_signed_data(bytes: &[u8]) -> bool {
    AnyRef::from_der(bytes)
        .and_then(elements)
        .ok()
        .and_then(|e| e.first().and_then(|o| oid(o).ok()))
        .is_some_and(|o| SIGNED_DATA.contains(&o.as_str()))
}

/// Checks a SignedData over `data` (its SM3 digest is what is signed, GB/T 35275 / GM/T 0099).
pub(crate) fn check(bytes: &[u8], data: &[u8]) -> Pkcs7Check {
    match check_inner(bytes, data) {
        Ok(c) => c,
        Err(e) => Pkcs7Check {
            digest: false,
            signature: false,
            problem: Some(format!("malformed SignedData: {e}")),
            signers: Vec::new(),
        },
    }
}

fn check_inner(bytes: &[u8], data: &[u8]) -> der::Result<Pkcs7Check> {
    let fail = |digest: bool, why: &str| Pkcs7Check {
        digest,
        signature: false,
        problem: Some(why.to_owned()),
        signers: Vec::new(),
    };
    let top = elements(AnyRef::from_der(bytes)?)?;
    let (Some(ct), Some(explicit)) = (top.first(), top.get(1)) else { return Ok(fail(false, "no content")) };
    if !SIGNED_DATA.contains(&oid(ct)?.as_str()) || !is_context(explicit, 0) {
        return Ok(fail(false, "not a SignedData"));
    }
    let signed_data = AnyRef::from_der(explicit.value())?;
    let sd = elements(signed_data)?;
    // version, digestAlgorithms, contentInfo, [0] certificates?, [1] crls?, signerInfos
    let content_info = sd.get(2).ok_or_else(|| Tag::Sequence.value_error())?;
    let mut certs = Vec::new();
    let mut signer_infos = None;
    for el in sd.iter().skip(3) {
        if is_context(el, 0) {
            let mut r = SliceReader::new(el.value())?;
            while !r.is_finished() {
                certs.push(r.decode::<AnyRef<'_>>()?.to_der()?);
            }
        } else if el.tag() == Tag::Set {
            signer_infos = Some(elements(*el)?);
        }
    }
    let digest = DigestAlgorithm::Sm3.digest(data);
    let content = elements(*content_info)?;
    let econtent = match content.get(1) {
        Some(c) if is_context(c, 0) => Some(<&OctetStringRef>::from_der(c.value())?.as_bytes().to_vec()),
        _ => None,
    };
    let signer_infos = signer_infos.unwrap_or_default();
    if signer_infos.is_empty() {
        return Ok(fail(false, "no SignerInfo"));
    }
    let mut digest_ok = econtent.as_deref().is_none_or(|c| c == digest.as_slice());
    let mut problem = (!digest_ok).then(|| "the signed content is not SM3 of the data".to_owned());
    let mut signature_ok = true;
    let mut signers = Vec::new();
    for si in &signer_infos {
        let parts = elements(*si)?;
        // version, issuerAndSerialNumber, digestAlgorithm, [0] authAttrs?, digestEncryptionAlgorithm, encryptedDigest, [1]?
        let sid = parts.get(1).ok_or_else(|| Tag::Sequence.value_error())?;
        let mut rest = parts.iter().skip(3);
        let mut next = rest.next();
        let mut signed_bytes = econtent.clone();
        if let Some(attrs) = next.filter(|a| is_context(a, 0)) {
            // Authenticated attributes: their messageDigest must be the digest; they are
            // signed as a SET (tag 0x31 in place of the implicit [0]).
            let mut md_ok = false;
            for attr in elements(*attrs)? {
                let a = elements(attr)?;
                if a.first().map(oid).transpose()?.as_deref() == Some(MESSAGE_DIGEST) {
                    if let Some(set) = a.get(1) {
                        md_ok = elements(*set)?
                            .first()
                            .and_then(|v| v.decode_as::<&OctetStringRef>().ok())
                            .is_some_and(|v| v.as_bytes() == digest.as_slice());
                    }
                }
            }
            if !md_ok {
                digest_ok = false;
                problem.get_or_insert_with(|| "messageDigest is not SM3 of the data".to_owned());
            }
            signed_bytes = Some(AnyRef::new(Tag::Set, attrs.value())?.to_der()?);
            next = rest.next();
        }
        let sig_alg = next.map(alg_oid).transpose()?.unwrap_or_default();
        let encrypted = rest.next().ok_or_else(|| Tag::OctetString.value_error())?;
        let signature = encrypted.decode_as::<&OctetStringRef>()?.as_bytes();
        if !SM2_SIGN.contains(&sig_alg.as_str()) {
            signature_ok = false;
            problem.get_or_insert_with(|| format!("signature algorithm {sig_alg} is not SM2"));
            continue;
        }
        let Some(cert) = certs.iter().find(|c| issuer_and_serial(c).is_some_and(|s| s == sid.value())) else {
            signature_ok = false;
            problem.get_or_insert_with(|| "the signer's certificate is not in the SignedData".to_owned());
            continue;
        };
        match signed_bytes.as_deref().and_then(|m| verify_sm2(cert, m, signature)) {
            Some(signer) => signers.push(signer),
            None => {
                signature_ok = false;
                problem.get_or_insert_with(|| "signature does not verify".to_owned());
            }
        }
    }
    Ok(Pkcs7Check { digest: digest_ok, signature: signature_ok, problem, signers })
}

/// The content of an IssuerAndSerialNumber for a certificate: issuer Name then serial.
pub(crate) fn issuer_and_serial(cert_der: &[u8]) -> Option<Vec<u8>> {
    let cert = x509_cert::Certificate::from_der(cert_der).ok()?;
    let mut out = cert.tbs_certificate().issuer().to_der().ok()?;
    out.extend(cert.tbs_certificate().serial_number().to_der().ok()?);
    Some(out)
}

/// The signer's certificate when its SM2 signature over `message` verifies.
fn verify_sm2(cert_der: &[u8], message: &[u8], signature: &[u8]) -> Option<Certificate> {
    Certificate::from_der(cert_der).ok().filter(|cert| {
        cert.public_key().algorithm() == Algorithm::Sm2Sm3
            && crate::seal::verify::sm2_signature_ok(cert, message, signature)
    })
}
