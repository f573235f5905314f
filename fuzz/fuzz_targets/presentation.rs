//! The presentation decoder and verifier on hostile input: never panic, never accept (the
//! verifier trusts no root).
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use time::OffsetDateTime;
use yinxin::license::LicenseVerifier;
use yinxin::present::PresentationVerifier;
use yinxin::status::StatusListCache;
use yinxin::trust::TrustStore;

fn verifier() -> &'static PresentationVerifier {
    static V: OnceLock<PresentationVerifier> = OnceLock::new();
    V.get_or_init(|| {
        PresentationVerifier::new(LicenseVerifier::new(TrustStore::new()), Arc::new(StatusListCache::new()))
    })
}

fuzz_target!(|data: &[u8]| {
    assert!(verifier().verify(data, OffsetDateTime::now_utc()).is_err());
    if let Ok(text) = std::str::from_utf8(data) {
        assert!(verifier().verify_qr(text, OffsetDateTime::now_utc()).is_err());
    }
});
