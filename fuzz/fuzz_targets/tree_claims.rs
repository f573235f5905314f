//! Tree claims (any-subset QR codes): the signed header, the stored form, values as sent and the proof walk.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| yinxin::fuzzing::tree_claims(data));
