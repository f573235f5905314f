//! A verifier's request: signed or unsigned, as bytes or QR text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| yinxin::fuzzing::request(data));
