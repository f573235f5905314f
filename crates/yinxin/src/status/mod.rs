//! Revocation and suspension: the IETF Token Status List (draft-ietf-oauth-status-list), CBOR
//! form.
//!
//! * [`StatusList`]: the bit array (1, 2, 4 or 8 bits per entry, LSB-first in each byte), its
//!   CBOR encoding `{"bits", "lst"}` with zlib-compressed `lst`, and bounded decoding: a list
//!   that would inflate past [`MAX_ENTRIES`] entries (or past a caller's limit) is refused
//!   without being inflated in full.
//! * [`StatusListToken`]: the signed Status List CWT (COSE_Sign1, tag 18; claims `sub`, `iat`,
//!   `exp`, `ttl`, `status_list`), made by the issuer and verified either with a known key or
//!   through the issuer's certificate chain.
//! * [`StatusListCache`]: a verifier's cache of verified lists by issuer and URI, honouring
//!   `exp` and `ttl`, filled on demand from a [`StatusSource`] when it has one.
//! * [`Status`]: yinxin's meaning of the 2-bit values: 0 VALID, 1 INVALID (revoked),
//!   2 SUSPENDED.

mod cache;
mod error;
mod list;
mod reference;
mod token;

pub use cache::{StatusListCache, StatusOutcome, StatusSource, issuer_id};
pub use error::StatusError;
pub use list::{MAX_ENTRIES, Status, StatusList, is_token};
pub use reference::StatusReference;
pub use token::{MAX_TOKEN_SIZE, StatusListToken, TokenClaims, VerifiedStatusList};

/// The `typ` of a Status List CWT.
pub const STATUS_LIST_CWT_TYPE: &str = "application/statuslist+cwt";
