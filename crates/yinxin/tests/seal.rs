//! Seals: the real seals and OFD files of ../shared/vectors judge the reader and verifier;
//! seals yinxin makes round-trip, and every failure has its code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::sync::Arc;

use time::{Duration, OffsetDateTime, macros::datetime};
use yinxin::ErrorCode;
use yinxin::crypto::{Algorithm, SoftwareKey};
use yinxin::license::StatusReference;
use yinxin::seal::ofd::{OfdLimits, SignatureKind, verify_ofd};
use yinxin::seal::{
    CertList, Seal, SealHolder, SealMaker, SealPicture, SealRequest, SealSignature, SealVerifier, SealVersion,
};
use yinxin::status::{StatusList, StatusListCache, StatusListToken, TokenClaims};
use yinxin::trust::{Certificate, TrustStore};
use yinxin_test_vectors::kit;

fn vector(name: &str) -> Vec<u8> {
    yinxin_test_vectors::read_vector(name)
}

#[test]
fn every_vector_seal_parses_and_its_maker_signature_verifies() {
    let v = SealVerifier::without_trust_anchors();
    for (file, version, name) in [
        ("ses/UserV1.esl", SealVersion::V1, "OFDRW测试用印章"),
        ("ses/UserV4.esl", SealVersion::V4, "OFD R&W 测试用印章"),
        ("ses/UserV5.esl", SealVersion::V5, "OFD R&W V5测试用印章"),
    ] {
        let seal = Seal::from_der(&vector(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(seal.version(), version, "{file}");
        assert_eq!(seal.name(), name);
        assert_eq!(seal.picture().kind, "PNG");
        assert_eq!((seal.picture().width_mm, seal.picture().height_mm), (40, 40));
        assert!(matches!(seal.cert_list(), CertList::Certificates(c) if c.len() == 1));
        let check = v.check_seal(&seal, seal.valid_start());
        assert!(check.maker_signature, "{file}: {check:?}");
        assert_eq!(check.maker_trusted, None);
        if version == SealVersion::V5 {
            // Made 2026-04-24 with the ofdrw test certificate valid 2020-04-21..2022-04-21: the
            // maker signature is sound, the maker's certificate had expired (GB/T 38540 §8).
            assert_eq!(
                check.errors.iter().map(|e| e.code()).collect::<Vec<_>>(),
                ["seal.certificate_expired"]
            );
        } else {
            assert!(check.is_valid(), "{file}: {check:?}");
        }
    }
    // The seal data blob: its maker signature does not verify under the standard's rule.
    let blob = Seal::from_der(&vector("ses/SESealData.DER")).unwrap();
    let check = v.check_seal(&blob, blob.valid_start());
    assert!(!check.maker_signature);
    assert_eq!(check.errors[0].code(), "seal.maker_signature_invalid");
}

#[test]
fn vector_signatures_verify_without_their_data() {
    let v = SealVerifier::without_trust_anchors();
    for (file, version) in
        [("ses/SignedValueV4.dat", SealVersion::V4), ("ses/SignedValueV5.dat", SealVersion::V5)]
    {
        let sig = SealSignature::from_der(&vector(file)).unwrap();
        assert_eq!(sig.version(), version);
        assert_eq!(sig.property_info(), "/Doc_0/Signs/Sign_0/Signature.xml");
        assert_eq!(sig.data_hash().len(), 32);
        let check = v.check_signature(&sig, None, OffsetDateTime::now_utc());
        assert_eq!(check.signature, Some(true), "{file}");
        assert!(check.maker_signature, "{file}");
        assert_eq!(check.data_hash, None);
        // The signed data is not in the vectors: never valid without it.
        assert_eq!(check.errors[0].code(), "seal.data_hash_mismatch");
        let codes: Vec<_> = check.errors.iter().skip(1).map(|e| e.code()).collect();
        match version {
            SealVersion::V4 => assert!(codes.is_empty(), "{codes:?}"),
            _ => assert_eq!(codes, ["seal.certificate_expired", "seal.certificate_expired"]),
        }
    }
    // The signer certificate of the vectors is a PEM file beside them.
    let cert = Certificate::from_pem_or_der(&vector("ses/sign_cert.pem")).unwrap();
    assert_eq!(cert.public_key().algorithm(), Algorithm::Sm2Sm3);
}

#[test]
fn every_vector_ofd_gets_the_independent_verdict() {
    let v = SealVerifier::without_trust_anchors();
    let now = OffsetDateTime::now_utc();
    let run = |f: &str| verify_ofd(&vector(f), &v, OfdLimits::default(), now).unwrap();

    let one = run("ofd/1.ofd");
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].signature, "/Doc_0/Signs/Sign_0/Signature.xml");
    assert_eq!(one[0].kind, Some(SignatureKind::SesV4));
    assert_eq!(one[0].seal_name.as_deref(), Some("国家税务总局浙江省税务局"));
    assert!(one[0].references && one[0].data_hash && one[0].signature_valid);
    assert_eq!((one[0].seal_valid, one[0].signer_trusted), (Some(true), None), "no anchors: not checked");
    assert_eq!(one[0].not_checked(), ["signer_trusted"]);
    assert!(one[0].valid, "{:?}", one[0].errors);

    let late = &run("ofd/SESV4SignDoc.ofd")[0];
    assert!(late.references && late.data_hash && late.signature_valid);
    assert!(late.seal_valid == Some(false) && !late.valid);
    assert_eq!(late.error.as_ref().unwrap().0, "seal.signed_outside_validity");

    let n = &run("ofd/n.ofd")[0];
    assert_eq!(n.kind, Some(SignatureKind::SesV1));
    assert!(!n.references && !n.data_hash && !n.signature_valid && !n.valid);
    let codes: Vec<&str> = n.errors.iter().map(|(c, _)| c.as_str()).collect();
    assert!(codes.contains(&"ofd.reference_mismatch"));
    assert!(codes.contains(&"seal.data_hash_mismatch"));
    assert!(codes.contains(&"seal.signature_invalid"));
    assert!(codes.contains(&"seal.signer_not_in_seal"), "{codes:?}");
    assert!(!codes.contains(&"seal.maker_signature_invalid"), "the v1 maker signature verifies");

    let bare = &run("ofd/DigitalSign.ofd")[0];
    assert_eq!(bare.kind, Some(SignatureKind::RawSm2));
    assert!(bare.references && !bare.valid);
    assert_eq!(bare.error.as_ref().unwrap().0, "ofd.certificate_missing");

    let integrity = run("ofd/hello-integrity.ofd");
    assert_eq!(integrity.len(), 1);
    assert_eq!(integrity[0].signature, "/OFDEntries.xml");
    assert_eq!(integrity[0].kind, Some(SignatureKind::Pkcs7Sm2));
    assert!(
        integrity[0].data_hash && integrity[0].signature_valid && integrity[0].valid,
        "{:?}",
        integrity[0]
    );
    assert_eq!(integrity[0].seal_valid, None, "no seal in a SignedData: not a seal verdict");
    assert_eq!(integrity[0].not_checked(), ["signer_trusted"]);
}

