//! License issuance and verification beside the raw signature costs of the same algorithms,
//! measured in the same run so the ratios can be read. Figures in BENCHMARKS.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::Duration as StdDuration;

use criterion::{Criterion, criterion_group, criterion_main};
use time::OffsetDateTime;
use yinxin::crypto::{Algorithm, Signer, SoftwareKey, Verifier};
use yinxin::license::{IssueOptions, LicenseVerifier, untrusted};
use yinxin::trust::TrustStore;
use yinxin_test_vectors::kit;

fn license(c: &mut Criterion) {
    let mut g = c.benchmark_group("license");
    let now = OffsetDateTime::now_utc();
    for alg in Algorithm::ALL {
        // The business license issued by an authority of `alg` to a P-256 holder (the kit), here
        // issued again without pre-signed QR sets: what is measured is the credential.
        let world = kit::issued(alg, "business-license.json", IssueOptions::default());
        let (trust, authority, data, holder) =
            (world.trust(), &world.authority, &world.data, world.wallet.holder_key());
        let name = alg.name();
        g.bench_function(format!("issue/{name}"), |b| {
            b.iter(|| authority.issue(black_box(data), holder, &IssueOptions::default()).unwrap())
        });
        let bytes = authority.issue(data, holder, &IssueOptions::default()).unwrap().bytes;
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
