//! The bounded CBOR walker every decoder builds on: decoding, skipping and truncation agree.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| yinxin::fuzzing::cbor(data));
