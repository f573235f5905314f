//! QR text to verdict (compact profile, with status check and replay guard) beside the raw
//! cost of its two signature verifications (issuer, holder), measured in the same run.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use time::{Duration, OffsetDateTime};
use yinxin::crypto::{Algorithm, Signer, SoftwareKey, Verifier};
use yinxin::license::{IssueOptions, LicenseData, LicenseIssuer, LicenseVerifier, StatusReference};
use yinxin::present::{Disclosure, PresentationVerifier, ReplayGuard, present, qr_text};
use yinxin::status::{StatusList, StatusListCache, StatusListToken, TokenClaims};
use yinxin_test_vectors::kit;

const URI: &str = "https://status.example.gov.cn/lists/1";
const COUNTER_CHECK: [&str; 5] =
    ["holder_name", "holder_code", "legal_representative", "valid_until", "license_identifier"];

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("qr-to-verdict");
    for (issuer_alg, holder_alg) in [
        (Algorithm::Ed25519, Algorithm::Es256),
        (Algorithm::Es256, Algorithm::Es256),
        (Algorithm::Sm2Sm3, Algorithm::Sm2Sm3),
    ] {
        let now = OffsetDateTime::now_utc();
        let root = kit::root(issuer_alg, "root", now);
        let (key, cert) = kit::signer(&root, issuer_alg, "issuer", kit::ISSUER_CODE, now, 365);
        let trust = kit::trust(&root);
        let holder = SoftwareKey::generate(holder_alg).unwrap();
        let data = LicenseData::from_json(&yinxin_test_vectors::fixture("business-license.json")).unwrap();
        let options = IssueOptions {
            status: Some(StatusReference { index: 654_321, uri: URI.into() }),
            qr_sets: vec![("counter_check".into(), COUNTER_CHECK.iter().map(|s| (*s).to_owned()).collect())],
            at: Some(now - Duration::minutes(1)),
            ..IssueOptions::default()
        };
        let token = StatusListToken::sign(
            &StatusList::new(2, 1 << 20).unwrap(),
            &TokenClaims { sub: URI.into(), iat: now, exp: None, ttl: None },
            &key,
            std::slice::from_ref(&cert),
        )
        .unwrap();
        let license = LicenseIssuer::new(key, vec![cert])
            .unwrap()
            .issue(&data, holder.public_key(), &options)
            .unwrap()
            .bytes;
        let cache = StatusListCache::new();
        cache.insert(StatusListToken::verify_with_trust(&token, &trust, now).unwrap(), now);
        let guard = Arc::new(ReplayGuard::new(Duration::minutes(10), 50_000_000));
        let verifier =
            PresentationVerifier::new(LicenseVerifier::new(trust), Arc::new(cache)).with_replay_guard(guard);
        let name = format!("{}-issuer/{}-holder", issuer_alg.name(), holder_alg.name());
        g.bench_function(&name, |b| {
            b.iter_batched(
                || {
                    qr_text::encode(
                        &present(&license, &holder, Disclosure::Elements(&COUNTER_CHECK), now).unwrap(),
                    )
                    .unwrap()
                },
                |text| verifier.verify_qr(black_box(&text), now).unwrap(),
                BatchSize::SmallInput,
            )
        });
        // The floor: the two raw signature verifications (issuer over ~400 bytes, holder over ~450).
        let ik = SoftwareKey::generate(issuer_alg).unwrap();
        let hk = SoftwareKey::generate(holder_alg).unwrap();
        let (m1, m2) = (vec![1u8; 400], vec![2u8; 450]);
        let (s1, s2) = (ik.sign(&m1).unwrap(), hk.sign(&m2).unwrap());
        g.bench_function(format!("{name}/raw-floor"), |b| {
            b.iter(|| {
                ik.public_key().verify(black_box(&m1), &s1).unwrap();
                hk.public_key().verify(black_box(&m2), &s2).unwrap();
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(StdDuration::from_secs(3)).warm_up_time(StdDuration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
