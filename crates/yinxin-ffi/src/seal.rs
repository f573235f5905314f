//! Seal helpers: inspect a seal, verify a seal signature over data, verify an OFD file.

use yinxin::ErrorCode as _;
use yinxin::seal::{CertList, Seal, SealSignature};

use yinxin::text::rfc3339;

use crate::YinxinError;

/// What a seal says (read, its maker signature checked).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SealInfo {
    /// 1 (GM/T 0031), 4 (GB/T 38540) or 5.
    pub version: u8,
    /// Vendor id of the header.
    pub vid: String,
    /// The seal identifier.
    pub es_id: String,
    /// The seal name.
    pub name: String,
    /// 1 organisation, 2 personal.
    pub seal_type: i64,
    /// Start of validity (RFC 3339).
    pub valid_start: String,
    /// End of validity (RFC 3339).
    pub valid_end: String,
    /// Picture type ("PNG"…).
    pub picture_type: String,
    /// The picture bytes.
    pub picture: Vec<u8>,
    /// Picture width in millimetres.
    pub width_mm: i64,
    /// Picture height in millimetres.
    pub height_mm: i64,
    /// Certificates in the seal's list.
    pub certificates: u32,
    /// The maker's signature verifies.
    pub maker_signature: bool,
}

/// The verdict on a seal signature.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SealVerdict {
    /// Every check passed.
    pub valid: bool,
    /// The stable code of the first failed check.
    pub code: Option<String>,
    /// Why, in words.
    pub message: Option<String>,
    /// Every failed check's code, in order.
    pub codes: Vec<String>,
    /// The seal identifier.
    pub es_id: String,
    /// The seal name.
    pub seal_name: String,
    /// When it was signed (RFC 3339).
    pub signed_at: Option<String>,
    /// dataHash equals SM3 of the data.
    pub data_hash: bool,
    /// The signature verifies.
    pub signature_valid: bool,
    /// The seal passes its checks.
    pub seal_valid: bool,
    /// The maker chains to a trust anchor (none when no anchors were given).
    pub maker_trusted: Option<bool>,
    /// Codes of what was found but does not fail the verdict (e.g.
    /// `seal.maker_certificate_at_creation`; failures under `SealPolicy.strict`).
    pub warnings: Vec<String>,
    /// The time stamp over the signature: `verified`, `unverified` (no TSA anchors) or
    /// `invalid`; none when there is no time stamp.
    pub time_stamp: Option<String>,
}

/// The verdict on one signature of an OFD document.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OfdSignatureVerdict {
    /// The Signature.xml path.
    pub signature: String,
    /// `ses_v1`, `ses_v4`, `ses_v5`, `pkcs7_sm2`, `raw_sm2`.
    pub kind: Option<String>,
    /// The seal identifier.
    pub es_id: Option<String>,
    /// The seal name.
    pub seal_name: Option<String>,
    /// Reference digests match.
    pub references: bool,
    /// The signed digest matches.
    pub data_hash: bool,
    /// The signature verifies.
    pub signature_valid: bool,
    /// The seal passes its checks (none for signatures without a seal).
    pub seal_valid: Option<bool>,
    /// The seal maker's or signer's certificate chains to a trust anchor (none: not checked,
    /// no anchors were given).
    pub signer_trusted: Option<bool>,
    /// Every check that was run passed (see `signer_trusted` for the one that may not run).
    pub valid: bool,
    /// The first failed check's code.
    pub code: Option<String>,
    /// Why, in words.
    pub message: Option<String>,
    /// Every failed check's code, in order.
    pub codes: Vec<String>,
    /// Codes of what was found but does not fail the verdict.
    pub warnings: Vec<String>,
    /// Files of the package no signature protects (added after signing).
    pub unprotected_files: Vec<String>,
    /// The time stamp over a seal signature: `verified`, `unverified` or `invalid`; none
    /// when there is none.
    pub time_stamp: Option<String>,
}

