//! Holder presentations shown as QR codes (work in progress for issue 6).
//!
//! Present so far: the QR text codec ([`qr_text`]) and the verifier's replay guard
//! ([`ReplayGuard`], the "一次一验" rule: a presentation is accepted once). The presentation
//! structure itself, holder and verifier follow the size analysis in
//! `docs/decisions/0010-qr-presentation-size-budget.md`.

mod error;
pub mod qr_text;
mod replay;

pub use error::PresentError;
pub use replay::{DEFAULT_REPLAY_CAPACITY, ReplayGuard};
