//! E-licenses: the GB/T 36903 model, issuance as ISO/IEC 18013-5 mdoc credentials, and
//! verification.
//!
//! A license is issued as an **IssuerSigned** structure: every element (the GB/T 36903 metadata
//! in name space `cn.gov.elicense.meta.1`, the surface fields in `cn.gov.elicense.<type>.1`) is a
//! salted `IssuerSignedItem` under a random digest ID; `issuerAuth` is a COSE_Sign1 by the
//! issuing authority over the MobileSecurityObject (per-element digests, validityInfo, the
//! holder's key in deviceKeyInfo, the docType `cn.gov.elicense.<type>`, and an optional status
//! reference), with the authority's certificate chain in `x5chain`. Selective disclosure comes
//! from the salted digests: a holder can show some items and the verifier still checks them.
//!
//! [`LicenseIssuer::issue`] validates the data first ([`LicenseData`]), and
//! [`LicenseVerifier::verify`] returns a [`VerifiedLicense`] only after every check passed; each
//! failure is its own [`LicenseError`] variant with a stable code. [`untrusted`] reads foreign
//! mdocs (e.g. the ISO 18013-5 Annex D example) without a trust anchor, for inspection.

mod compact;
pub mod compact_keys;
mod device_key;
mod error;
mod issue;
mod issuer_signed;
mod model;
mod mso;
pub(crate) mod tree;
pub mod untrusted;
mod value;
mod verify;

/// Where a credential's status is published: a status concept, named here too because every
/// issuance names one.
pub use crate::status::StatusReference;
pub use compact_keys::{GB18030_ELEMENTS, META_ORDER, SURFACE_KEYS};
pub use device_key::COSE_CRV_SM2;
pub use error::{IssueError, LicenseError};
pub use issue::{IssueOptions, IssueWarning, IssuedLicense, LicenseIssuer};
pub use issuer_signed::MAX_CREDENTIAL_SIZE;
pub use model::{HolderKind, LicenseData, LicenseMeta};
pub use mso::ValidityInfo;
pub use value::ElementValue;
pub use verify::{DEFAULT_CLOCK_SKEW, LicenseVerifier, VerifiedLicense};

use crate::id::LicenseTypeCode;

// What presentations (the `present` layer above) read of a credential: its IssuerSigned as
// parsed here, and the holder's view of its MSO and compact sets (below).
pub(crate) use issuer_signed::{
    IssuerSigned, parse as parse_issuer_signed, parse_at as parse_issuer_signed_at,
};
// Decoders reached only after a signature check, for the fuzz targets (the fuzzing module).
#[cfg(fuzzing)]
pub(crate) use {compact::decode as decode_compact, mso::Mso};

/// What a holder needs from its own license's MSO (no trust check: the holder's own data).
pub(crate) struct HolderView {
    pub doc_type: String,
    pub holder_key: Option<crate::crypto::PublicKey>,
}

/// The element identifiers and holder key of a pre-signed compact QR set (unverified: the
/// holder reading its own credential).
pub(crate) fn compact_set_view(raw: &[u8]) -> Result<(Vec<String>, crate::crypto::PublicKey), LicenseError> {
    let sign1 = crate::cose::sign1::parse(raw)?;
    let claims = compact::decode(sign1.payload, DOC_TYPE_PREFIX)?;
    let names = claims.elements.values().flat_map(|m| m.keys().cloned()).collect();
    Ok((names, claims.holder_key))
}

/// Reads the docType and holder key of a parsed credential's MSO.
pub(crate) fn mso_of(parsed: &IssuerSigned<'_>) -> Result<HolderView, LicenseError> {
    let mso = mso::Mso::from_payload(parsed.issuer_auth.payload)?;
    Ok(HolderView {
        holder_key: mso.device_key.as_ref().and_then(device_key::from_cose_key),
        doc_type: mso.doc_type,
    })
}

/// The name space of the GB/T 36903 metadata elements.
pub const META_NAMESPACE: &str = "cn.gov.elicense.meta.1";
/// Every yinxin docType starts with this, followed by the license type code.
pub const DOC_TYPE_PREFIX: &str = "cn.gov.elicense.";

/// The docType of licenses of a type: `cn.gov.elicense.<license type code>`.
pub fn doc_type(type_code: &LicenseTypeCode) -> String {
    format!("{DOC_TYPE_PREFIX}{type_code}")
}

/// The name space of a type's surface fields: `cn.gov.elicense.<license type code>.1`.
pub fn surface_namespace(type_code: &LicenseTypeCode) -> String {
    format!("{DOC_TYPE_PREFIX}{type_code}.1")
}
