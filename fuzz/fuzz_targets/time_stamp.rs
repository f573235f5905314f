//! RFC 3161 time stamp tokens (CMS SignedData over a TSTInfo) as seal signatures carry them:
//! never panic; a token is verified only with anchors, and one that is not invalid names its
//! time and TSA.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    yinxin::fuzzing::time_stamp(data);
});
