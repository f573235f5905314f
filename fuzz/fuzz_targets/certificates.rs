//! Certificate parsing and chain validation on hostile certificates: never panic; a chain of
//! fuzzed certificates never validates to the fixed anchor unless the anchor signed it (it
//! cannot: the anchor's key is random per run).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use time::{Duration, OffsetDateTime};
use yinxin::crypto::{Algorithm, SoftwareKey};
use yinxin::trust::{Certificate, CertificateAuthority, TrustStore, parse_pem_certificates};

fn store() -> &'static TrustStore {
    static S: OnceLock<TrustStore> = OnceLock::new();
    S.get_or_init(|| {
        let now = OffsetDateTime::now_utc();
        let root = CertificateAuthority::new_root(
            SoftwareKey::generate(Algorithm::Es256).expect("key"),
            "fuzz root",
            &"11100000000013338W".parse().expect("uscc"),
            now - Duration::days(1),
            now + Duration::days(1),
            None,
        )
        .expect("root");
        let mut s = TrustStore::new();
        s.add(root.certificate().clone());
        s
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = parse_pem_certificates(data);
    // Split the input into up to three certificates at 0xff 0xff markers.
    let chain: Vec<Certificate> =
        data.split(|&b| b == 0xff).take(3).filter_map(|part| Certificate::from_der(part).ok()).collect();
    if !chain.is_empty() {
        assert!(store().verify_chain(&chain, OffsetDateTime::now_utc()).is_err());
    }
});
