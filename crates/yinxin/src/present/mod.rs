//! Holder presentations shown as QR codes.
//!
//! * [`present`]: the holder discloses chosen elements of a stored license and signs them with
//!   the key the license is bound to (any [`Signer`](crate::crypto::Signer): a phone keystore
//!   through the bindings), with a creation time and a fresh nonce.
//! * [`PresentationVerifier`]: every license check on the disclosed elements (reusing
//!   [`LicenseVerifier`](crate::license::LicenseVerifier)), status, the holder signature, the
//!   freshness window (300 s by default), and the replay guard ([`ReplayGuard`], the "一次一验"
//!   rule: a code is accepted once).
//! * [`qr_text`]: `YX1:` + base45 of the presentation; `qr_image` (feature `qr-image`)
//!   renders it and reads it back from photos.
//!
//! Three forms: a disclosure set the issuer pre-signed (decisions 0010 and 0011), the tree form
//! for any subset (decision 0017), both naming the issuer by key id; [`present`] takes the
//! shorter that holds exactly the chosen elements. The mdoc-style form
//! ([`present_mdoc_form`]) carries ISO 18013-5 items and the issuer certificate, for verifiers
//! that read only mdoc, and is what a license without tree claims falls back to.

pub mod delegation;
mod error;
mod presentation;
#[cfg(feature = "qr-image")]
pub mod qr_image;
#[cfg(feature = "qr-photo")]
pub mod qr_photo;
pub mod qr_text;
mod replay;
mod replay_cache;
pub mod request;
mod tree_form;
pub mod verdict;

pub use error::PresentError;
pub use presentation::{
    Agent, DEFAULT_SKEW, DEFAULT_WINDOW, Disclosure, MAX_PRESENTATION, MAX_WINDOW, PresentationVerifier,
    VerifiedPresentation, compact_sets, present, present_as_agent, present_for_request, present_mdoc_form,
};
pub use replay::{DEFAULT_REPLAY_CAPACITY, ReplayGuard};
pub use replay_cache::MAX_REPLAY_CACHE;