#[test]
fn with_anchors_the_signer_of_every_kind_is_checked() {
    // Anchors that neither the seal maker of 1.ofd nor the SignedData signer of
    // hello-integrity.ofd chain to: both are checked, and both fail as untrusted.
    let w = world();
    let v = SealVerifier::new(trust(&w));
    let now = OffsetDateTime::now_utc();
    for (file, code) in
        [("ofd/1.ofd", "seal.maker_untrusted"), ("ofd/hello-integrity.ofd", "ofd.signer_untrusted")]
    {
        let verdict = &verify_ofd(&vector(file), &v, OfdLimits::default(), now).unwrap()[0];
        assert_eq!(verdict.signer_trusted, Some(false), "{file}");
        assert!(verdict.not_checked().is_empty() && !verdict.valid, "{file}");
        assert!(verdict.errors.iter().any(|(c, _)| c == code), "{file}: {:?}", verdict.errors);
    }
}

#[test]
fn ofd_reader_limits_and_unreadable_input() {
    let v = SealVerifier::without_trust_anchors();
    let now = OffsetDateTime::now_utc();
    let bytes = vector("ofd/1.ofd");
    let tight = OfdLimits { max_entries: 3, ..OfdLimits::default() };
    assert_eq!(verify_ofd(&bytes, &v, tight, now).unwrap_err().code(), "ofd.too_large");
    let small = OfdLimits { max_entry_bytes: 100, ..OfdLimits::default() };
    assert_eq!(verify_ofd(&bytes, &v, small, now).unwrap_err().code(), "ofd.too_large");
    let shallow = OfdLimits { max_xml_depth: 2, ..OfdLimits::default() };
    assert_eq!(verify_ofd(&bytes, &v, shallow, now).unwrap_err().code(), "ofd.too_large");
    assert_eq!(verify_ofd(b"not a zip", &v, OfdLimits::default(), now).unwrap_err().code(), "ofd.zip");
    assert_eq!(
        verify_ofd(&bytes[..bytes.len() / 2], &v, OfdLimits::default(), now).unwrap_err().code(),
        "ofd.zip"
    );
}

