//! Identifier parsers: never panic, and whatever parses prints back to the same text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yinxin::id::{LicenseIdentifier, LicenseTypeCode, ResidentId, Uscc, detect};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = detect(s);
    if let Ok(v) = Uscc::parse(s) {
        assert_eq!(v.to_string(), s);
    }
    if let Ok(v) = ResidentId::parse(s) {
        assert_eq!(v.to_string(), s.to_ascii_uppercase());
    }
    if let Ok(v) = LicenseTypeCode::parse(s) {
        assert_eq!(v.to_string(), s);
    }
    if let Ok(v) = LicenseIdentifier::parse(s) {
        assert_eq!(v.to_string(), s);
        assert_eq!(LicenseIdentifier::parse(&v.to_string()).ok(), Some(v));
    }
});
