//! The GB/T 36903 license model: metadata elements and surface fields, and their validation.

use std::collections::BTreeMap;

use time::Date;

use super::value::parse_date;
use super::{ElementValue, IssueError};
use crate::ErrorCode;
use crate::id::{IdKind, LicenseIdentifier, LicenseTypeCode, ResidentId, Uscc};

/// At most this many surface elements.
const MAX_SURFACE_ELEMENTS: usize = 128;
/// Element identifiers longer than this are refused.
const MAX_ELEMENT_NAME: usize = 64;

/// Who holds the license.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolderKind {
    /// A natural person (持证主体为自然人): holder_code_type 111, a resident ID number.
    NaturalPerson,
    /// A legal entity (法人): holder_code_type 001, a USCC.
    LegalEntity,
}

impl HolderKind {
    /// The JSON name: `natural_person` or `legal_entity`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NaturalPerson => "natural_person",
            Self::LegalEntity => "legal_entity",
        }
    }
}

/// The GB/T 36903 metadata elements (证照元数据) as given by the issuing system.
///
/// Values are kept as text here; issuance (`LicenseIssuer::issue`) validates every identifier
/// and date.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LicenseMeta {
    /// 证照名称
    pub license_name: String,
    /// 证照类型代码
    pub license_type_code: String,
    /// 证照编号
    pub license_number: String,
    /// 证照标识 (GB/T 36904)
    pub license_identifier: String,
    /// 颁发机构
    pub issuer_name: String,
    /// 颁发机构代码 (USCC)
    pub issuer_code: String,
    /// 颁发日期
    pub issue_date: String,
    /// 持证主体
    pub holder_name: String,
    /// 持证主体代码
    pub holder_code: String,
    /// 持证主体代码类型: 111 resident ID number, 001 USCC
    pub holder_code_type: String,
    /// 有效期起始
    pub valid_from: String,
    /// 有效期截止; `None` is long-term (长期)
    pub valid_until: Option<String>,
}

/// One license as an issuing system hands it to yinxin: the shape of the reference licenses in
/// `shared/fixtures` (other keys in that JSON are ignored).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct LicenseData {
    /// Natural person or legal entity.
    pub holder_kind: HolderKind,
    /// The metadata elements.
    pub meta: LicenseMeta,
    /// The surface fields (照面信息), by element identifier.
    #[serde(deserialize_with = "surface_from_json")]
    pub surface: BTreeMap<String, ElementValue>,
    /// Named disclosure sets (as in the reference licenses): a list of element identifiers, or
    /// a description string, which stands for every element except `portrait`.
    #[serde(default)]
    pub disclosure_sets: BTreeMap<String, serde_json::Value>,
}

fn surface_from_json<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, ElementValue>, D::Error> {
    let map: BTreeMap<String, serde_json::Value> = serde::Deserialize::deserialize(d)?;
    Ok(map.into_iter().map(|(k, v)| (k, ElementValue::from_json(&v))).collect())
}

/// A license whose identifiers and dates were all checked.
#[derive(Debug, Clone)]
pub(crate) struct ValidLicense {
    pub type_code: LicenseTypeCode,
    pub identifier: LicenseIdentifier,
    pub issuer_code: Uscc,
    pub issue_date: Date,
    pub valid_from: Date,
    pub valid_until: Option<Date>,
}

fn identifier_error(field: &'static str, e: &(impl ErrorCode + std::fmt::Display)) -> IssueError {
    IssueError::Identifier { field, code: e.code(), message: e.to_string() }
}

fn date(field: &str, s: &str) -> Result<Date, IssueError> {
    parse_date(s).ok_or_else(|| IssueError::Date(field.to_owned()))
}

/// Surface elements whose names say they are dates are carried as full-dates.
fn is_date_name(name: &str) -> bool {
    name.starts_with("date_") || name.ends_with("_date") || name == "date"
}

impl LicenseData {
    /// Reads the JSON shape of the reference licenses (a leading UTF-8 byte order mark, as
    /// some Windows editors write, is skipped). The shape is documented in
    /// `docs/license-json.md`.
    pub fn from_json(json: &[u8]) -> Result<Self, IssueError> {
        let json = json.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(json);
        serde_json::from_slice(json).map_err(|e| IssueError::Data(e.to_string()))
    }

