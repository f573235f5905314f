//! Compact QR claims (numbered elements, GB 18030 text), which verification reads only after the issuer signature.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| yinxin::fuzzing::compact_claims(data));
