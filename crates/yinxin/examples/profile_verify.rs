//! Verifies one license many times, for profiling (`valgrind --tool=callgrind`).
#![allow(missing_docs, clippy::unwrap_used)]
use time::{Duration, OffsetDateTime};
use yinxin::crypto::{Algorithm, Signer, SoftwareKey};
use yinxin::license::{IssueOptions, LicenseData, LicenseIssuer, LicenseVerifier};
use yinxin::trust::{CertificateAuthority, CertificateProfile, TrustStore};

fn main() {
    let alg: Algorithm = std::env::args().nth(1).unwrap_or_else(|| "es256".into()).parse().unwrap();
    let n: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(200);
    let now = OffsetDateTime::now_utc();
    let root = CertificateAuthority::new_root(
        SoftwareKey::generate(alg).unwrap(),
        "root",
        &"11100000000013338W".parse().unwrap(),
        now - Duration::days(1),
        now + Duration::days(3650),
        Some(0),
    )
    .unwrap();
    let key = SoftwareKey::generate(alg).unwrap();
    let cert = root
        .issue(
            key.public_key(),
            "issuer",
            &"11510000MB0123456W".parse().unwrap(),
            CertificateProfile::EndEntity,
            now - Duration::days(1),
            now + Duration::days(365),
        )
        .unwrap();
    let mut trust = TrustStore::new();
    trust.add(root.certificate().clone());
    let data = LicenseData::from_json(&yinxin_test_vectors::fixture("business-license.json")).unwrap();
    let issuer = LicenseIssuer::new(key, vec![cert]).unwrap();
    let holder = SoftwareKey::generate(Algorithm::Es256).unwrap();
    let bytes = issuer
        .issue(
            &data,
            holder.public_key(),
            &IssueOptions { at: Some(now - Duration::minutes(1)), ..Default::default() },
        )
        .unwrap()
        .bytes;
    let v = LicenseVerifier::new(trust);
    for _ in 0..n {
        std::hint::black_box(v.verify(&bytes, now).unwrap());
    }
}
