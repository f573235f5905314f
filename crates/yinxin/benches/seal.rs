//! Verifying a seal signature on a 1 MiB document, beside its raw costs measured in the same
//! run: SM3 of the document plus one SM2 verify (the signature), and plus two (the signature
//! and the seal maker's signature, which a full verification also checks).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use time::{Duration, OffsetDateTime};
use yinxin::crypto::{Algorithm, DigestAlgorithm, Verifier as _, der_to_raw};
use yinxin::seal::{Seal, SealHolder, SealMaker, SealPicture, SealRequest, SealSignature, SealVerifier};
use yinxin_test_vectors::kit;

fn bench(c: &mut Criterion) {
    let now = OffsetDateTime::now_utc();
    let root = kit::root(Algorithm::Sm2Sm3, "root", now);
    let (maker_key, maker_cert) = kit::signer(&root, Algorithm::Sm2Sm3, "maker", kit::ISSUER_CODE, now, 365);
    let (holder_key, holder_cert) =
        kit::signer(&root, Algorithm::Sm2Sm3, "holder", "91510100MA61ABCDE3", now, 365);
    let maker = SealMaker::new(Box::new(maker_key), maker_cert.clone()).unwrap();
    let seal = maker
        .make(&SealRequest {
            es_id: "91510100MA61ABCDE30001".into(),
            name: "合同专用章".into(),
            kind: 1,
            holder_certificates: vec![holder_cert.clone()],
            picture: SealPicture {
                kind: "PNG".into(),
                data: vec![7; 16 * 1024],
                width_mm: 40,
                height_mm: 40,
            },
            created: now - Duration::hours(1),
            valid_start: now - Duration::hours(1),
            valid_end: now + Duration::days(30),
            vid: "yinxin".into(),
            status: None,
        })
        .unwrap();
    let document: Vec<u8> = (0..1024 * 1024).map(|i| (i * 31 % 251) as u8).collect();
    let signed = SealHolder::new(&seal, Box::new(holder_key), holder_cert.clone())
        .unwrap()
        .sign(&document, now, "document.ofd")
        .unwrap();
    let verifier = SealVerifier::new(kit::trust(&root));
    verifier.verify_signature(&signed, &document, now).unwrap();

    let sig = SealSignature::from_der(&signed).unwrap();
    let parsed_seal = Seal::from_der(&seal).unwrap();
    let sig_raw = der_to_raw(Algorithm::Sm2Sm3, sig.signature_value()).unwrap();
    let seal_raw = der_to_raw(Algorithm::Sm2Sm3, parsed_seal.signature_value()).unwrap();
    let holder_pub = holder_cert.public_key().clone();
    let maker_pub = maker_cert.public_key().clone();

    let mut g = c.benchmark_group("seal-signature-1MiB");
    g.bench_function("verify", |b| {
        b.iter(|| verifier.verify_signature(black_box(&signed), &document, now).unwrap())
    });
    g.bench_function("raw-sm3-plus-1-sm2", |b| {
        b.iter(|| {
            black_box(DigestAlgorithm::Sm3.digest(black_box(&document)));
            holder_pub.verify(sig.signed_bytes(), &sig_raw).unwrap();
        })
    });
    g.bench_function("raw-sm3-plus-2-sm2", |b| {
        b.iter(|| {
            black_box(DigestAlgorithm::Sm3.digest(black_box(&document)));
            holder_pub.verify(sig.signed_bytes(), &sig_raw).unwrap();
            maker_pub.verify(parsed_seal.signed_bytes(), &seal_raw).unwrap();
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
