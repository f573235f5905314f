//! Signature and digest costs: the floor that later verdict timings are compared with.
//!
//! `cargo bench -p yinxin --bench crypto`; `scripts/bench-p256-vs-openssl.sh` runs the P-256
//! verify beside `openssl speed ecdsap256` in one run. Figures are in BENCHMARKS.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use yinxin::crypto::{
    Algorithm, DigestAlgorithm, PublicKey, Signer, SoftwareKey, Verifier, verify_ed25519_batch,
};

/// A message of the size of a MobileSecurityObject for one license.
const MESSAGE: [u8; 512] = [0x5a; 512];

fn sign_verify(c: &mut Criterion) {
    let mut sign = c.benchmark_group("sign");
    for alg in Algorithm::ALL {
        let key = SoftwareKey::generate(alg).unwrap();
        sign.bench_function(alg.name(), |b| b.iter(|| key.sign(black_box(&MESSAGE)).unwrap()));
    }
    sign.finish();

    let mut verify = c.benchmark_group("verify");
    for alg in Algorithm::ALL {
        let key = SoftwareKey::generate(alg).unwrap();
        let sig = key.sign(&MESSAGE).unwrap();
        let public = key.public_key().clone();
        verify.bench_function(alg.name(), |b| {
            b.iter(|| public.verify(black_box(&MESSAGE), black_box(&sig)).unwrap())
        });
    }
    // The pure-Rust p256 crate, which yinxin uses when built without the `ring` feature.
    {
        use p256::ecdsa::signature::Verifier as _;
        let key = SoftwareKey::generate(Algorithm::Es256).unwrap();
        let sig = p256::ecdsa::Signature::from_slice(&key.sign(&MESSAGE).unwrap()).unwrap();
        let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(&key.public_key().to_raw()).unwrap();
        verify
            .bench_function("es256-p256-crate", |b| b.iter(|| vk.verify(black_box(&MESSAGE), &sig).unwrap()));
    }
    // ed25519-dalek called directly, to show the wrapper costs nothing.
    {
        use ed25519_dalek::Verifier as _;
        let key = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
        let sig = ed25519_dalek::Signature::from_slice(&key.sign(&MESSAGE).unwrap()).unwrap();
        let raw: [u8; 32] = key.public_key().to_raw().try_into().unwrap();
        let vk = ed25519_dalek::VerifyingKey::from_bytes(&raw).unwrap();
        verify.bench_function("ed25519-dalek-verify", |b| {
            b.iter(|| vk.verify(black_box(&MESSAGE), &sig).unwrap())
        });
        verify.bench_function("ed25519-dalek-verify-strict", |b| {
            b.iter(|| vk.verify_strict(black_box(&MESSAGE), &sig).unwrap())
        });
    }
    // Importing a key from SPKI and verifying once: what a verifier pays for an unseen key.
    for alg in Algorithm::ALL {
        let key = SoftwareKey::generate(alg).unwrap();
        let sig = key.sign(&MESSAGE).unwrap();
        let spki = key.public_key().to_spki_der().unwrap();
        verify.bench_function(format!("{}-with-spki-import", alg.name()), |b| {
            b.iter(|| PublicKey::from_spki_der(black_box(&spki)).unwrap().verify(&MESSAGE, &sig).unwrap())
        });
    }
    verify.finish();

    let mut batch = c.benchmark_group("ed25519-batch");
    for n in [1usize, 8, 64, 256] {
        let keys: Vec<SoftwareKey> =
            (0..n).map(|_| SoftwareKey::generate(Algorithm::Ed25519).unwrap()).collect();
        let sigs: Vec<Vec<u8>> = keys.iter().map(|k| k.sign(&MESSAGE).unwrap()).collect();
        let items: Vec<(&PublicKey, &[u8], &[u8])> =
            keys.iter().zip(&sigs).map(|(k, s)| (k.public_key(), &MESSAGE[..], s.as_slice())).collect();
        batch.throughput(Throughput::Elements(n as u64));
        batch.bench_with_input(BenchmarkId::from_parameter(n), &items, |b, items| {
            b.iter(|| verify_ed25519_batch(black_box(items)).unwrap())
        });
    }
    batch.finish();
}

fn digests(c: &mut Criterion) {
    let mut group = c.benchmark_group("digest");
    for size in [1024usize, 1 << 20] {
        let data = vec![0xa5u8; size];
        group.throughput(Throughput::Bytes(size as u64));
        for alg in DigestAlgorithm::ALL {
            let label = if size == 1024 { "1KiB" } else { "1MiB" };
            group.bench_with_input(BenchmarkId::new(alg.name(), label), &data, |b, data| {
                b.iter(|| alg.digest(black_box(data)))
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(40).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = sign_verify, digests
}
criterion_main!(benches);
