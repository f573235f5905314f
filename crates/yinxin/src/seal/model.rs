//! Decoded seals ([`Seal`]) and seal signatures ([`SealSignature`]) of any supported version,
//! with the exact bytes their signatures cover. Decoding checks structure only; verification is
//! [`SealVerifier`](super::SealVerifier)'s job.

use der::asn1::{AnyRef, GeneralizedTime, UtcTime};
use der::{Decode, Encode, Tag, Tagged as _};
use time::OffsetDateTime;

use super::asn1;
use super::{MAX_SEAL_SIZE, SealError};
use crate::status::StatusReference;

/// The seal format version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SealVersion {
    /// GM/T 0031-2014.
    V1,
    /// GB/T 38540-2020.
    V4,
    /// The v5 revision of GB/T 38540 (same layout as v4).
    V5,
}

impl SealVersion {
    /// The number in the seal header (1, 4 or 5).
    pub fn number(self) -> u8 {
        match self {
            Self::V1 => 1,
            Self::V4 => 4,
            Self::V5 => 5,
        }
    }
}

/// Who may sign with a seal: certificates, or digests of certificates.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertList {
    /// DER certificates (certListType 1; the only form in v1).
    Certificates(Vec<Vec<u8>>),
    /// `(digest algorithm name, digest)` pairs (certListType 2).
    Digests(Vec<(String, Vec<u8>)>),
    /// A list whose entries are not certificates (e.g. a v1 seal listing the IA5String "1"):
    /// nobody can be matched against it. The text describes the entries.
    NotCertificates(String),
}

/// The seal picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealPicture {
    /// Image type as written in the seal ("PNG", "GIF", "OFD", "SVG"…).
    pub kind: String,
    /// The image bytes.
    pub data: Vec<u8>,
    /// Display width in millimetres.
    pub width_mm: i64,
    /// Display height in millimetres.
    pub height_mm: i64,
}

/// One `extDatas` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealExtension {
    /// The extension OID (dotted).
    pub oid: String,
    /// Marked critical.
    pub critical: bool,
    /// The value bytes.
    pub value: Vec<u8>,
}

/// A decoded seal (`SESeal`), not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal {
    pub(crate) version: SealVersion,
    pub(crate) vid: String,
    pub(crate) es_id: String,
    pub(crate) kind: i64,
    pub(crate) name: String,
    pub(crate) cert_list: CertList,
    pub(crate) created: OffsetDateTime,
    pub(crate) valid_start: OffsetDateTime,
    pub(crate) valid_end: OffsetDateTime,
    pub(crate) picture: SealPicture,
    pub(crate) extensions: Vec<SealExtension>,
    pub(crate) status: Option<StatusReference>,
    pub(crate) maker_cert: Vec<u8>,
    pub(crate) algorithm: String,
    pub(crate) signature: Vec<u8>,
    /// The bytes the maker signed.
    pub(crate) signed_bytes: Vec<u8>,
    pub(crate) der: Vec<u8>,
}

/// A decoded seal signature (`SES_Signature`), not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealSignature {
    pub(crate) version: SealVersion,
    pub(crate) seal: Seal,
    pub(crate) signed_at: Option<OffsetDateTime>,
    pub(crate) time_info: Vec<u8>,
    pub(crate) data_hash: Vec<u8>,
    pub(crate) property_info: String,
    pub(crate) signer_cert: Vec<u8>,
    pub(crate) algorithm: String,
    pub(crate) signature: Vec<u8>,
    pub(crate) signed_bytes: Vec<u8>,
    pub(crate) has_time_stamp: bool,
}

