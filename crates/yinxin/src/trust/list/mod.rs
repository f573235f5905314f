//! Trust lists: which issuing authorities a region's list operator trusts, for which document
//! types, signed so that verifiers elsewhere can rely on it (川渝 mutual recognition: a counter
//! in Chongqing trusts the Sichuan operator, not every Sichuan authority).
//!
//! The format is the VICAL of ISO/IEC 18013-5 Annex C: a COSE_Sign1 by the operator (its
//! certificate chain in `x5chain`) over a CBOR map with `version`, `vicalProvider`, `date`,
//! `vicalIssueID`, `nextUpdate` and one `CertificateInfo` per authority (certificate, serial
//! number, key identifier, `docType`s). yinxin adds the operator's region (GB/T 2260) under
//! `extensions`, and names what an authority may issue with e-license document types
//! (`cn.gov.elicense.<type code>`) or [`SEAL_DOC_TYPE`]. Lists made elsewhere (AAMVA's, for
//! mDLs) read and verify the same way; entries whose keys yinxin cannot use are skipped and
//! reported, not fatal.
//!
//! * [`TrustList::sign`] makes a list (refusing one a verifier would refuse).
//! * [`TrustListVerifier::verify`] checks one against list-operator anchors at a time:
//!   operator chain, algorithm, signature, structure, `date`, `nextUpdate` plus a grace period
//!   (stale lists are refused with their own code).
//! * [`TrustListState`] remembers the newest list accepted per operator, refusing rollbacks.
//! * The verifier facade ([`crate::Verifier::add_trust_list`]) puts the listed authorities in
//!   its trust store as anchors scoped to their document types; a newer list replaces the
//!   older one's authorities, so one dropped from the list is no longer trusted.

mod decode;
mod encode;
mod error;
mod model;
mod state;
mod verify;

pub use encode::VERSION;
pub use error::{EntryError, TrustListError};
pub use model::{
    LICENSE_DOC_TYPE_PREFIX, REGION_EXTENSION, SEAL_DOC_TYPE, TrustList, TrustListEntry, doc_type_of,
    region_subdivision, type_label,
};
pub use state::{MAX_STATE_SIZE, TrustListState};
pub use verify::{ListedAuthority, SkippedEntry, TrustListVerifier, VerifiedTrustList};

/// Signed lists larger than this are refused before parsing (16 MiB: 10,000 authorities of
/// about 1 KiB each with room to spare).
pub const MAX_TRUST_LIST_SIZE: usize = 16 << 20;
/// Entries (`certificateInfos`) in one list at most.
pub const MAX_ENTRIES: usize = 10_000;
/// Document types (or certificate profiles) of one entry at most.
pub const MAX_DOC_TYPES: usize = 256;

/// Reads a list's content **without checking its signature**, for display.
pub fn read_unverified(bytes: &[u8]) -> Result<TrustList, TrustListError> {
    if bytes.len() > MAX_TRUST_LIST_SIZE {
        return Err(TrustListError::TooLarge(bytes.len()));
    }
    decode::decode(crate::cose::sign1::parse(bytes)?.payload)
}

/// The payload decoder, for the fuzz targets.
#[cfg(fuzzing)]
pub(crate) fn fuzzing_decode(payload: &[u8]) -> Result<TrustList, TrustListError> {
    decode::decode(payload)
}

/// The entry checks, for the fuzz targets.
#[cfg(fuzzing)]
pub(crate) fn fuzzing_authorities(list: &TrustList) -> (Vec<ListedAuthority>, Vec<SkippedEntry>) {
    verify::authorities(list)
}
