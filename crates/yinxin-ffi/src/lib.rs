//! # yinxin-ffi: the yinxin library for Kotlin, Swift and Python (uniffi)
//!
//! A thin layer over the core crate, one object per role; no logic of its own:
//! * [`Authority`] / [`Issuer`]: for backends that prefer Kotlin or Python: make an
//!   authority, issue licenses, sign status lists.
//! * [`Wallet`]: the holder's app: store licenses, list them, build a presentation QR code for
//!   chosen elements, signed by a [`HolderKey`] (a platform keystore, implemented in Kotlin or
//!   Swift) or by a software key.
//! * [`Verifier`]: the counter: trust anchors or trust lists (fetched by the library or by
//!   the app's [`HttpClient`], or handed over as bytes), status lists, window and policy;
//!   verifies QR text or a photo and returns a [`Verdict`] with the disclosed elements and the
//!   reason.
//! * seal helpers: [`inspect_seal`], [`verify_seal`], [`verify_seal_signature`], [`verify_ofd`].
//!
//! Every failure is a [`YinxinError`] with the stable code of the core library (e.g.
//! `present.replayed`); no panic crosses the boundary (uniffi turns one into an internal error,
//! and none of this crate's paths panic). Only bytes, strings, numbers and records cross it.
//! Every object is `Send + Sync`.

uniffi::setup_scaffolding!();

mod authority;
mod error;
mod holder;
mod seal;
mod trust_lists;
mod verifier;
mod wallet_store;

pub use authority::{Authority, IssuedLicense, Issuer, StatusEntry, TrustListEntrySpec};
pub use error::YinxinError;
pub use holder::{DisclosureSet, HolderKey, LicenseSummary, Wallet};
pub use seal::{
    OfdSignatureVerdict, SealCheckVerdict, SealInfo, SealPolicy, SealVerdict, inspect_seal, verify_ofd,
    verify_seal, verify_seal_signature,
};
pub use trust_lists::{HttpClient, HttpResponse, SourceReport, TrustListConfig, TrustListSummary};
pub use verifier::{DisclosedElement, Verdict, Verifier, VerifierConfig};
pub use wallet_store::{
    ConsentRecord, RequestInfo, StorageKey, UnlockedWallet, WalletListing, WalletStore, WalletStoreOptions,
    make_request,
};

/// The library version.
#[uniffi::export]
pub fn yinxin_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// A PNG of QR text (error correction M), `module_px` pixels per module.
#[uniffi::export]
pub fn qr_png(text: String, module_px: u32) -> Result<Vec<u8>, YinxinError> {
    yinxin::present::qr_image::render_png(&text, module_px).map_err(YinxinError::unreadable)
}

/// An SVG of QR text.
#[uniffi::export]
pub fn qr_svg(text: String) -> Result<String, YinxinError> {
    yinxin::present::qr_image::render_svg(&text).map_err(YinxinError::unreadable)
}

/// The QR text in an image (a screenshot or a camera photo).
#[uniffi::export]
pub fn qr_read_image(image: Vec<u8>) -> Result<String, YinxinError> {
    yinxin::present::qr_image::read_image(&image).map_err(YinxinError::unreadable)
}

/// `from + span`, refused as `ffi.time` when it would pass the end of the year 9999 (a day or
/// hour count from the app is never trusted to fit).
pub(crate) fn later(
    from: time::OffsetDateTime,
    span: time::Duration,
    what: &str,
) -> Result<time::OffsetDateTime, YinxinError> {
    from.checked_add(span).filter(|t| t.year() <= 9999).ok_or_else(|| YinxinError::Config {
        code: "ffi.time".into(),
        reason: format!("{what}: the time it gives ends after the year 9999"),
    })
}

/// Unix seconds as a time, or now.
pub(crate) fn at(unix_seconds: Option<i64>) -> Result<time::OffsetDateTime, YinxinError> {
    match unix_seconds {
        None => Ok(time::OffsetDateTime::now_utc()),
        Some(s) => time::OffsetDateTime::from_unix_timestamp(s).map_err(|_| YinxinError::Config {
            code: "ffi.time".into(),
            reason: format!("{s} is not a time"),
        }),
    }
}