/// The yinxin status reference extension (docs/decisions/0012): OID 2.25 + the UUID
/// 2e6bac79-1734-44dc-91a2-1de3c505451a (X.667: no registration needed).
pub const STATUS_EXTENSION_OID: &str = "2.25.61703561738210193581335067221719074074";
/// Content bytes of [`STATUS_EXTENSION_OID`].
pub(crate) const STATUS_EXTENSION_OID_DER: [u8; 19] = [
    0x69, 0xdc, 0xeb, 0xd6, 0x9e, 0xa2, 0xf3, 0xa2, 0x93, 0xb9, 0x91, 0xd1, 0x87, 0xbc, 0xbc, 0xa8, 0x95,
    0x8a, 0x1a,
];

/// Dotted text of an OID's content bytes. Arcs up to 128 bits (`2.25.<UUID>`) are written in
/// decimal; anything larger falls back to asn1-rs's rendering.
pub(crate) fn oid_text(bytes: &[u8]) -> String {
    let mut arcs: Vec<u128> = Vec::new();
    let mut acc: u128 = 0;
    for b in bytes {
        match acc.checked_mul(128) {
            Some(v) if acc >> 120 == 0 => acc = v | u128::from(b & 0x7f),
            _ => {
                return x509_parser::der_parser::oid::Oid::new(std::borrow::Cow::Borrowed(bytes))
                    .to_id_string();
            }
        }
        if b & 0x80 == 0 {
            arcs.push(acc);
            acc = 0;
        }
    }
    let Some(first) = arcs.first().copied() else { return String::new() };
    let (a, b) = match first {
        0..40 => (0, first),
        40..80 => (1, first - 40),
        _ => (2, first - 80),
    };
    let mut text = format!("{a}.{b}");
    for arc in arcs.iter().skip(1) {
        text.push_str(&format!(".{arc}"));
    }
    text
}

fn bad(what: impl std::fmt::Display) -> SealError {
    SealError::Malformed(what.to_string())
}

fn time_of(any: AnyRef<'_>) -> Result<OffsetDateTime, SealError> {
    let d = match any.tag() {
        Tag::UtcTime => any.decode_as::<UtcTime>()?.to_unix_duration(),
        Tag::GeneralizedTime => any.decode_as::<GeneralizedTime>()?.to_unix_duration(),
        other => return Err(bad(format!("expected a time, found {other}"))),
    };
    unix(d)
}

fn unix(d: std::time::Duration) -> Result<OffsetDateTime, SealError> {
    let secs = i64::try_from(d.as_secs()).map_err(|_| bad("time out of range"))?;
    OffsetDateTime::from_unix_timestamp(secs).map_err(|_| bad("time out of range"))
}

fn gt(t: &GeneralizedTime) -> Result<OffsetDateTime, SealError> {
    unix(t.to_unix_duration())
}

/// A BIT STRING's bytes, or an OCTET STRING's (v1 writers use either).
fn bits_or_octets(any: AnyRef<'_>) -> Result<Vec<u8>, SealError> {
    match any.tag() {
        Tag::BitString => Ok(any
            .decode_as::<der::asn1::BitString>()?
            .as_bytes()
            .ok_or_else(|| bad("BIT STRING with unused bits"))?
            .to_vec()),
        Tag::OctetString => Ok(any.value().to_vec()),
        other => Err(bad(format!("expected BIT or OCTET STRING, found {other}"))),
    }
}

fn bytes_of(bits: &der::asn1::BitString) -> Result<Vec<u8>, SealError> {
    Ok(bits.as_bytes().ok_or_else(|| bad("BIT STRING with unused bits"))?.to_vec())
}

