//! The license credential decoder and verifier, and the untrusted mdoc reader, on hostile
//! input: never panic, never accept.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use time::OffsetDateTime;
use yinxin::license::{LicenseVerifier, untrusted};
use yinxin::trust::TrustStore;

fn verifier() -> &'static LicenseVerifier {
    static V: OnceLock<LicenseVerifier> = OnceLock::new();
    V.get_or_init(|| LicenseVerifier::new(TrustStore::new()))
}

fuzz_target!(|data: &[u8]| {
    let at = OffsetDateTime::UNIX_EPOCH;
    // An empty trust store: nothing can be valid.
    assert!(verifier().verify(data, at).is_err());
    let _ = untrusted::inspect(data, at);
});