struct World {
    root: Certificate,
    maker: SealMaker,
    holder_key: SoftwareKey,
    holder_cert: Certificate,
    maker_key_der: Vec<u8>,
    maker_cert: Certificate,
}

fn sm2() -> SoftwareKey {
    SoftwareKey::generate(Algorithm::Sm2Sm3).unwrap()
}

fn world() -> World {
    let t = datetime!(2026-01-01 0:00 UTC);
    let root = kit::root(Algorithm::Sm2Sm3, "印章根CA", t);
    let (maker_key, maker_cert) =
        kit::signer(&root, Algorithm::Sm2Sm3, "四川省公安厅印章制作中心", kit::ISSUER_CODE, t, 3000);
    let (holder_key, holder_cert) =
        kit::signer(&root, Algorithm::Sm2Sm3, "成都天府示例科技有限公司", "91510100MA61ABCDE3", t, 1000);
    let maker_key_der = maker_key.to_pkcs8_der().unwrap().to_vec();
    World {
        root: root.certificate().clone(),
        maker: SealMaker::new(Box::new(maker_key), maker_cert.clone()).unwrap(),
        holder_key,
        holder_cert,
        maker_key_der,
        maker_cert,
    }
}

fn request(w: &World, status: Option<StatusReference>) -> SealRequest {
    let t = datetime!(2026-01-02 0:00 UTC);
    SealRequest {
        es_id: "91510100MA61ABCDE30001".into(),
        name: "成都天府示例科技有限公司合同专用章".into(),
        kind: 1,
        holder_certificates: vec![w.holder_cert.clone()],
        picture: SealPicture {
            kind: "PNG".into(),
            data: vec![0x89, b'P', b'N', b'G', 1, 2, 3],
            width_mm: 40,
            height_mm: 40,
        },
        created: t,
        valid_start: t,
        valid_end: t + Duration::days(365),
        vid: "yinxin".into(),
        status,
    }
}

fn holder(w: &World, seal: &[u8]) -> SealHolder {
    let key = SoftwareKey::from_pkcs8_der(&w.holder_key.to_pkcs8_der().unwrap()).unwrap();
    SealHolder::new(seal, Box::new(key), w.holder_cert.clone()).unwrap()
}

fn trust(w: &World) -> TrustStore {
    let mut t = TrustStore::new();
    t.add(w.root.clone());
    t
}