/// Reads the v1 `timeInfo` text: RFC 3339, GeneralizedTime or UTCTime digits.
fn v1_time(bytes: &[u8]) -> Option<OffsetDateTime> {
    let text = std::str::from_utf8(bytes).ok()?.trim();
    if let Some(t) = crate::text::parse_rfc3339(text) {
        return Some(t);
    }
    let digits = text.strip_suffix('Z')?;
    let (year, rest) = match digits.len() {
        12 => {
            let yy: i32 = digits.get(..2)?.parse().ok()?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, digits.get(2..)?)
        }
        14 => (digits.get(..4)?.parse().ok()?, digits.get(4..)?),
        _ => return None,
    };
    let n = |r: std::ops::Range<usize>| rest.get(r).and_then(|s| s.parse::<u8>().ok());
    let date = time::Date::from_calendar_date(year, time::Month::try_from(n(0..2)?).ok()?, n(2..4)?).ok()?;
    let t = time::Time::from_hms(n(4..6)?, n(6..8)?, n(8..10)?).ok()?;
    Some(date.with_time(t).assume_utc())
}

fn ia5(s: &der::asn1::Ia5String) -> String {
    s.to_string()
}

fn extensions(ext: Option<Vec<asn1::ExtData>>) -> Vec<SealExtension> {
    ext.unwrap_or_default()
        .into_iter()
        .map(|e| SealExtension {
            oid: oid_text(&e.id.0),
            critical: e.critical.unwrap_or(false),
            value: e.value.as_bytes().to_vec(),
        })
        .collect()
}

fn status_of(exts: &[SealExtension]) -> Result<Option<StatusReference>, SealError> {
    let mut found = exts.iter().filter(|e| e.oid == STATUS_EXTENSION_OID);
    let Some(e) = found.next() else { return Ok(None) };
    if found.next().is_some() {
        return Err(bad("two status references"));
    }
    let s = asn1::StatusExt::from_der(&e.value)?;
    Ok(Some(StatusReference { uri: s.uri, index: s.index }))
}

fn v1_cert_list(entries: &[AnyRef<'_>]) -> CertList {
    if entries.iter().all(|e| e.tag() == Tag::OctetString) {
        return CertList::Certificates(entries.iter().map(|e| e.value().to_vec()).collect());
    }
    let described: Vec<String> = entries
        .iter()
        .map(|e| match std::str::from_utf8(e.value()) {
            Ok(text) if e.tag() != Tag::OctetString => format!("{} {text:?}", e.tag()),
            _ => format!("{} of {} bytes", e.tag(), e.value().len()),
        })
        .collect();
    CertList::NotCertificates(described.join(", "))
}

fn check_header(h: &asn1::Header) -> Result<SealVersion, SealError> {
    if h.id.to_string() != "ES" {
        return Err(SealError::Version(format!("header id {:?}", h.id.to_string())));
    }
    match h.version {
        1 => Ok(SealVersion::V1),
        4 => Ok(SealVersion::V4),
        5 => Ok(SealVersion::V5),
        v => Err(SealError::Version(format!("version {v}"))),
    }
}

fn picture(p: asn1::Picture) -> SealPicture {
    SealPicture {
        kind: ia5(&p.kind),
        data: p.data.as_bytes().to_vec(),
        width_mm: p.width,
        height_mm: p.height,
    }
}

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
            has_time_stamp: s.time_stamp.is_some(),
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
            has_time_stamp: false,
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
    /// Whether a time stamp over the signature is attached (it is not verified).
    pub fn has_time_stamp(&self) -> bool {
        self.has_time_stamp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oid_text_writes_uuid_arcs_in_decimal() {
        assert_eq!(oid_text(&STATUS_EXTENSION_OID_DER), STATUS_EXTENSION_OID);
        // 1.2.156.10197.1.501 (SM2 with SM3)
        assert_eq!(oid_text(&[0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x75]), "1.2.156.10197.1.501");
        assert_eq!(v1_time(b"2020-01-25T07:31:56.377Z").map(|t| t.unix_timestamp()), Some(1_579_937_516));
        assert_eq!(v1_time(b"200125073156Z").map(|t| t.unix_timestamp()), Some(1_579_937_516));
        assert_eq!(v1_time(b"20200125073156Z").map(|t| t.unix_timestamp()), Some(1_579_937_516));
        assert_eq!(v1_time(b"yesterday"), None);
    }
}
