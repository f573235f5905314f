//! Trust lists (ISO 18013-5 VICAL) on hostile input: the signed list never verifies under an
//! operator that did not sign it, the payload decoder round-trips what it accepts, and the
//! saved record of accepted lists never panics.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use time::OffsetDateTime;
use yinxin::crypto::{Algorithm, SoftwareKey};
use yinxin::trust::list::{TrustListState, TrustListVerifier, read_unverified};
use yinxin::trust::{CertificateAuthority, TrustStore};

fn verifier() -> &'static TrustListVerifier {
    static V: OnceLock<TrustListVerifier> = OnceLock::new();
    V.get_or_init(|| {
        let t = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
        let root = CertificateAuthority::new_root(
            SoftwareKey::generate(Algorithm::Es256).expect("key"),
            "operator",
            &"11100000000013338W".parse().expect("code"),
            t,
            t + time::Duration::days(3650),
            Some(1),
        )
        .expect("root");
        let mut store = TrustStore::new();
        store.add(root.certificate().clone());
        TrustListVerifier::new(store)
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = read_unverified(data);
    let at = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_001);
    assert!(verifier().verify(data, at).is_err(), "accepted a list its operator did not sign");
    yinxin::fuzzing::trust_list_payload(data);
    if let Ok(state) = TrustListState::from_json(data) {
        assert_eq!(TrustListState::from_json(&state.to_json()).expect("a saved state loads"), state);
    }
});