#[test]
fn made_seals_round_trip_and_every_failure_has_its_code() {
    let w = world();
    let seal = w.maker.make(&request(&w, None)).unwrap();
    let parsed = Seal::from_der(&seal).unwrap();
    assert_eq!(parsed.version(), SealVersion::V4);
    assert_eq!(parsed.es_id(), "91510100MA61ABCDE30001");
    let v = SealVerifier::new(trust(&w));
    let signed_at = datetime!(2026-03-01 8:00 UTC);
    let verified = v.verify_seal(&seal, signed_at).unwrap();
    assert!(verified.maker_trusted());

    let data = b"contract text: 1 MiB in the bench, a line here".to_vec();
    let sig = holder(&w, &seal).sign(&data, signed_at, "contract.pdf").unwrap();
    let ok = v.verify_signature(&sig, &data, signed_at).unwrap();
    assert_eq!(ok.signed_at(), Some(signed_at));
    assert_eq!(ok.signer().der(), w.holder_cert.der());

    // Changed data, signed after the seal expired, before it was valid.
    let mut changed = data.clone();
    changed[0] ^= 1;
    assert_eq!(v.verify_signature(&sig, &changed, signed_at).unwrap_err().code(), "seal.data_hash_mismatch");
    let late = holder(&w, &seal).sign(&data, datetime!(2027-06-01 0:00 UTC), "x").unwrap();
    assert_eq!(
        v.verify_signature(&late, &data, signed_at).unwrap_err().code(),
        "seal.signed_outside_validity"
    );
    let early = holder(&w, &seal).sign(&data, datetime!(2025-12-01 0:00 UTC), "x").unwrap();
    assert_eq!(
        v.verify_signature(&early, &data, signed_at).unwrap_err().code(),
        "seal.signed_outside_validity"
    );
    assert_eq!(v.verify_seal(&seal, datetime!(2028-01-01 0:00 UTC)).unwrap_err().code(), "seal.expired");
    assert_eq!(
        v.verify_seal(&seal, datetime!(2025-01-01 0:00 UTC)).unwrap_err().code(),
        "seal.not_yet_valid"
    );

    // Someone whose certificate is not in the seal's list cannot sign with it.
    let other = sm2();
    let err = SealHolder::new(&seal, Box::new(other), w.maker_cert.clone()).err().unwrap();
    assert_eq!(err.code(), "seal.key_mismatch");
    assert!(err.to_string().contains("signer certificate is not for the signer key"), "{err}");
    let maker_as_holder = SealHolder::new(
        &seal,
        Box::new(SoftwareKey::from_pkcs8_der(&w.maker_key_der).unwrap()),
        w.maker_cert.clone(),
    )
    .err()
    .unwrap();
    assert_eq!(maker_as_holder.code(), "seal.signer_not_in_seal");

    // An untrusted maker; a verifier without anchors says so instead of failing.
    let stranger = world();
    let foreign = stranger.maker.make(&request(&stranger, None)).unwrap();
    assert_eq!(v.verify_seal(&foreign, signed_at).unwrap_err().code(), "seal.maker_untrusted");
    assert!(!SealVerifier::without_trust_anchors().verify_seal(&foreign, signed_at).unwrap().maker_trusted());

    // Truncated, oversized.
    assert_eq!(Seal::from_der(&seal[..seal.len() - 1]).unwrap_err().code(), "seal.malformed");
    assert_eq!(Seal::from_der(&vec![0x30; 2 * 1024 * 1024]).unwrap_err().code(), "seal.too_large");
    // Ed25519 and P-256 keys cannot make seals.
    let ed = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let err = SealMaker::new(Box::new(ed), w.maker_cert.clone()).err().unwrap();
    assert_eq!(err.code(), "seal.key_not_sm2");
    assert!(err.to_string().starts_with("the seal maker key is ed25519"), "{err}");
}

#[test]
fn every_tampered_byte_of_a_signature_is_rejected() {
    let w = world();
    let seal = w.maker.make(&request(&w, None)).unwrap();
    let at = datetime!(2026-03-01 8:00 UTC);
    let data = b"document".to_vec();
    let sig = holder(&w, &seal).sign(&data, at, "doc").unwrap();
    let v = SealVerifier::new(trust(&w));
    v.verify_signature(&sig, &data, at).unwrap();
    for i in 0..sig.len() {
        let mut bad = sig.clone();
        bad[i] ^= 0x01;
        assert!(v.verify_signature(&bad, &data, at).is_err(), "byte {i} of {}", sig.len());
    }
}

