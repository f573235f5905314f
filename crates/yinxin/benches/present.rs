//! QR text to verdict (compact profile and tree form, with status check and replay guard) beside the raw
//! cost of its two signature verifications (issuer, holder), measured in the same run.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use time::{Duration, OffsetDateTime};
use yinxin::Verifier;
use yinxin::authority::ListValidity;
use yinxin::crypto::{Algorithm, Signer, SoftwareKey, Verifier as _};
use yinxin::license::{IssueOptions, StatusReference};
use yinxin::present::{Disclosure, ReplayGuard};
use yinxin::status::StatusList;
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
        let options = IssueOptions {
            status: Some(StatusReference { index: 654_321, uri: URI.into() }),
            qr_sets: vec![("counter_check".into(), COUNTER_CHECK.iter().map(|s| (*s).to_owned()).collect())],
            at: Some(now - Duration::minutes(1)),
            ..IssueOptions::default()
        };
        let world = kit::issued_to(issuer_alg, holder_alg, "business-license.json", options);
        let validity = ListValidity { ttl: Duration::hours(1), valid_for: Duration::days(1) };
        let list =
            world.authority.sign_status_list(URI, &StatusList::new(2, 1 << 20).unwrap(), validity, now);
        // The verifier a counter holds: the root, the issuer's list (which makes its certificate
        // known), a replay guard large enough for every iteration.
        let verifier = Verifier::builder()
            .trust_anchor(world.root.certificate().clone())
            .replay_guard(Arc::new(ReplayGuard::new(Duration::minutes(10), 50_000_000)))
            .build()
            .unwrap();
        verifier.add_status_list(&list.unwrap().token, now).unwrap();
        let id = world.id();
        let name = format!("{}-issuer/{}-holder", issuer_alg.name(), holder_alg.name());
        g.bench_function(&name, |b| {
            b.iter_batched(
                || world.wallet.present_qr(&id, Disclosure::Elements(&COUNTER_CHECK), now).unwrap(),
                |text| verifier.verify_qr(black_box(&text), now).unwrap(),
                BatchSize::SmallInput,
            )
        });
        // The tree form (decision 0017): five elements no set was pre-signed for, and all 22.
        let five =
            ["legal_representative", "domicile", "business_scope", "issuer_code", "license_identifier"];
        for (label, disclose) in [("tree-5", Disclosure::Elements(&five)), ("tree-all", Disclosure::All)] {
            g.bench_function(format!("{name}/{label}"), |b| {
                b.iter_batched(
                    || world.wallet.present_qr(&id, disclose, now).unwrap(),
                    |text| verifier.verify_qr(black_box(&text), now).unwrap(),
                    BatchSize::SmallInput,
                )
            });
        }
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
