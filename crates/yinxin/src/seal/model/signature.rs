//! `SES_Signature`: a document signed with a seal (v1, v4, v5), the seal inside it.

use der::{Decode, Encode};
use time::OffsetDateTime;

use super::super::asn1;
use super::super::{MAX_SEAL_SIZE, SealError};
use super::fields::*;
use super::{Seal, SealSignature, SealVersion};

impl SealSignature {
    /// Decodes a `SES_Signature` of version 1, 4 or 5 (strict DER, at most
    /// [`MAX_SEAL_SIZE`] bytes), with the seal inside it.
    pub fn from_der(der: &[u8]) -> Result<Self, SealError> {
        if der.len() > MAX_SEAL_SIZE {
            return Err(SealError::TooLarge(der.len()));
        }
        match asn1::SignatureV4::from_der(der) {
            Ok(s) => Self::from_v4(s),
            Err(v4_err) => match asn1::SignatureV1::from_der(der) {
                Ok(s) => Self::from_v1(s),
                Err(_) => Err(v4_err.into()),
            },
        }
    }

    fn from_v4(s: asn1::SignatureV4<'_>) -> Result<Self, SealError> {
        let signed_bytes = s.tbs.to_der()?;
        let tbs: asn1::TbsSignV4<'_> = s.tbs.decode_as()?;
        let seal = Seal::from_der(&tbs.eseal.to_der()?)?;
        if seal.version == SealVersion::V1 || i64::from(seal.version.number()) != tbs.version {
            return Err(SealError::Version(format!(
                "TBS_Sign version {} with a v{} seal",
                tbs.version,
                seal.version.number()
            )));
        }
        let signed_at = gt(&tbs.time_info)?;
        Ok(Self {
            version: seal.version,
            signed_at: Some(signed_at),
            time_info: tbs.time_info.to_der()?,
            data_hash: bytes_of(&tbs.data_hash)?,
            property_info: ia5(&tbs.property_info),
            signer_cert: s.cert.as_bytes().to_vec(),
            algorithm: s.alg.to_string(),
            signature: bytes_of(&s.signature)?,
            signed_bytes,
            time_stamp: s.time_stamp.as_ref().map(|t| t.raw_bytes().to_vec()),
            seal,
        })
    }

    fn from_v1(s: asn1::SignatureV1<'_>) -> Result<Self, SealError> {
        let signed_bytes = s.tbs.to_der()?;
        let tbs: asn1::TbsSignV1<'_> = s.tbs.decode_as()?;
        let seal = Seal::from_der(&tbs.eseal.to_der()?)?;
        if seal.version != SealVersion::V1 || tbs.version != 1 {
            return Err(SealError::Version(format!(
                "v1 TBS_Sign version {} with a v{} seal",
                tbs.version,
                seal.version.number()
            )));
        }
        let time_info = bits_or_octets(tbs.time_info)?;
        Ok(Self {
            version: SealVersion::V1,
            signed_at: v1_time(&time_info),
            time_info,
            data_hash: bits_or_octets(tbs.data_hash)?,
            property_info: ia5(&tbs.property_info),
            signer_cert: tbs.cert.as_bytes().to_vec(),
            algorithm: tbs.alg.to_string(),
            signature: bytes_of(&s.signature)?,
            signed_bytes,
            time_stamp: None,
            seal,
        })
    }

    /// The format version.
    pub fn version(&self) -> SealVersion {
        self.version
    }
    /// The seal used.
    pub fn seal(&self) -> &Seal {
        &self.seal
    }
    /// The signing time (`timeInfo`), when it can be read.
    pub fn signed_at(&self) -> Option<OffsetDateTime> {
        self.signed_at
    }
    /// `dataHash`: the digest of what was signed (SM3).
    pub fn data_hash(&self) -> &[u8] {
        &self.data_hash
    }
    /// `propertyInfo` (in OFD: the path of the Signature.xml).
    pub fn property_info(&self) -> &str {
        &self.property_info
    }
    /// The signer's certificate (DER).
    pub fn signer_certificate(&self) -> &[u8] {
        &self.signer_cert
    }
    /// The signature algorithm OID as written.
    pub fn signature_algorithm(&self) -> &str {
        &self.algorithm
    }
    /// The exact bytes the signer signed (`TBS_Sign` as received).
    pub fn signed_bytes(&self) -> &[u8] {
        &self.signed_bytes
    }
    /// The signature value as written (DER or raw `r‖s`).
    pub fn signature_value(&self) -> &[u8] {
        &self.signature
    }
    /// Whether a time stamp over the signature value is attached.
    pub fn has_time_stamp(&self) -> bool {
        self.time_stamp.is_some()
    }
    /// The attached time stamp token (DER TimeStampToken), checked by
    /// [`SealVerifier`](crate::seal::SealVerifier).
    pub fn time_stamp(&self) -> Option<&[u8]> {
        self.time_stamp.as_deref()
    }
}
