//! The validity model of seal signatures (docs/decisions/0016): everything is judged at the
//! signing time; a seal maker's certificate that was not yet valid at the seal's createDate
//! (as with two real provincial tax-bureau seals) is a warning, a failure only when strict.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use time::{Duration, OffsetDateTime, macros::datetime};
use yinxin::ErrorCode;
use yinxin::crypto::Algorithm;
use yinxin::seal::{SealHolder, SealMaker, SealPicture, SealRequest, SealVerifier};
use yinxin::trust::TrustStore;
use yinxin_test_vectors::kit;

/// The root's and every certificate's "now": maker and holder certificates are valid from a
/// day before it.
const T: OffsetDateTime = datetime!(2026-01-10 0:00 UTC);

struct Made {
    seal: Vec<u8>,
    holder: SealHolder,
    trust: TrustStore,
}

/// A seal created `created` (valid from then for a year) by a maker whose certificate is valid
/// from T - 1 day for `maker_days`.
fn made(created: OffsetDateTime, maker_days: i64) -> Made {
    let root = kit::root(Algorithm::Sm2Sm3, "印章根CA", T - Duration::days(30));
    let (maker_key, maker_cert) =
        kit::signer(&root, Algorithm::Sm2Sm3, "国家税务总局四川省税务局", kit::ISSUER_CODE, T, maker_days);
    let (holder_key, holder_cert) =
        kit::signer(&root, Algorithm::Sm2Sm3, "国家税务总局四川省税务局", "11510000MB0123456W", T, 3000);
    let seal = SealMaker::new(Box::new(maker_key), maker_cert)
        .unwrap()
        .make(&SealRequest {
            es_id: "51000020260001".into(),
            name: "国家税务总局四川省税务局发票专用章".into(),
            kind: 2,
            holder_certificates: vec![holder_cert.clone()],
            picture: SealPicture {
                kind: "PNG".into(),
                data: vec![0x89, b'P', b'N', b'G'],
                width_mm: 40,
                height_mm: 30,
            },
            created,
            valid_start: created,
            valid_end: created + Duration::days(365),
            vid: "yinxin".into(),
            status: None,
        })
        .unwrap();
    let holder = SealHolder::new(&seal, Box::new(holder_key), holder_cert).unwrap();
    Made { seal, holder, trust: kit::trust(&root) }
}

#[test]
fn a_maker_certificate_valid_only_after_the_seal_was_created_is_a_warning() {
    // Created five days before the maker's certificate became valid (T - 1 day).
    let m = made(T - Duration::days(6), 3000);
    let signed_at = T + Duration::days(30);
    let data = b"an e-invoice";
    let sig = m.holder.sign(data, signed_at, "/Doc_0/Signs/Sign_0/Signature.xml").unwrap();

    let lenient = SealVerifier::new(m.trust.clone());
    let ok = lenient.verify_signature(&sig, data, signed_at).unwrap();
    let codes: Vec<&str> = ok.seal().warnings().iter().map(|w| w.code()).collect();
    assert_eq!(codes, ["seal.maker_certificate_at_creation"]);
    assert!(ok.seal().warnings()[0].to_string().contains("2026-01-04"), "names the createDate");
    assert!(ok.seal().maker_trusted());
    let check = lenient.check_seal_signature_for_test(&sig, data, signed_at);
    assert!(check.is_valid() && check.warnings.len() == 1);

    let strict = SealVerifier::new(m.trust.clone()).strict(true);
    let err = strict.verify_signature(&sig, data, signed_at).unwrap_err();
    assert_eq!(err.code(), "seal.maker_certificate_at_creation");
    // The seal alone, for use at the signing time: the same answers.
    assert_eq!(lenient.verify_seal(&m.seal, signed_at).unwrap().warnings().len(), 1);
    assert_eq!(
        strict.verify_seal(&m.seal, signed_at).unwrap_err().code(),
        "seal.maker_certificate_at_creation"
    );
}

#[test]
fn a_maker_certificate_expired_at_the_signing_time_fails() {
    // The maker's certificate lasts ten days; the seal a year. A signature made after the
    // certificate expired fails, one made before it passes (judged at the signing time).
    let m = made(T, 10);
    let data = b"a contract";
    let v = SealVerifier::new(m.trust.clone());
    let early = m.holder.sign(data, T + Duration::days(5), "x").unwrap();
    let ok = v.verify_signature(&early, data, T + Duration::days(200)).unwrap();
    assert!(ok.seal().warnings().is_empty());
    let late = m.holder.sign(data, T + Duration::days(20), "x").unwrap();
    let err = v.verify_signature(&late, data, T + Duration::days(200)).unwrap_err();
    assert_eq!(err.code(), "seal.certificate_expired");
    assert!(err.to_string().starts_with("seal maker certificate not valid at 2026-01-30"), "{err}");
}

#[test]
fn signed_before_the_seal_or_the_signer_certificate_was_valid_fails() {
    let m = made(T + Duration::days(3), 3000);
    let data = b"a contract";
    let v = SealVerifier::new(m.trust.clone());
    let before_seal = m.holder.sign(data, T + Duration::days(1), "x").unwrap();
    assert_eq!(
        v.verify_signature(&before_seal, data, T + Duration::days(9)).unwrap_err().code(),
        "seal.signed_outside_validity"
    );
    let check = v.check_seal_signature_for_test(&before_seal, data, T);
    assert!(check.warnings.is_empty(), "no createDate warning: the maker certificate was valid then");
}

/// `SealVerifier::check_signature` over data, as the OFD reader calls it.
trait CheckForTest {
    fn check_seal_signature_for_test(
        &self,
        der: &[u8],
        data: &[u8],
        now: OffsetDateTime,
    ) -> yinxin::seal::SealCheck;
}

impl CheckForTest for SealVerifier {
    fn check_seal_signature_for_test(
        &self,
        der: &[u8],
        data: &[u8],
        now: OffsetDateTime,
    ) -> yinxin::seal::SealCheck {
        let sig = yinxin::seal::SealSignature::from_der(der).unwrap();
        self.check_signature(&sig, Some(&yinxin::crypto::DigestAlgorithm::Sm3.digest(data)), now)
    }
}
