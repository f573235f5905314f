//! COSE_Sign1 as verifiers read it (headers, crit, labels in both headers, x5chain), reached here without a valid signature.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| yinxin::fuzzing::cose_sign1(data));
