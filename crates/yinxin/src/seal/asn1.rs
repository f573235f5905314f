//! The ASN.1 structures of electronic seals, decoded and encoded by the `der` crate (strict DER).
//!
//! GB/T 38540-2020 (v4) and its v5 revision share one layout; GM/T 0031-2014 (v1) has its own
//! (the maker's certificate and signature in a nested `SES_SignInfo`, UTCTime dates, the
//! signer's certificate inside `TBS_Sign`). Parts that are signed are kept as [`AnyRef`], so
//! their exact received bytes are what signatures are checked over.

use der::Sequence;
use der::asn1::{
    AnyRef, BitString, GeneralizedTime, Ia5String, ObjectIdentifier, OctetString, PrintableString,
};

/// `SES_Header`: the magic "ES", the format version and the vendor id.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct Header {
    pub id: Ia5String,
    pub version: i64,
    pub vid: Ia5String,
}

/// `SES_ESPictureInfo`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct Picture {
    pub kind: Ia5String,
    pub data: OctetString,
    pub width: i64,
    pub height: i64,
}

/// `ExtData` of `ExtensionDatas`. `critical` is read as optional: some deployed seals encode
/// the DEFAULT FALSE value explicitly. The OID is kept as raw content bytes: `2.25.<UUID>`
/// OIDs (ours among them) have arcs larger than the `der` crate's 32-bit arcs.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct ExtData {
    pub id: RawOid,
    pub critical: Option<bool>,
    pub value: OctetString,
}

/// An OBJECT IDENTIFIER kept as its content bytes.
#[derive(Clone, Debug, Eq, PartialEq)]
pub(crate) struct RawOid(pub Vec<u8>);

impl<'a> der::DecodeValue<'a> for RawOid {
    type Error = der::Error;
    fn decode_value<R: der::Reader<'a>>(reader: &mut R, header: der::Header) -> der::Result<Self> {
        let bytes = reader.read_vec(header.length())?;
        // Well-formed base-128 arcs: no leading 0x80 byte, the last byte ends an arc.
        let ok = !bytes.is_empty()
            && bytes.last().is_some_and(|b| b & 0x80 == 0)
            && std::iter::once(&0u8)
                .chain(&bytes)
                .zip(&bytes)
                .all(|(prev, b)| *b != 0x80 || prev & 0x80 != 0);
        if !ok {
            return Err(der::Tag::ObjectIdentifier.value_error().into());
        }
        Ok(Self(bytes))
    }
}

impl der::EncodeValue for RawOid {
    fn value_len(&self) -> der::Result<der::Length> {
        der::Length::try_from(self.0.len())
    }
    fn encode_value(&self, writer: &mut impl der::Writer) -> der::Result<()> {
        writer.write(&self.0)
    }
}

impl der::FixedTag for RawOid {
    const TAG: der::Tag = der::Tag::ObjectIdentifier;
}

/// `CertDigestObj` of a v4/v5 certificate list given as digests.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct CertDigest {
    pub kind: PrintableString,
    pub value: OctetString,
}

/// v4/v5 `SES_ESPropertyInfo`; `cert_list` is a `SEQUENCE OF OCTET STRING` (type 1) or of
/// `CertDigestObj` (type 2), told apart by `cert_list_type`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct PropertyV4<'a> {
    pub kind: i64,
    pub name: String,
    pub cert_list_type: i64,
    pub cert_list: AnyRef<'a>,
    pub create_date: GeneralizedTime,
    pub valid_start: GeneralizedTime,
    pub valid_end: GeneralizedTime,
}

/// v1 `SES_ESPropertyInfo`: a list of certificates (OCTET STRINGs; entries of other types,
/// seen in deployed seals, are read and reported as not certificates); dates as UTCTime
/// (GeneralizedTime is accepted too, as some v1 writers use it).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct PropertyV1<'a> {
    pub kind: i64,
    pub name: String,
    pub cert_list: Vec<AnyRef<'a>>,
    pub create_date: AnyRef<'a>,
    pub valid_start: AnyRef<'a>,
    pub valid_end: AnyRef<'a>,
}

/// v4/v5 `SES_SealInfo`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SealInfoV4<'a> {
    pub header: Header,
    pub es_id: Ia5String,
    pub property: PropertyV4<'a>,
    pub picture: Picture,
    pub ext_datas: Option<Vec<ExtData>>,
}

/// v1 `SES_SealInfo`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SealInfoV1<'a> {
    pub header: Header,
    pub es_id: Ia5String,
    pub property: PropertyV1<'a>,
    pub picture: Picture,
    pub ext_datas: Option<Vec<ExtData>>,
}

/// v4/v5 `SESeal`. The maker signs the DER of `eSealInfo`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SealV4<'a> {
    pub info: AnyRef<'a>,
    pub cert: OctetString,
    pub alg: ObjectIdentifier,
    pub signed_value: BitString,
    #[asn1(context_specific = "0", optional = "true")]
    pub time_stamp: Option<BitString>,
}

/// v1 `SES_SignInfo`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SignInfoV1 {
    pub cert: OctetString,
    pub alg: ObjectIdentifier,
    pub sign_data: BitString,
}

/// v1 `SESeal`. The maker signs `SEQUENCE { esealInfo, cert, signatureAlgorithm }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SealV1<'a> {
    pub info: AnyRef<'a>,
    pub sign_info: SignInfoV1,
}

/// What the v1 maker signs.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SealV1Tbs<'a> {
    pub info: AnyRef<'a>,
    pub cert: OctetString,
    pub alg: ObjectIdentifier,
}

/// v4/v5 `TBS_Sign`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct TbsSignV4<'a> {
    pub version: i64,
    pub eseal: AnyRef<'a>,
    pub time_info: GeneralizedTime,
    pub data_hash: BitString,
    pub property_info: Ia5String,
    #[asn1(context_specific = "0", optional = "true")]
    pub ext_datas: Option<Vec<ExtData>>,
}

/// v4/v5 `SES_Signature`. The signer signs the DER of `toSign`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SignatureV4<'a> {
    pub tbs: AnyRef<'a>,
    pub cert: OctetString,
    pub alg: ObjectIdentifier,
    pub signature: BitString,
    #[asn1(context_specific = "0", optional = "true")]
    pub time_stamp: Option<BitString>,
}

/// v1 `TBS_Sign`. `timeInfo` and `dataHash` are BIT STRINGs in the standard; some writers put
/// OCTET STRINGs there, which are read too.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct TbsSignV1<'a> {
    pub version: i64,
    pub eseal: AnyRef<'a>,
    pub time_info: AnyRef<'a>,
    pub data_hash: AnyRef<'a>,
    pub property_info: Ia5String,
    pub cert: OctetString,
    pub alg: ObjectIdentifier,
}

/// v1 `SES_Signature`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SignatureV1<'a> {
    pub tbs: AnyRef<'a>,
    pub signature: BitString,
}

/// The yinxin status reference in a seal's `extDatas` (docs/decisions/0012).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct StatusExt {
    pub uri: String,
    pub index: u64,
}
