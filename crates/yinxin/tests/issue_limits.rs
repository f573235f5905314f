//! Issuers make only what verifiers accept: the same limits on both sides (issue 14: a 10M
//! character holder name and a 100 MB portrait gave credentials no verifier would read).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode;
use yinxin::crypto::Algorithm;
use yinxin::license::{ElementValue, IssueOptions, LicenseData, LicenseVerifier, MAX_CREDENTIAL_SIZE};
use yinxin::seal::{MAX_SEAL_SIZE, SealMaker, SealPicture, SealRequest};
use yinxin_test_vectors::kit;

#[test]
fn licenses_over_the_verifiers_limits_are_not_issued() {
    let now = OffsetDateTime::now_utc();
    let world = kit::issued(Algorithm::Ed25519, "business-license.json", IssueOptions::default());
    let fixture = world.data.clone();
    let options = IssueOptions { at: Some(now - Duration::minutes(5)), ..IssueOptions::default() };
    let issue = |data: &LicenseData, options: &IssueOptions| {
        world.authority.issue(data, world.wallet.holder_key(), options)
    };
    let verifier = LicenseVerifier::new(world.trust());

    // Ten million characters of holder name.
    let mut long_name = fixture.clone();
    long_name.meta.holder_name = "张".repeat(10_000_000);
    assert_eq!(issue(&long_name, &options).unwrap_err().code(), "license.too_large");
    // A 100 MB portrait.
    let mut portrait = options.clone();
    portrait.extra_surface.insert("portrait".into(), ElementValue::Bytes(vec![0xff; 100 << 20]));
    assert_eq!(issue(&fixture, &portrait).unwrap_err().code(), "license.too_large");
    // Just under the limit in elements, over it once encoded: the exact check catches it.
    let mut near = options.clone();
    near.extra_surface.insert("portrait".into(), ElementValue::Bytes(vec![0xff; MAX_CREDENTIAL_SIZE - 2000]));
    assert_eq!(issue(&fixture, &near).unwrap_err().code(), "license.too_large");
    // Nesting deeper than the verifier reads.
    let mut deep = fixture.clone();
    let mut value = ElementValue::Text("底".into());
    for _ in 0..40 {
        value = ElementValue::Array(vec![value]);
    }
    deep.surface.insert("nested".into(), value);
    assert_eq!(issue(&deep, &options).unwrap_err().code(), "license.too_large");
    // A large portrait that fits is issued, and it verifies.
    let mut fits = options.clone();
    fits.extra_surface.insert("portrait".into(), ElementValue::Bytes(vec![0xff; 256 * 1024]));
    let issued = issue(&fixture, &fits).unwrap();
    verifier.verify(&issued.bytes, now).unwrap();
}

#[test]
fn seals_over_the_readers_limit_are_not_made() {
    let t = OffsetDateTime::now_utc();
    let root = kit::root(Algorithm::Sm2Sm3, "印章根CA", t);
    let (maker_key, maker_cert) =
        kit::signer(&root, Algorithm::Sm2Sm3, "印章制作中心", kit::ISSUER_CODE, t, 300);
    let (_, holder_cert) = kit::signer(&root, Algorithm::Sm2Sm3, "某公司", "91510100MA61ABCDE3", t, 300);
    let maker = SealMaker::new(Box::new(maker_key), maker_cert).unwrap();
    let request = |picture_bytes: usize| SealRequest {
        es_id: "91510100MA61ABCDE30001".into(),
        name: "合同专用章".into(),
        kind: 1,
        holder_certificates: vec![holder_cert.clone()],
        picture: SealPicture {
            kind: "PNG".into(),
            data: vec![0x89; picture_bytes],
            width_mm: 40,
            height_mm: 40,
        },
        created: t,
        valid_start: t,
        valid_end: t + Duration::days(30),
        vid: "yinxin".into(),
        status: None,
    };
    assert_eq!(maker.make(&request(100 << 20)).unwrap_err().code(), "seal.too_large");
    assert_eq!(maker.make(&request(MAX_SEAL_SIZE - 500)).unwrap_err().code(), "seal.too_large");
    let seal = maker.make(&request(64 * 1024)).unwrap();
    yinxin::seal::Seal::from_der(&seal).unwrap();
}