/// What seal verification trusts.
#[derive(Debug, Clone, PartialEq, Eq, Default, uniffi::Record)]
pub struct SealPolicy {
    /// Root certificates (PEM) seal makers must chain to; none: makers are not checked against
    /// an anchor (`maker_trusted` is then none).
    #[uniffi(default)]
    pub trust_anchors_pem: Option<String>,
    /// Intermediate CA certificates (PEM) between makers' certificates and the anchors.
    #[uniffi(default)]
    pub intermediates_pem: Option<String>,
    /// Signed status lists (CWT) for seals that carry a status reference; verified against
    /// the anchors, so they need `trust_anchors_pem`.
    #[uniffi(default)]
    pub status_lists: Vec<Vec<u8>>,
    /// Accept seals that name a status list none of `status_lists` answers for.
    #[uniffi(default)]
    pub accept_unknown_status: bool,
    /// Strict validity: the seal maker's certificate must also have been valid at the seal's
    /// createDate (otherwise a warning, `seal.maker_certificate_at_creation`).
    #[uniffi(default)]
    pub strict: bool,
    /// Trust anchors (PEM) for time stamping authorities; without them time stamps are
    /// checked but `unverified`.
    #[uniffi(default)]
    pub tsa_anchors_pem: Option<String>,
}

/// The core verifier a policy describes (its status lists verified against its anchors).
fn verifier(policy: SealPolicy) -> Result<yinxin::Verifier, YinxinError> {
    let mut builder = yinxin::Verifier::builder()
        .accept_unknown_status(policy.accept_unknown_status)
        .strict_seals(policy.strict);
    match &policy.trust_anchors_pem {
        Some(pem) => builder = builder.trust_anchors_pem(pem.as_bytes()).map_err(YinxinError::unreadable)?,
        None if !policy.status_lists.is_empty() => {
            return Err(YinxinError::config_text(
                "ffi.status_lists_need_trust",
                "status lists are verified against trust anchors: give trust_anchors_pem",
            ));
        }
        None => {}
    }
    if let Some(pem) = &policy.tsa_anchors_pem {
        builder = builder.tsa_anchors_pem(pem.as_bytes()).map_err(YinxinError::unreadable)?;
    }
    if let Some(pem) = &policy.intermediates_pem {
        builder = builder.intermediates_pem(pem.as_bytes()).map_err(YinxinError::unreadable)?;
    }
    let verifier = builder.build().map_err(YinxinError::config)?;
    let now = time::OffsetDateTime::now_utc();
    for token in &policy.status_lists {
        verifier.add_status_list(token, now).map_err(YinxinError::invalid)?;
    }
    Ok(verifier)
}

/// Reads a seal (`.esl`) or the seal inside a SES_Signature, and checks its maker signature.
#[uniffi::export]
pub fn inspect_seal(bytes: Vec<u8>) -> Result<SealInfo, YinxinError> {
    let seal = match Seal::from_der(&bytes) {
        Ok(s) => s,
        Err(e) => SealSignature::from_der(&bytes)
            .map(|s| s.seal().clone())
            .map_err(|_| YinxinError::unreadable(e))?,
    };
    let anyone =
        yinxin::Verifier::builder().accept_unknown_status(true).build().map_err(YinxinError::config)?;
    let check = anyone.check_seal(&seal, seal.valid_start());
    Ok(SealInfo {
        version: seal.version().number(),
        vid: seal.vid().to_owned(),
        es_id: seal.es_id().to_owned(),
        name: seal.name().to_owned(),
        seal_type: seal.kind(),
        valid_start: rfc3339(seal.valid_start()),
        valid_end: rfc3339(seal.valid_end()),
        picture_type: seal.picture().kind.clone(),
        picture: seal.picture().data.clone(),
        width_mm: seal.picture().width_mm,
        height_mm: seal.picture().height_mm,
        certificates: match seal.cert_list() {
            CertList::Certificates(c) => u32::try_from(c.len()).unwrap_or(u32::MAX),
            CertList::Digests(d) => u32::try_from(d.len()).unwrap_or(u32::MAX),
            _ => 0,
        },
        maker_signature: check.maker_signature,
    })
}

