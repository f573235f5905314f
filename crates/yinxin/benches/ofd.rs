//! OFD documents (issue 17): `verify_ofd` of a 5 MB package with two seal signatures, beside
//! its floor measured in the same run (SM3 over every file of the package once, SM3 of the two
//! Signature.xml, and the four SM2 verifications: each signature's and each seal maker's);
//! and `sign_ofd` of the same package.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::io::{Read as _, Write as _};

use criterion::{Criterion, criterion_group, criterion_main};
use time::{Duration, OffsetDateTime};
use yinxin::crypto::{Algorithm, DigestAlgorithm, Verifier as _, der_to_raw};
use yinxin::seal::ofd::{OfdLimits, Stamp, sign_ofd, verify_ofd};
use yinxin::seal::{Seal, SealHolder, SealMaker, SealPicture, SealRequest, SealSignature, SealVerifier};
use yinxin_test_vectors::kit;

fn files(ofd: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(ofd)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .filter(|(n, _)| !n.ends_with('/'))
        .collect()
}

/// The real invoice without its signature, with a 5 MB scanned-page image (incompressible,
/// stored as producers store JPEGs) added as a resource.
fn five_megabytes() -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in files(&yinxin_test_vectors::read_vector("ofd/1.ofd")) {
        if name.starts_with("Doc_0/Signs/") {
            continue;
        }
        let data = if name == "OFD.xml" {
            String::from_utf8(data)
                .unwrap()
                .replace("<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>", "")
                .into_bytes()
        } else {
            data
        };
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&data).unwrap();
    }
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let scan: Vec<u8> = (0..5 * 1024 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect();
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    out.start_file("Doc_0/Res/scan.jpg", stored).unwrap();
    out.write_all(&scan).unwrap();
    out.finish().unwrap().into_inner()
}

fn bench(c: &mut Criterion) {
    let now = OffsetDateTime::now_utc();
    let root = kit::root(Algorithm::Sm2Sm3, "root", now);
    let (maker_key, maker_cert) = kit::signer(&root, Algorithm::Sm2Sm3, "maker", kit::ISSUER_CODE, now, 365);
    let (holder_key, holder_cert) =
        kit::signer(&root, Algorithm::Sm2Sm3, "holder", "91510100MA61ABCDE3", now, 365);
    let seal = SealMaker::new(Box::new(maker_key), maker_cert.clone())
        .unwrap()
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
    let holder = SealHolder::new(&seal, Box::new(holder_key), holder_cert.clone()).unwrap();
    let unsigned = five_megabytes();
    let once = sign_ofd(&unsigned, &holder, &Stamp::default(), now, OfdLimits::default()).unwrap().ofd;
    let twice = sign_ofd(
        &once,
        &holder,
        &Stamp { x_mm: Some(10.0), y_mm: Some(10.0), ..Stamp::default() },
        now,
        OfdLimits::default(),
    )
    .unwrap()
    .ofd;
    let verifier = SealVerifier::new(kit::trust(&root));
    let verdicts = verify_ofd(&twice, &verifier, OfdLimits::default(), now).unwrap();
    assert!(verdicts.len() == 2 && verdicts.iter().all(|v| v.valid));
    let contents = files(&twice);
    let total: usize = contents.iter().map(|(_, d)| d.len()).sum();
    println!("package: {} bytes, {} files, {total} bytes inflated", twice.len(), contents.len());

    // The floor's parts: the two signatures and their seals.
    let signatures: Vec<SealSignature> = contents
        .iter()
        .filter(|(n, _)| n.ends_with("SignedValue.dat"))
        .map(|(_, d)| SealSignature::from_der(d).unwrap())
        .collect();
    let signature_xmls: Vec<&Vec<u8>> =
        contents.iter().filter(|(n, _)| n.ends_with("/Signature.xml")).map(|(_, d)| d).collect();
    let parsed_seal = Seal::from_der(&seal).unwrap();
    let seal_raw = der_to_raw(Algorithm::Sm2Sm3, parsed_seal.signature_value()).unwrap();
    let raws: Vec<Vec<u8>> =
        signatures.iter().map(|s| der_to_raw(Algorithm::Sm2Sm3, s.signature_value()).unwrap()).collect();

    let mut g = c.benchmark_group("ofd-5MB-2-signatures");
    g.sample_size(20);
    g.bench_function("verify", |b| {
        b.iter(|| verify_ofd(black_box(&twice), &verifier, OfdLimits::default(), now).unwrap())
    });
    g.bench_function("floor-sm3-package-plus-4-sm2", |b| {
        b.iter(|| {
            for (_, data) in &contents {
                black_box(DigestAlgorithm::Sm3.digest(black_box(data)));
            }
            for xml in &signature_xmls {
                black_box(DigestAlgorithm::Sm3.digest(black_box(xml)));
            }
            for (sig, raw) in signatures.iter().zip(&raws) {
                holder_cert.public_key().verify(sig.signed_bytes(), raw).unwrap();
                maker_cert.public_key().verify(parsed_seal.signed_bytes(), &seal_raw).unwrap();
            }
        })
    });
    g.bench_function("sign", |b| {
        b.iter(|| sign_ofd(black_box(&once), &holder, &Stamp::default(), now, OfdLimits::default()).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
