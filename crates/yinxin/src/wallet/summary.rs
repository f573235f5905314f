//! What a wallet shows of a license it holds: read from the credential, its issuer signature
//! and digests checked with the key it carries (the holder's own data: no trust anchor).

use time::OffsetDateTime;

use super::WalletError;
use crate::crypto::PublicKey;
use crate::license::{ElementValue, LicenseError, META_NAMESPACE, parse_issuer_signed, untrusted};

/// A pre-signed disclosure set of a license (small QR codes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureSet {
    /// Its name (`counter_check`, `age_and_class`, `full`…).
    pub name: String,
    /// The element identifiers it shows.
    pub elements: Vec<String>,
}

/// What the wallet shows of a stored license.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseSummary {
    /// The license identifier.
    pub identifier: String,
    /// The docType.
    pub doc_type: String,
    /// The license name (营业执照, 机动车驾驶证…).
    pub license_name: Option<String>,
    /// The holder's name.
    pub holder_name: Option<String>,
    /// The issuing authority's name (颁发机构).
    pub issuer: Option<String>,
    /// Last day of validity (`YYYY-MM-DD`); `None` for long-term licenses.
    pub valid_until: Option<String>,
    /// Every element identifier.
    pub elements: Vec<String>,
    /// The pre-signed disclosure sets.
    pub disclosure_sets: Vec<DisclosureSet>,
}

fn text(v: Option<&ElementValue>) -> Option<String> {
    v.and_then(|e| match e.to_json() {
        serde_json::Value::String(s) => Some(s),
        _ => None,
    })
}

/// The summary of a credential, and the holder key its MSO binds it to.
pub(crate) fn read(credential: &[u8]) -> Result<(LicenseSummary, Option<PublicKey>), WalletError> {
    let report = untrusted::inspect(credential, OffsetDateTime::now_utc())?;
    let doc = report.into_iter().next().ok_or_else(|| LicenseError::Malformed("no document".into()))?;
    if let Some(code) = doc.error {
        // The holder's own data, but not data that does not even verify against its own key,
        // nor one whose pre-signed sets or tree claims do not (the failure's own code).
        return Err(doc
            .failure
            .clone()
            .unwrap_or_else(|| {
                LicenseError::Malformed(format!("{code}: {}", doc.message.clone().unwrap_or_default()))
            })
            .into());
    }
    let meta = doc.elements.get(META_NAMESPACE);
    let get = |id: &str| text(meta.and_then(|m| m.get(id)));
    let identifier = get("license_identifier")
        .ok_or_else(|| LicenseError::Malformed("the credential has no license_identifier".into()))?;
    let sets = crate::present::compact_sets(credential)?;
    let holder = crate::license::mso_of(&parse_issuer_signed(credential)?)?.holder_key;
    let summary = LicenseSummary {
        identifier,
        doc_type: doc.doc_type.clone(),
        license_name: get("license_name"),
        holder_name: get("holder_name"),
        issuer: get("issuer_name"),
        valid_until: get("valid_until"),
        elements: doc.elements.values().flat_map(|m| m.keys().cloned()).collect(),
        disclosure_sets: sets.into_iter().map(|(name, elements)| DisclosureSet { name, elements }).collect(),
    };
    Ok((summary, holder))
}