/// The verdict on a seal alone.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SealCheckVerdict {
    /// Every check passed.
    pub valid: bool,
    /// The stable code of the first failed check.
    pub code: Option<String>,
    /// Why, in words.
    pub message: Option<String>,
    /// Every failed check's code, in order.
    pub codes: Vec<String>,
    /// The seal identifier.
    pub es_id: String,
    /// The seal name.
    pub seal_name: String,
    /// The maker's signature verifies.
    pub maker_signature: bool,
    /// The maker chains to a trust anchor (none when no anchors were given).
    pub maker_trusted: Option<bool>,
    /// Codes of what was found but does not fail the verdict.
    pub warnings: Vec<String>,
}

/// Verifies a seal (`.esl`) for use at `at_unix` (default now): maker signature and
/// certificate, validity, critical extensions, status; the maker's chain when the policy has
/// anchors.
#[uniffi::export]
pub fn verify_seal(
    seal: Vec<u8>,
    policy: SealPolicy,
    at_unix: Option<i64>,
) -> Result<SealCheckVerdict, YinxinError> {
    let parsed = Seal::from_der(&seal).map_err(YinxinError::unreadable)?;
    let check = verifier(policy)?.check_seal(&parsed, crate::at(at_unix)?);
    let first = check.errors.first();
    Ok(SealCheckVerdict {
        valid: check.is_valid(),
        code: first.map(|e| e.code().to_owned()),
        message: first.map(ToString::to_string),
        codes: check.errors.iter().map(|e| e.code().to_owned()).collect(),
        es_id: parsed.es_id().to_owned(),
        seal_name: parsed.name().to_owned(),
        maker_signature: check.maker_signature,
        maker_trusted: check.maker_trusted,
        warnings: check.warnings.iter().map(|w| w.code().to_owned()).collect(),
    })
}

/// Verifies a SES_Signature (`SignedValue.dat`) over `data` under `policy`.
#[uniffi::export]
pub fn verify_seal_signature(
    signed_value: Vec<u8>,
    data: Vec<u8>,
    policy: SealPolicy,
) -> Result<SealVerdict, YinxinError> {
    let sig = SealSignature::from_der(&signed_value).map_err(YinxinError::unreadable)?;
    let digest = yinxin::crypto::DigestAlgorithm::Sm3.digest(&data);
    let check = verifier(policy)?.check_seal_signature(&sig, Some(&digest), time::OffsetDateTime::now_utc());
    let first = check.errors.first();
    Ok(SealVerdict {
        valid: check.is_valid(),
        code: first.map(|e| e.code().to_owned()),
        message: first.map(ToString::to_string),
        codes: check.errors.iter().map(|e| e.code().to_owned()).collect(),
        es_id: sig.seal().es_id().to_owned(),
        seal_name: sig.seal().name().to_owned(),
        signed_at: sig.signed_at().map(rfc3339),
        data_hash: check.data_hash == Some(true),
        signature_valid: check.signature == Some(true),
        seal_valid: check.seal,
        maker_trusted: check.maker_trusted,
        warnings: check.warnings.iter().map(|w| w.code().to_owned()).collect(),
        time_stamp: check.time_stamp.as_ref().map(|t| t.status.as_str().to_owned()),
    })
}

/// Verifies every signature of an OFD document under `policy`, one verdict each.
#[uniffi::export]
pub fn verify_ofd(ofd: Vec<u8>, policy: SealPolicy) -> Result<Vec<OfdSignatureVerdict>, YinxinError> {
    let verdicts = verifier(policy)?
        .verify_ofd(&ofd, time::OffsetDateTime::now_utc())
        .map_err(YinxinError::unreadable)?;
    Ok(verdicts
        .into_iter()
        .map(|d| OfdSignatureVerdict {
            signature: d.signature,
            kind: d.kind.map(|k| k.as_str().to_owned()),
            es_id: d.es_id,
            seal_name: d.seal_name,
            references: d.references,
            data_hash: d.data_hash,
            signature_valid: d.signature_valid,
            seal_valid: d.seal_valid,
            signer_trusted: d.signer_trusted,
            valid: d.valid,
            code: d.error.as_ref().map(|(c, _)| c.clone()),
            message: d.error.map(|(_, m)| m),
            codes: d.errors.into_iter().map(|(c, _)| c).collect(),
            warnings: d.warnings.into_iter().map(|(c, _)| c).collect(),
            unprotected_files: d.unprotected_files,
            time_stamp: d.time_stamp.map(|t| t.as_str().to_owned()),
        })
        .collect())
}
