//! The OFD reader (zip, XML, signature kinds) on hostile input: never panic, stay within the
//! limits.
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
});