#[test]
fn seals_with_a_status_reference_are_revocable() {
    let w = world();
    let uri = "https://seals.example.gov.cn/status/1";
    let seal = w.maker.make(&request(&w, Some(StatusReference { uri: uri.into(), index: 42 }))).unwrap();
    assert_eq!(Seal::from_der(&seal).unwrap().status().map(|s| s.index), Some(42));
    let at = datetime!(2026-03-01 8:00 UTC);
    let data = b"doc".to_vec();
    let sig = holder(&w, &seal).sign(&data, at, "doc").unwrap();
    let lists = |value: u8| {
        let mut list = StatusList::new(2, 128).unwrap();
        list.set(42, value).unwrap();
        let claims = TokenClaims { sub: uri.into(), iat: at, exp: None, ttl: Some(3600) };
        let maker_key = SoftwareKey::from_pkcs8_der(&w.maker_key_der).unwrap();
        let token =
            StatusListToken::sign(&list, &claims, &maker_key, std::slice::from_ref(&w.maker_cert)).unwrap();
        let cache = StatusListCache::new();
        cache.insert(StatusListToken::verify_with_trust(&token, &trust(&w), at).unwrap(), at);
        Arc::new(cache)
    };
    let v = SealVerifier::new(trust(&w));
    assert_eq!(v.verify_signature(&sig, &data, at).unwrap_err().code(), "seal.status_unknown");
    assert!(v.clone().accept_unknown_status(true).verify_signature(&sig, &data, at).is_ok());
    let valid = v.clone().with_status_lists(lists(0));
    valid.verify_signature(&sig, &data, at).unwrap();
    assert_eq!(valid.verify_seal(&seal, at).unwrap().status(), Some(yinxin::status::Status::Valid));
    let revoked = v.clone().with_status_lists(lists(1));
    assert_eq!(revoked.verify_signature(&sig, &data, at).unwrap_err().code(), "seal.revoked");
    let suspended = v.clone().with_status_lists(lists(2));
    assert_eq!(suspended.verify_seal(&seal, at).unwrap_err().code(), "seal.suspended");
    // A stale list is as good as none.
    let stale = v.with_status_lists(lists(0));
    assert_eq!(stale.verify_seal(&seal, at + Duration::hours(2)).unwrap_err().code(), "seal.status_unknown");
}

/// OpenSSL, an independent SM2 implementation, verifies the maker's signature over the seal
/// and the holder's signature over TBS_Sign of what yinxin makes.
#[test]
fn openssl_verifies_the_seal_and_signature_yinxin_makes() {
    let w = world();
    let seal_der = w.maker.make(&request(&w, None)).unwrap();
    let at = datetime!(2026-03-01 8:00 UTC);
    let sig_der = holder(&w, &seal_der).sign(b"document", at, "doc").unwrap();
    let seal = Seal::from_der(&seal_der).unwrap();
    let sig = SealSignature::from_der(&sig_der).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (name, cert, message, signature) in [
        ("seal", &w.maker_cert, seal.signed_bytes(), seal.signature_value()),
        ("signature", &w.holder_cert, sig.signed_bytes(), sig.signature_value()),
    ] {
        let p = |f: &str| dir.path().join(format!("{name}.{f}"));
        std::fs::write(p("pub.pem"), cert.public_key().to_spki_pem().unwrap()).unwrap();
        std::fs::write(p("msg"), message).unwrap();
        std::fs::write(p("sig"), signature).unwrap();
        let openssl_verifies = || {
            let out = std::process::Command::new("openssl")
                .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
                .arg(p("pub.pem"))
                .args(["-rawin", "-digest", "sm3", "-in"])
                .arg(p("msg"))
                .arg("-sigfile")
                .arg(p("sig"))
                .args(["-pkeyopt", "distid:1234567812345678"])
                .output()
                .expect("openssl runs");
            out.status.success()
        };
        assert!(openssl_verifies(), "{name}: OpenSSL refused what yinxin made");
        // And a changed message fails there too.
        let mut changed = message.to_vec();
        changed[10] ^= 1;
        std::fs::write(p("msg"), &changed).unwrap();
        assert!(!openssl_verifies(), "{name}: OpenSSL accepted a changed message");
    }
}

