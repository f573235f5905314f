//! The OFD reader (zip, XML, signature kinds, every namespace and location form) and the
//! e-license file reader on hostile input: never panic, stay within the limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use time::OffsetDateTime;
use yinxin::seal::SealVerifier;
use yinxin::seal::ofd::{OfdLimits, verify_ofd};

fuzz_target!(|data: &[u8]| {
    let limits = OfdLimits {
        max_entries: 64,
        max_entry_bytes: 1 << 20,
        max_total_bytes: 4 << 20,
        ..OfdLimits::default()
    };
    let _ = verify_ofd(data, &SealVerifier::without_trust_anchors(), limits, OffsetDateTime::now_utc());
    if let Ok(file) = yinxin::seal::ofd::elicense::read_license_file(data, limits) {
        assert!(file.credential.len() <= yinxin::license::MAX_CREDENTIAL_SIZE);
    }
});
