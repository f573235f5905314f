//! Holder presentations shown as QR codes (work in progress for issue 6).
//!
//! * [`present`]: the holder discloses chosen elements of a stored license and signs them with
//!   the key the license is bound to (any [`Signer`](crate::crypto::Signer): a phone keystore
//!   through the bindings), with a creation time and a fresh nonce.
//! * [`PresentationVerifier`]: every license check on the disclosed elements (reusing
//!   [`LicenseVerifier`](crate::license::LicenseVerifier)), status, the holder signature, the
//!   freshness window (300 s by default), and the replay guard ([`ReplayGuard`], the "一次一验"
//!   rule: a code is accepted once).
//! * [`qr_text`]: `YX1:` + base45 of the presentation.
//!
//! This is the general (mdoc-style) profile, which works for any subset of elements. The
//! compact profile for the QR size goals is still to come; see
//! `docs/decisions/0010-qr-presentation-size-budget.md`.

mod error;
mod presentation;
pub mod qr_text;
mod replay;

pub use error::PresentError;
pub use presentation::{
    DEFAULT_SKEW, DEFAULT_WINDOW, Disclosure, MAX_PRESENTATION, PresentationVerifier, VerifiedPresentation,
    compact_sets, present,
};
pub use replay::{DEFAULT_REPLAY_CAPACITY, ReplayGuard};
