//! GB/T 35275 SignedData (OFD package integrity and PKCS#7 signatures).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| yinxin::fuzzing::signed_data(data));
