//! Signature decoding and verification on hostile signatures: never panic, never accept.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use yinxin::crypto::{Algorithm, Signer, SoftwareKey, Verifier, der_to_raw, raw_to_der};

fn keys() -> &'static Vec<SoftwareKey> {
    static KEYS: OnceLock<Vec<SoftwareKey>> = OnceLock::new();
    KEYS.get_or_init(|| Algorithm::ALL.iter().map(|&a| SoftwareKey::generate(a).expect("key")).collect())
}

fuzz_target!(|data: &[u8]| {
    for key in keys() {
        let alg = key.algorithm();
        let public = key.public_key();
        assert!(public.verify(b"fuzz", data).is_err());
        assert!(public.verify_der(b"fuzz", data).is_err());
        if let Ok(raw) = der_to_raw(alg, data) {
            let der = raw_to_der(alg, &raw).expect("re-encode");
            assert_eq!(der_to_raw(alg, &der).ok(), Some(raw));
        }
    }
});
