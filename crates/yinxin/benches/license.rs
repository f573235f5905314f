//! License issuance and verification beside the raw signature costs of the same algorithms,
//! measured in the same run so the ratios can be read. Figures in BENCHMARKS.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::Duration as StdDuration;

use criterion::{Criterion, criterion_group, criterion_main};
use time::OffsetDateTime;
use yinxin::crypto::{Algorithm, Signer, SoftwareKey, Verifier};
use yinxin::license::{IssueOptions, LicenseData, LicenseIssuer, LicenseVerifier, untrusted};
use yinxin::trust::TrustStore;
use yinxin_test_vectors::kit;

fn setup(alg: Algorithm) -> (TrustStore, LicenseIssuer<SoftwareKey>, LicenseData, SoftwareKey) {
    let now = OffsetDateTime::now_utc();
    let root = kit::root(alg, "root", now);
    let (key, cert) = kit::signer(&root, alg, "issuer", kit::ISSUER_CODE, now, 365);
    let trust = kit::trust(&root);
    let data = LicenseData::from_json(&yinxin_test_vectors::fixture("business-license.json")).unwrap();
    (
        trust,
        LicenseIssuer::new(key, vec![cert]).unwrap(),
        data,
        SoftwareKey::generate(Algorithm::Es256).unwrap(),
    )
}

fn license(c: &mut Criterion) {
    let mut g = c.benchmark_group("license");
    let now = OffsetDateTime::now_utc();
    for alg in Algorithm::ALL {
        let (trust, issuer, data, holder) = setup(alg);
        let name = alg.name();
        g.bench_function(format!("issue/{name}"), |b| {
            b.iter(|| issuer.issue(black_box(&data), holder.public_key(), &IssueOptions::default()).unwrap())
        });
        let bytes = issuer.issue(&data, holder.public_key(), &IssueOptions::default()).unwrap().bytes;
        // Warm: the trust store has verified this issuer certificate before (one signature).
        let warm = LicenseVerifier::new(trust.clone());
        warm.verify(&bytes, now).unwrap();
        g.bench_function(format!("verify-warm/{name}"), |b| {
            b.iter(|| warm.verify(black_box(&bytes), now).unwrap())
        });
        // Cold: a fresh trust store each time (two signatures: certificate and issuerAuth).
        g.bench_function(format!("verify-cold/{name}"), |b| {
            b.iter_batched(
                || {
                    LicenseVerifier::new({
                        let mut t = TrustStore::new();
                        t.add(trust.anchors()[0].clone());
                        t
                    })
                },
                |v| v.verify(black_box(&bytes), now).unwrap(),
                criterion::BatchSize::SmallInput,
            )
        });
        // The floor: one raw signature verification of the same algorithm and message size.
        let key = SoftwareKey::generate(alg).unwrap();
        let msg = vec![0x5a; 1900];
        let sig = key.sign(&msg).unwrap();
        g.bench_function(format!("raw-verify/{name}"), |b| {
            b.iter(|| key.public_key().verify(black_box(&msg), &sig).unwrap())
        });
    }
    // ISO 18013-5 Annex D: issuer signature (ES256, key from x5chain) and every digest.
    let annex_d = yinxin_test_vectors::annex_d_issuer_signed();
    g.bench_function("annex-d/inspect", |b| b.iter(|| untrusted::inspect(black_box(&annex_d), now).unwrap()));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(StdDuration::from_secs(3)).warm_up_time(StdDuration::from_secs(1));
    targets = license
}
criterion_main!(benches);
