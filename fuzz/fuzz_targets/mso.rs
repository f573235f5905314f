//! The MobileSecurityObject (valueDigests, validityInfo, deviceKeyInfo, status), which verification reads only after the issuer signature.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| yinxin::fuzzing::mso(data));
