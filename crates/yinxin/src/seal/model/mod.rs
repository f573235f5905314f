//! Decoded seals ([`Seal`]) and seal signatures ([`SealSignature`]) of any supported version,
//! with the exact bytes their signatures cover. Decoding checks structure only; verification is
//! [`SealVerifier`](super::SealVerifier)'s job.
//!
//! One file per structure: `seal.rs` reads `SESeal` (GM/T 0031 v1, GB/T 38540 v4 and v5),
//! `signature.rs` reads `SES_Signature`, `fields.rs` holds the field readers they share.

mod fields;
mod seal;
mod signature;

use time::OffsetDateTime;

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
    pub(crate) time_stamp: Option<Vec<u8>>,
}

/// The yinxin status reference extension (docs/decisions/0012): OID 2.25 + the UUID
/// 2e6bac79-1734-44dc-91a2-1de3c505451a (X.667: no registration needed).
pub const STATUS_EXTENSION_OID: &str = "2.25.61703561738210193581335067221719074074";
/// Content bytes of [`STATUS_EXTENSION_OID`].
pub(crate) const STATUS_EXTENSION_OID_DER: [u8; 19] = [
    0x69, 0xdc, 0xeb, 0xd6, 0x9e, 0xa2, 0xf3, 0xa2, 0x93, 0xb9, 0x91, 0xd1, 0x87, 0xbc, 0xbc, 0xa8, 0x95,
    0x8a, 0x1a,
];
