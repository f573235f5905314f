//! `SESeal`: the seal as its maker signed it (v1, v4, v5), with the signed bytes kept.

use der::{Decode, Encode};
use time::OffsetDateTime;

use super::super::asn1;
use super::super::{MAX_SEAL_SIZE, SealError};
use super::fields::*;
use super::{CertList, Seal, SealExtension, SealPicture, SealVersion};
use crate::status::StatusReference;

impl Seal {
    /// Decodes a seal of version 1, 4 or 5 (strict DER, at most [`MAX_SEAL_SIZE`] bytes).
    pub fn from_der(der: &[u8]) -> Result<Self, SealError> {
        if der.len() > MAX_SEAL_SIZE {
            return Err(SealError::TooLarge(der.len()));
        }
        // v1 has two members (info, signInfo); v4/v5 four or five.
        match asn1::SealV4::from_der(der) {
            Ok(s) => Self::from_v4(s, der),
            Err(v4_err) => match asn1::SealV1::from_der(der) {
                Ok(s) => Self::from_v1(s, der),
                Err(_) => Err(v4_err.into()),
            },
        }
    }

    fn from_v4(s: asn1::SealV4<'_>, der: &[u8]) -> Result<Self, SealError> {
        let signed_bytes = s.info.to_der()?;
        let info: asn1::SealInfoV4<'_> = s.info.decode_as()?;
        let version = check_header(&info.header)?;
        if version == SealVersion::V1 {
            return Err(SealError::Version("v1 header in a v4 layout".into()));
        }
        let p = &info.property;
        let cert_list = match p.cert_list_type {
            1 => CertList::Certificates(
                p.cert_list
                    .decode_as::<Vec<der::asn1::OctetString>>()?
                    .iter()
                    .map(|c| c.as_bytes().to_vec())
                    .collect(),
            ),
            2 => CertList::Digests(
                p.cert_list
                    .decode_as::<Vec<asn1::CertDigest>>()?
                    .iter()
                    .map(|d| (d.kind.to_string(), d.value.as_bytes().to_vec()))
                    .collect(),
            ),
            t => return Err(bad(format!("certListType {t}"))),
        };
        let extensions = extensions(info.ext_datas.clone());
        Ok(Self {
            version,
            vid: ia5(&info.header.vid),
            es_id: ia5(&info.es_id),
            kind: p.kind,
            name: p.name.clone(),
            cert_list,
            created: gt(&p.create_date)?,
            valid_start: gt(&p.valid_start)?,
            valid_end: gt(&p.valid_end)?,
            picture: picture(info.picture),
            status: status_of(&extensions)?,
            extensions,
            maker_cert: s.cert.as_bytes().to_vec(),
            algorithm: s.alg.to_string(),
            signature: bytes_of(&s.signed_value)?,
            signed_bytes,
            der: der.to_vec(),
        })
    }

    fn from_v1(s: asn1::SealV1<'_>, der: &[u8]) -> Result<Self, SealError> {
        let signed_bytes =
            asn1::SealV1Tbs { info: s.info, cert: s.sign_info.cert.clone(), alg: s.sign_info.alg }
                .to_der()?;
        let info: asn1::SealInfoV1<'_> = s.info.decode_as()?;
        if check_header(&info.header)? != SealVersion::V1 {
            return Err(SealError::Version("v4/v5 header in a v1 layout".into()));
        }
        let p = &info.property;
        let extensions = extensions(info.ext_datas.clone());
        Ok(Self {
            version: SealVersion::V1,
            vid: ia5(&info.header.vid),
            es_id: ia5(&info.es_id),
            kind: p.kind,
            name: p.name.clone(),
            cert_list: v1_cert_list(&p.cert_list),
            created: time_of(p.create_date)?,
            valid_start: time_of(p.valid_start)?,
            valid_end: time_of(p.valid_end)?,
            picture: picture(info.picture),
            status: status_of(&extensions)?,
            extensions,
            maker_cert: s.sign_info.cert.as_bytes().to_vec(),
            algorithm: s.sign_info.alg.to_string(),
            signature: bytes_of(&s.sign_info.sign_data)?,
            signed_bytes,
            der: der.to_vec(),
        })
    }

    /// The format version.
    pub fn version(&self) -> SealVersion {
        self.version
    }
    /// The vendor id of the header (`Vid`).
    pub fn vid(&self) -> &str {
        &self.vid
    }
    /// The seal identifier (`esID`).
    pub fn es_id(&self) -> &str {
        &self.es_id
    }
    /// The seal type (1 organisation, 2 personal, others as the maker defines).
    pub fn kind(&self) -> i64 {
        self.kind
    }
    /// The seal name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Who may sign with the seal.
    pub fn cert_list(&self) -> &CertList {
        &self.cert_list
    }
    /// When the seal was made.
    pub fn created(&self) -> OffsetDateTime {
        self.created
    }
    /// Start of validity.
    pub fn valid_start(&self) -> OffsetDateTime {
        self.valid_start
    }
    /// End of validity.
    pub fn valid_end(&self) -> OffsetDateTime {
        self.valid_end
    }
    /// The picture.
    pub fn picture(&self) -> &SealPicture {
        &self.picture
    }
    /// Every `extDatas` entry.
    pub fn extensions(&self) -> &[SealExtension] {
        &self.extensions
    }
    /// The yinxin status reference, when the seal carries one.
    pub fn status(&self) -> Option<&StatusReference> {
        self.status.as_ref()
    }
    /// The seal maker's certificate (DER).
    pub fn maker_certificate(&self) -> &[u8] {
        &self.maker_cert
    }
    /// The maker's signature algorithm OID as written.
    pub fn signature_algorithm(&self) -> &str {
        &self.algorithm
    }
    /// The seal's DER bytes as received.
    pub fn der(&self) -> &[u8] {
        &self.der
    }
    /// The exact bytes the maker signed (v4/v5: `eSealInfo`; v1: `SEQUENCE { esealInfo,
    /// cert, signatureAlgorithm }`).
    pub fn signed_bytes(&self) -> &[u8] {
        &self.signed_bytes
    }
    /// The maker's signature value as written (DER or raw `r‖s`).
    pub fn signature_value(&self) -> &[u8] {
        &self.signature
    }
}
