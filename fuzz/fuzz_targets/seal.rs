//! The seal and SES_Signature decoders (v1, v4, v5) and the verifier's checks on hostile input:
//! never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use time::OffsetDateTime;
use yinxin::seal::{Seal, SealSignature, SealVerifier};

fuzz_target!(|data: &[u8]| {
    let v = SealVerifier::without_trust_anchors();
    let now = OffsetDateTime::now_utc();
    if let Ok(seal) = Seal::from_der(data) {
        let _ = v.check_seal(&seal, now);
    }
    if let Ok(sig) = SealSignature::from_der(data) {
        let _ = v.check_signature(&sig, Some(&[0u8; 32]), now);
    }
});
