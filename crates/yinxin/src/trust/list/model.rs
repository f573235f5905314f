//! What a trust list says: the VICAL structure of ISO/IEC 18013-5 Annex C, with the region
//! (GB/T 2260) yinxin adds as an extension.

use time::OffsetDateTime;

use super::TrustListError;

/// The document type prefix of e-licenses: an entry allowed to issue licenses of type code
/// `C` lists the document type `cn.gov.elicense.C`.
pub const LICENSE_DOC_TYPE_PREFIX: &str = crate::license::DOC_TYPE_PREFIX;
/// The document type an entry lists to be trusted as a seal maker (GB/T 38540 seals).
pub const SEAL_DOC_TYPE: &str = "cn.gov.eseal";
/// The key under the list's `extensions` that holds its region (GB/T 2260 division code).
pub const REGION_EXTENSION: &str = "cn.gov.region";

/// A trust list: who operates it, which issue it is, and the authorities it trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustList {
    /// `version` (yinxin writes "1.0").
    pub version: String,
    /// `vicalProvider`: the list operator's name.
    pub provider: String,
    /// `date`: when the list was issued.
    pub date: OffsetDateTime,
    /// `vicalIssueID`: increases with every issue; a verifier refuses a lower one than it has
    /// accepted. Optional in ISO 18013-5; yinxin always writes it.
    pub issue_id: Option<u64>,
    /// `nextUpdate`: when the next issue will be out; past it (and a verifier's grace period)
    /// the list is stale.
    pub next_update: Option<OffsetDateTime>,
    /// The region the operator speaks for (GB/T 2260, e.g. 510000 Sichuan, 500000 Chongqing),
    /// from `extensions`.
    pub region: Option<String>,
    /// `certificateInfos`: one entry per trusted authority.
    pub entries: Vec<TrustListEntry>,
}

/// One `CertificateInfo`: an authority's certificate and the document types it may issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustListEntry {
    /// `certificate`: DER X.509 (the authority's root or issuing certificate).
    pub certificate: Vec<u8>,
    /// `serialNumber`: the certificate's serial number, big-endian without sign byte.
    pub serial_number: Vec<u8>,
    /// `ski`: the certificate's subject key identifier.
    pub ski: Vec<u8>,
    /// `docType`: what documents it may issue (`cn.gov.elicense.<type code>`,
    /// `org.iso.18013.5.1.mDL`, [`SEAL_DOC_TYPE`]…).
    pub doc_types: Vec<String>,
    /// `certificateProfile`: URNs of the certificate's profile.
    pub certificate_profile: Vec<String>,
    /// `issuingAuthority`: the authority's name.
    pub issuing_authority: Option<String>,
    /// `issuingCountry`: ISO 3166-1 alpha-2 (CN).
    pub issuing_country: Option<String>,
    /// `stateOrProvinceName` (yinxin writes ISO 3166-2, e.g. CN-SC).
    pub state_or_province: Option<String>,
    /// `notBefore` of the certificate.
    pub not_before: Option<OffsetDateTime>,
    /// `notAfter` of the certificate.
    pub not_after: Option<OffsetDateTime>,
}

/// Provinces by the first two digits of their GB/T 2260 code, with their ISO 3166-2 code.
const PROVINCES: [(&str, &str); 34] = [
    ("11", "CN-BJ"),
    ("12", "CN-TJ"),
    ("13", "CN-HE"),
    ("14", "CN-SX"),
    ("15", "CN-NM"),
    ("21", "CN-LN"),
    ("22", "CN-JL"),
    ("23", "CN-HL"),
    ("31", "CN-SH"),
    ("32", "CN-JS"),
    ("33", "CN-ZJ"),
    ("34", "CN-AH"),
    ("35", "CN-FJ"),
    ("36", "CN-JX"),
    ("37", "CN-SD"),
    ("41", "CN-HA"),
    ("42", "CN-HB"),
    ("43", "CN-HN"),
    ("44", "CN-GD"),
    ("45", "CN-GX"),
    ("46", "CN-HI"),
    ("50", "CN-CQ"),
    ("51", "CN-SC"),
    ("52", "CN-GZ"),
    ("53", "CN-YN"),
    ("54", "CN-XZ"),
    ("61", "CN-SN"),
    ("62", "CN-GS"),
    ("63", "CN-QH"),
    ("64", "CN-NX"),
    ("65", "CN-XJ"),
    ("71", "CN-TW"),
    ("81", "CN-HK"),
    ("82", "CN-MO"),
];

/// Checks a GB/T 2260 division code (six digits of a known province, e.g. 510000 or 510100)
/// and returns the province's ISO 3166-2 code.
pub fn region_subdivision(code: &str) -> Result<&'static str, TrustListError> {
    let bad = || TrustListError::Region(code.to_owned());
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let province = code.get(..2).ok_or_else(bad)?;
    PROVINCES.iter().find(|(p, _)| *p == province).map(|(_, iso)| *iso).ok_or_else(bad)
}

/// The document type a `--entry` type names: a license type code `C` becomes
/// `cn.gov.elicense.C`; a document type (it has a dot) is kept, e.g. `org.iso.18013.5.1.mDL`
/// or [`SEAL_DOC_TYPE`].
pub fn doc_type_of(type_or_code: &str) -> Result<String, TrustListError> {
    let bad = || TrustListError::DocType(type_or_code.to_owned());
    if type_or_code.contains('.') {
        let ok = type_or_code.len() <= 128
            && !type_or_code.starts_with('.')
            && !type_or_code.ends_with('.')
            && type_or_code.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        return if ok { Ok(type_or_code.to_owned()) } else { Err(bad()) };
    }
    crate::id::LicenseTypeCode::parse(type_or_code).map_err(|_| bad())?;
    Ok(format!("{LICENSE_DOC_TYPE_PREFIX}{type_or_code}"))
}

/// How a document type reads in a summary: the type code of an e-license document type,
/// anything else as it is.
pub fn type_label(doc_type: &str) -> &str {
    doc_type.strip_prefix(LICENSE_DOC_TYPE_PREFIX).unwrap_or(doc_type)
}
