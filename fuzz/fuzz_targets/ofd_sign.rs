//! Signing hostile OFD input: never panic, stay within the limits, and whatever is signed
//! verifies: the new signature's dataHash and signature hold in the signed package.
#![no_main]

use libfuzzer_sys::fuzz_target;
use time::{Duration, OffsetDateTime};
use yinxin::crypto::{Algorithm, Signer as _, SoftwareKey};
use yinxin::seal::ofd::{OfdLimits, Stamp, sign_ofd, verify_ofd};
use yinxin::seal::{SealHolder, SealMaker, SealPicture, SealRequest, SealVerifier};
use yinxin::trust::{CertificateAuthority, CertificateProfile};

thread_local! {
    static HOLDER: SealHolder = holder();
}

fn holder() -> SealHolder {
    let now = OffsetDateTime::now_utc();
    let code = "11510000MB0123456W".parse().unwrap();
    let root = CertificateAuthority::new_root(
        SoftwareKey::generate(Algorithm::Sm2Sm3).unwrap(),
        "fuzz root",
        &code,
        now - Duration::days(1),
        now + Duration::days(30),
        Some(0),
    )
    .unwrap();
    let cert = |key: &SoftwareKey, name: &str| {
        root.issue(
            key.public_key(),
            name,
            &code,
            CertificateProfile::EndEntity,
            now - Duration::hours(1),
            now + Duration::days(29),
        )
        .unwrap()
    };
    let maker_key = SoftwareKey::generate(Algorithm::Sm2Sm3).unwrap();
    let holder_key = SoftwareKey::generate(Algorithm::Sm2Sm3).unwrap();
    let (maker_cert, holder_cert) = (cert(&maker_key, "maker"), cert(&holder_key, "holder"));
    let seal = SealMaker::new(Box::new(maker_key), maker_cert)
        .unwrap()
        .make(&SealRequest {
            es_id: "fuzz".into(),
            name: "fuzz".into(),
            kind: 1,
            holder_certificates: vec![holder_cert.clone()],
            picture: SealPicture { kind: "PNG".into(), data: vec![0x89, b'P'], width_mm: 40, height_mm: 40 },
            created: now,
            valid_start: now,
            valid_end: now + Duration::days(30),
            vid: "fuzz".into(),
            status: None,
        })
        .unwrap();
    SealHolder::new(&seal, Box::new(holder_key), holder_cert).unwrap()
}

fuzz_target!(|data: &[u8]| {
    let limits = OfdLimits {
        max_entries: 64,
        max_entry_bytes: 1 << 20,
        max_total_bytes: 4 << 20,
        ..OfdLimits::default()
    };
    let now = OffsetDateTime::now_utc();
    HOLDER.with(|holder| {
        let Ok(signed) = sign_ofd(data, holder, &Stamp::default(), now, limits) else { return };
        let verifier = SealVerifier::without_trust_anchors();
        if let Ok(verdicts) = verify_ofd(&signed.ofd, &verifier, limits, now) {
            let new = verdicts.iter().find(|v| v.signature == signed.signature);
            let new = new.unwrap_or_else(|| panic!("no verdict for {}", signed.signature));
            assert!(new.data_hash && new.signature_valid, "{:?}", new.errors);
        }
    });
});