    /// Checks every identifier, date and consistency rule, without the signing certificate:
    /// license_type_code, license_identifier (and that its type and issuer are the license's),
    /// issuer_code, holder_code against holder_code_type (111 resident ID, 001 USCC) and
    /// holder_kind, the three dates, valid_from ≤ valid_until, and the surface element names.
    pub(crate) fn validate(&self) -> Result<ValidLicense, IssueError> {
        let m = &self.meta;
        let type_code = LicenseTypeCode::parse(&m.license_type_code)
            .map_err(|e| identifier_error("license_type_code", &e))?;
        let identifier = LicenseIdentifier::parse(&m.license_identifier)
            .map_err(|e| identifier_error("license_identifier", &e))?;
        let issuer_code = Uscc::parse(&m.issuer_code).map_err(|e| identifier_error("issuer_code", &e))?;
        if identifier.type_code() != &type_code {
            return Err(IssueError::TypeCodeMismatch {
                found: identifier.type_code().to_string(),
                expected: type_code.to_string(),
            });
        }
        if identifier.issuer() != &issuer_code {
            return Err(IssueError::IdentifierIssuerMismatch {
                found: identifier.issuer().to_string(),
                expected: issuer_code.to_string(),
            });
        }
        // A holder code that is a valid identifier of the other kind is named as such.
        let mismatch = |found: IdKind| IssueError::HolderCodeMismatch {
            code_type: m.holder_code_type.clone(),
            found: found.as_str(),
        };
        let expected_kind = match m.holder_code_type.as_str() {
            "111" => {
                if let Err(e) = ResidentId::parse(&m.holder_code) {
                    return Err(if Uscc::parse(&m.holder_code).is_ok() {
                        mismatch(IdKind::Uscc)
                    } else {
                        identifier_error("holder_code", &e)
                    });
                }
                HolderKind::NaturalPerson
            }
            "001" => {
                if let Err(e) = Uscc::parse(&m.holder_code) {
                    return Err(if ResidentId::parse(&m.holder_code).is_ok() {
                        mismatch(IdKind::ResidentId)
                    } else {
                        identifier_error("holder_code", &e)
                    });
                }
                HolderKind::LegalEntity
            }
            other => return Err(IssueError::HolderCodeType(other.to_owned())),
        };
        if expected_kind != self.holder_kind {
            return Err(IssueError::HolderKind {
                kind: self.holder_kind.as_str().to_owned(),
                code_type: m.holder_code_type.clone(),
            });
        }
        let issue_date = date("issue_date", &m.issue_date)?;
        let valid_from = date("valid_from", &m.valid_from)?;
        let valid_until = m.valid_until.as_deref().map(|s| date("valid_until", s)).transpose()?;
        if valid_until.is_some_and(|until| valid_from > until) {
            return Err(IssueError::ValidityOrder);
        }
        for text in [&m.license_name, &m.license_number, &m.issuer_name, &m.holder_name] {
            if text.trim().is_empty() {
                return Err(IssueError::Element("a required metadata element is empty".into()));
            }
        }
        if self.surface.len() > MAX_SURFACE_ELEMENTS {
            return Err(IssueError::Element(format!("more than {MAX_SURFACE_ELEMENTS} surface elements")));
        }
        for (name, value) in &self.surface {
            let valid_name = !name.is_empty()
                && name.len() <= MAX_ELEMENT_NAME
                && name.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_');
            if !valid_name {
                return Err(IssueError::Element(name.clone()));
            }
            if is_date_name(name) && value.as_text().is_some_and(|s| parse_date(s).is_none()) {
                return Err(IssueError::Date(name.clone()));
            }
        }
        Ok(ValidLicense { type_code, identifier, issuer_code, issue_date, valid_from, valid_until })
    }

    /// Checks everything issuance checks about the data alone (identifiers and their check
    /// characters, their consistency, dates, element names), without signing: for checking a
    /// batch line by line before anything else is done with it.
    pub fn check(&self) -> Result<(), IssueError> {
        self.validate().map(|_| ())
    }

    /// The disclosure sets as element lists, for pre-signing compact QR claims
    /// ([`IssueOptions::qr_sets`](super::IssueOptions::qr_sets)). A set given as a description
    /// string means every element except `portrait` (never carried in a QR code).
    pub fn qr_sets(&self) -> Vec<(String, Vec<String>)> {
        self.disclosure_sets
            .iter()
            .map(|(name, v)| {
                let elements = match v.as_array() {
                    Some(list) => list.iter().filter_map(|e| e.as_str().map(str::to_owned)).collect(),
                    None => super::compact_keys::META_ORDER
                        .iter()
                        .map(|s| (*s).to_owned())
                        .chain(self.surface.keys().filter(|k| *k != "portrait").cloned())
                        .collect(),
                };
                (name.clone(), elements)
            })
            .collect()
    }

    /// The metadata elements as they are signed, in a fixed order.
    pub(crate) fn meta_elements(&self, v: &ValidLicense) -> Vec<(&'static str, ElementValue)> {
        let m = &self.meta;
        let text = |s: &String| ElementValue::Text(s.clone());
        vec![
            ("license_name", text(&m.license_name)),
            ("license_type_code", ElementValue::Text(v.type_code.to_string())),
            ("license_number", text(&m.license_number)),
            ("license_identifier", ElementValue::Text(v.identifier.to_string())),
            ("issuer_name", text(&m.issuer_name)),
            ("issuer_code", ElementValue::Text(v.issuer_code.to_string())),
            ("issue_date", ElementValue::Date(v.issue_date)),
            ("holder_name", text(&m.holder_name)),
            ("holder_code", text(&m.holder_code)),
            ("holder_code_type", text(&m.holder_code_type)),
            ("valid_from", ElementValue::Date(v.valid_from)),
            ("valid_until", v.valid_until.map_or(ElementValue::Null, ElementValue::Date)),
        ]
    }

    /// The surface elements as they are signed: date-named text becomes a full-date.
    pub(crate) fn surface_elements(&self) -> Vec<(String, ElementValue)> {
        self.surface
            .iter()
            .map(|(name, value)| {
                let value = match value.as_text().and_then(parse_date) {
                    Some(d) if is_date_name(name) => ElementValue::Date(d),
                    _ => value.clone(),
                };
                (name.clone(), value)
            })
            .collect()
    }
}
