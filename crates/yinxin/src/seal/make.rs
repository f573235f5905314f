//! Making seals (the seal-making authority) and signing data with a seal (the holder), in the
//! GB/T 38540-2020 (v4) format, SM2 with SM3.

use std::time::Duration;

use der::asn1::{AnyRef, BitString, GeneralizedTime, Ia5String, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use time::OffsetDateTime;

use super::asn1;
use super::model::{STATUS_EXTENSION_OID_DER, SealPicture};
use super::verify::in_cert_list;
use super::{MAX_SEAL_SIZE, SM2_WITH_SM3_OID, Seal, SealError};
use crate::crypto::{Algorithm, DigestAlgorithm, SignatureFormat, Signer};
use crate::status::StatusReference;
use crate::trust::Certificate;

/// What a new seal says.
#[derive(Debug, Clone)]
pub struct SealRequest {
    /// The seal identifier (`esID`), e.g. the holder's code and a serial number.
    pub es_id: String,
    /// The seal name (the text on the seal).
    pub name: String,
    /// 1 organisation seal, 2 personal seal.
    pub kind: i64,
    /// Certificates of those who may sign with the seal (at least one).
    pub holder_certificates: Vec<Certificate>,
    /// The picture.
    pub picture: SealPicture,
    /// When it is made.
    pub created: OffsetDateTime,
    /// Start of validity.
    pub valid_start: OffsetDateTime,
    /// End of validity.
    pub valid_end: OffsetDateTime,
    /// The vendor id in the header.
    pub vid: String,
    /// A status list entry, so that the seal can be revoked (docs/decisions/0012).
    pub status: Option<StatusReference>,
}

fn make_err(e: impl std::fmt::Display) -> SealError {
    SealError::Make(e.to_string())
}

fn ia5(s: &str) -> Result<Ia5String, SealError> {
    Ia5String::new(s).map_err(|_| SealError::Make(format!("{s:?} is not IA5 (ASCII) text")))
}

fn octets(b: &[u8]) -> Result<OctetString, SealError> {
    OctetString::new(b.to_vec()).map_err(make_err)
}

fn gtime(t: OffsetDateTime) -> Result<GeneralizedTime, SealError> {
    let secs = u64::try_from(t.unix_timestamp()).map_err(|_| SealError::Make("time before 1970".into()))?;
    GeneralizedTime::from_unix_duration(Duration::from_secs(secs)).map_err(make_err)
}

fn sm2_oid() -> Result<ObjectIdentifier, SealError> {
    ObjectIdentifier::new(SM2_WITH_SM3_OID).map_err(make_err)
}

fn require_sm2(signer: &dyn Signer, cert: &Certificate, role: &'static str) -> Result<(), SealError> {
    if signer.algorithm() != Algorithm::Sm2Sm3 {
        return Err(SealError::KeyNotSm2(role, signer.algorithm().to_string()));
    }
    if cert.public_key() != signer.public_key() {
        return Err(SealError::KeyMismatch(role));
    }
    Ok(())
}

/// A seal-making authority: its SM2 key and certificate.
pub struct SealMaker {
    key: Box<dyn Signer>,
    cert: Certificate,
}

impl SealMaker {
    /// A maker signing with `key`, whose certificate is `cert`.
    pub fn new(key: Box<dyn Signer>, cert: Certificate) -> Result<Self, SealError> {
        require_sm2(key.as_ref(), &cert, "seal maker")?;
        Ok(Self { key, cert })
    }

    /// Makes a v4 seal: `SES_SealInfo` signed by the maker (DER SM2 signature), the maker's
    /// certificate inside.
    pub fn make(&self, req: &SealRequest) -> Result<Vec<u8>, SealError> {
        if req.holder_certificates.is_empty() {
            return Err(SealError::Make("a seal needs at least one holder certificate".into()));
        }
        if req.valid_start > req.valid_end {
            return Err(SealError::Make("validity starts after it ends".into()));
        }
        // Nothing that verifiers refuse for its size: the picture and certificates must leave
        // room in MAX_SEAL_SIZE (checked exactly below; this avoids signing a 100 MB picture).
        let size = req
            .holder_certificates
            .iter()
            .fold(req.picture.data.len(), |n, c| n.saturating_add(c.der().len()));
        if size > MAX_SEAL_SIZE {
            return Err(SealError::TooLarge(size));
        }
        let certs: Vec<OctetString> =
            req.holder_certificates.iter().map(|c| octets(c.der())).collect::<Result<_, _>>()?;
        let cert_list_der = certs.to_der()?;
        let mut ext = Vec::new();
        if let Some(s) = &req.status {
            let value = asn1::StatusExt { uri: s.uri.clone(), index: s.index }.to_der()?;
            ext.push(asn1::ExtData {
                id: asn1::RawOid(STATUS_EXTENSION_OID_DER.to_vec()),
                critical: None,
                value: octets(&value)?,
            });
        }
        let info = asn1::SealInfoV4 {
            header: asn1::Header { id: ia5("ES")?, version: 4, vid: ia5(&req.vid)? },
            es_id: ia5(&req.es_id)?,
            property: asn1::PropertyV4 {
                kind: req.kind,
                name: req.name.clone(),
                cert_list_type: 1,
                cert_list: AnyRef::from_der(&cert_list_der)?,
                create_date: gtime(req.created)?,
                valid_start: gtime(req.valid_start)?,
                valid_end: gtime(req.valid_end)?,
            },
            picture: asn1::Picture {
                kind: ia5(&req.picture.kind)?,
                data: octets(&req.picture.data)?,
                width: req.picture.width_mm,
                height: req.picture.height_mm,
            },
            ext_datas: (!ext.is_empty()).then_some(ext),
        };
        let info_der = info.to_der()?;
        let signature = self.key.sign_as(&info_der, SignatureFormat::Der).map_err(make_err)?;
        let seal = asn1::SealV4 {
            info: AnyRef::from_der(&info_der)?,
            cert: octets(self.cert.der())?,
            alg: sm2_oid()?,
            signed_value: BitString::from_bytes(&signature)?,
            time_stamp: None,
        };
        let der = seal.to_der()?;
        // Make only what verifies: the reader verifiers use, with its limits, over these bytes.
        Seal::from_der(&der)?;
        Ok(der)
    }
}

/// The bytes a time stamp over a `SES_Signature` covers: its signature value (GB/T 38540
/// `timeStamp`). Send their digest (SHA-256 or SM3) to a TSA (RFC 3161), then
/// [`attach_time_stamp`] the token it returns.
pub fn time_stamp_imprint(signature: &[u8]) -> Result<Vec<u8>, SealError> {
    Ok(super::SealSignature::from_der(signature)?.signature_value().to_vec())
}

/// Attaches a TSA's time stamp token (DER TimeStampToken, RFC 3161) to a v4 `SES_Signature`,
/// replacing any earlier one. The token is not checked here; verifiers check it.
pub fn attach_time_stamp(signature: &[u8], token: &[u8]) -> Result<Vec<u8>, SealError> {
    if token.len() > super::MAX_TIME_STAMP_SIZE {
        return Err(SealError::TooLarge(token.len()));
    }
    // Only what verifiers read: a v4/v5 signature.
    super::SealSignature::from_der(signature)?;
    let mut sig = asn1::SignatureV4::from_der(signature)
        .map_err(|_| SealError::Sign("time stamps are attached to v4 signatures".into()))?;
    sig.time_stamp = Some(BitString::from_bytes(token)?);
    let der = sig.to_der()?;
    super::SealSignature::from_der(&der)?;
    Ok(der)
}

/// Someone who signs with a seal: the seal, their SM2 key and their certificate (which must be
/// in the seal's certificate list).
pub struct SealHolder {
    key: Box<dyn Signer>,
    cert: Certificate,
    seal: Seal,
}

impl SealHolder {
    /// A holder of `seal` (DER) signing with `key`, whose certificate is `cert`.
    pub fn new(seal: &[u8], key: Box<dyn Signer>, cert: Certificate) -> Result<Self, SealError> {
        require_sm2(key.as_ref(), &cert, "signer")?;
        let seal = Seal::from_der(seal)?;
        if !in_cert_list(&seal, cert.der()) {
            return Err(SealError::SignerNotInSeal);
        }
        Ok(Self { key, cert, seal })
    }

    /// The seal this holder signs with.
    pub fn seal(&self) -> &super::Seal {
        &self.seal
    }

    /// The signer's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// Signs `data`: a v4 `SES_Signature` with `dataHash` = SM3(`data`).
    pub fn sign(&self, data: &[u8], at: OffsetDateTime, property_info: &str) -> Result<Vec<u8>, SealError> {
        self.sign_digest(&DigestAlgorithm::Sm3.digest(data), at, property_info)
    }

    /// Signs an SM3 digest computed by the caller (e.g. of an OFD Signature.xml).
    pub fn sign_digest(
        &self,
        data_hash: &[u8; 32],
        at: OffsetDateTime,
        property_info: &str,
    ) -> Result<Vec<u8>, SealError> {
        if self.seal.version != super::SealVersion::V4 {
            return Err(SealError::Sign(format!(
                "the seal is version {}; yinxin signs with v4 (GB/T 38540) seals",
                self.seal.version.number()
            )));
        }
        let tbs = asn1::TbsSignV4 {
            version: 4,
            eseal: AnyRef::from_der(self.seal.der())?,
            time_info: gtime(at)?,
            data_hash: BitString::from_bytes(data_hash)?,
            property_info: ia5(property_info)?,
            ext_datas: None,
        };
        let tbs_der = tbs.to_der()?;
        let signature =
            self.key.sign_as(&tbs_der, SignatureFormat::Der).map_err(|e| SealError::Sign(e.to_string()))?;
        let sig = asn1::SignatureV4 {
            tbs: AnyRef::from_der(&tbs_der)?,
            cert: octets(self.cert.der())?,
            alg: sm2_oid()?,
            signature: BitString::from_bytes(&signature)?,
            time_stamp: None,
        };
        let der = sig.to_der()?;
        // The signature holds the seal: together they must stay within what verifiers read.
        super::SealSignature::from_der(&der)?;
        Ok(der)
    }
}
