//! Trust lists: verifying and loading a list of 500 authorities (the target: under 20 ms), and
//! verifying a license trusted through such a list beside one trusted through a configured
//! anchor (the target: no slower once loaded). Figures in BENCHMARKS.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::Duration as StdDuration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use time::OffsetDateTime;
use yinxin::crypto::Algorithm;
use yinxin::license::IssueOptions;
use yinxin::trust::Certificate;
use yinxin::trust::list::TrustListVerifier;
use yinxin_test_vectors::kit;

const AUTHORITIES: usize = 500;

fn trust_lists(c: &mut Criterion) {
    let now = OffsetDateTime::now_utc();
    let world = kit::issued(Algorithm::Es256, "business-license.json", IssueOptions::default());
    let op = kit::operator(Algorithm::Es256, "四川", kit::ISSUER_CODE, now);
    // The license's authority and 499 others (P-256 roots, as most deployments would have).
    let mut roots: Vec<Certificate> = vec![world.root.certificate().clone()];
    roots.extend(
        (1..AUTHORITIES)
            .map(|i| kit::root(Algorithm::Es256, &format!("authority {i}"), now).certificate().clone()),
    );
    let types: &[&str] = &["11100000000013338W001", "11100000000013338W002"];
    let entries: Vec<(&Certificate, &[&str])> = roots.iter().map(|c| (c, types)).collect();
    let list = op.list("510000", 1, now, &entries);
    println!("trust list of {AUTHORITIES} authorities: {} bytes", list.len());

    let mut g = c.benchmark_group("trust-list");
    g.measurement_time(StdDuration::from_secs(10));
    let verifier =
        || yinxin::Verifier::builder().list_operator(op.root.certificate().clone()).build().unwrap();
    // Verified (operator chain, signature, 500 certificates parsed and checked) and loaded
    // into a fresh verifier's trust store.
    g.bench_function(format!("verify-and-load/{AUTHORITIES}"), |b| {
        b.iter_batched(verifier, |v| v.add_trust_list(black_box(&list), now).unwrap(), BatchSize::SmallInput)
    });
    let only = TrustListVerifier::new(kit::trust(&op.root));
    g.bench_function(format!("verify/{AUTHORITIES}"), |b| {
        b.iter(|| only.verify(black_box(&list), now).unwrap())
    });

    // A license once the list is loaded, beside the same license under a configured anchor.
    let listed = verifier();
    listed.add_trust_list(&list, now).unwrap();
    let configured =
        yinxin::Verifier::builder().trust_anchor(world.root.certificate().clone()).build().unwrap();
    let bytes = &world.license.bytes;
    listed.verify_license(bytes, now).unwrap();
    configured.verify_license(bytes, now).unwrap();
    g.bench_function("license/listed-anchor", |b| {
        b.iter(|| listed.verify_license(black_box(bytes), now).unwrap())
    });
    g.bench_function("license/configured-anchor", |b| {
        b.iter(|| configured.verify_license(black_box(bytes), now).unwrap())
    });
    g.finish();
}

criterion_group!(benches, trust_lists);
criterion_main!(benches);
