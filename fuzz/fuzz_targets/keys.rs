//! Key decoders (SPKI, PKCS#8, SEC1, PEM, raw): never panic; what decodes re-encodes to a key
//! that decodes to the same key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yinxin::crypto::{Algorithm, PublicKey, Signer, SoftwareKey};

fuzz_target!(|data: &[u8]| {
    if let Ok(k) = PublicKey::from_pem_or_der(data) {
        let der = k.to_spki_der().expect("encode");
        assert_eq!(PublicKey::from_spki_der(&der).ok(), Some(k));
    }
    if let Ok(k) = SoftwareKey::from_pem_or_der(data) {
        let der = k.to_pkcs8_der().expect("encode");
        let again = SoftwareKey::from_pkcs8_der(&der).expect("decode");
        assert_eq!(again.public_key(), k.public_key());
    }
    for alg in Algorithm::ALL {
        let _ = PublicKey::from_raw(alg, data);
    }
});