/// `1.ofd` rebuilt with one file changed by `edit`.
fn edited_ofd(edit: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    use std::io::{Read as _, Write as _};
    let original = vector("ofd/1.ofd");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(original)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&edit(&name, data)).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn a_changed_page_or_signature_file_of_a_real_ofd_is_reported_precisely() {
    let v = SealVerifier::without_trust_anchors();
    let now = OffsetDateTime::now_utc();
    // Unchanged, but re-zipped: still valid (the zip container is not what is signed).
    let same = verify_ofd(&edited_ofd(|_, d| d), &v, OfdLimits::default(), now).unwrap();
    assert!(same[0].valid, "{:?}", same[0].errors);
    // One byte of a page changes: only that reference fails.
    let page = edited_ofd(|name, mut d| {
        if name == "Doc_0/Pages/Page_0/Content.xml" {
            let last = d.len() - 2;
            d[last] ^= 0x20;
        }
        d
    });
    let verdict = &verify_ofd(&page, &v, OfdLimits::default(), now).unwrap()[0];
    assert!(
        !verdict.references
            && verdict.data_hash
            && verdict.signature_valid
            && verdict.seal_valid == Some(true)
    );
    assert_eq!(verdict.reference_failures, ["/Doc_0/Pages/Page_0/Content.xml"]);
    assert_eq!(verdict.error.as_ref().unwrap().0, "ofd.reference_mismatch");
    // The Signature.xml changes (a reference digest swapped for another): dataHash fails.
    let sig = edited_ofd(|name, d| {
        if name == "Doc_0/Signs/Sign_0/Signature.xml" {
            String::from_utf8(d).unwrap().replacen("apPHSy", "apPHSz", 1).into_bytes()
        } else {
            d
        }
    });
    let verdict = &verify_ofd(&sig, &v, OfdLimits::default(), now).unwrap()[0];
    assert!(!verdict.data_hash && verdict.signature_valid && !verdict.valid);
    assert!(verdict.errors.iter().any(|(c, _)| c == "seal.data_hash_mismatch"));
    assert!(verdict.reference_failures.contains(&"/Doc_0/Annots/Page_0/Annotation.xml".to_owned()));
    // The SignedValue goes missing.
    let gone = edited_ofd(|name, d| if name.ends_with("SignedValue.dat") { Vec::new() } else { d });
    let verdict = &verify_ofd(&gone, &v, OfdLimits::default(), now).unwrap()[0];
    assert!(!verdict.valid);
    assert_eq!(verdict.error.as_ref().unwrap().0, "seal.malformed");
}

#[test]
fn a_seal_maker_trusted_through_a_trust_list_must_be_listed_for_seals() {
    let w = world();
    let seal = w.maker.make(&request(&w, None)).unwrap();
    let t = datetime!(2026-03-01 8:00 UTC);
    let op = kit::operator(Algorithm::Sm2Sm3, "四川省大数据中心", kit::ISSUER_CODE, t);
    let verifier = yinxin::Verifier::builder().list_operator(op.root.certificate().clone()).build().unwrap();
    assert_eq!(verifier.verify_seal(&seal, t).unwrap_err().code(), "seal.maker_untrusted", "no list yet");
    // Listed, but only to issue business licenses: not a seal maker.
    verifier.add_trust_list(&op.list("510000", 1, t, &[(&w.root, &["11100000000013338W001"])]), t).unwrap();
    let err = verifier.verify_seal(&seal, t).unwrap_err();
    assert_eq!(err.code(), "seal.maker_untrusted");
    assert!(err.to_string().contains("not for seals"), "{err}");
    verifier.add_trust_list(&op.list("510000", 2, t, &[(&w.root, &["cn.gov.eseal"])]), t).unwrap();
    assert!(verifier.verify_seal(&seal, t).unwrap().maker_trusted());
}
