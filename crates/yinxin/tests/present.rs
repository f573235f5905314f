//! Presentations: the holder discloses chosen elements, the verifier checks everything once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode;
use yinxin::crypto::{Algorithm, Signer, SoftwareKey};
use yinxin::license::{
    IssueOptions, LicenseData, LicenseIssuer, LicenseVerifier, META_NAMESPACE, StatusReference,
};
use yinxin::present::{Disclosure, PresentError, PresentationVerifier, present, present_mdoc_form, qr_text};
use yinxin::status::{StatusList, StatusListCache, StatusListToken, TokenClaims};
use yinxin::trust::{Certificate, TrustStore};
use yinxin_test_vectors::kit;

const URI: &str = "https://status.example.gov.cn/lists/1";
const COUNTER_CHECK: [&str; 5] =
    ["holder_name", "holder_code", "legal_representative", "valid_until", "license_identifier"];

struct World {
    trust: TrustStore,
    issuer_key: SoftwareKey,
    issuer_cert: Certificate,
    holder: SoftwareKey,
    license: Vec<u8>,
}

fn world(alg: Algorithm, index: u64) -> World {
    issue_world(alg, "business-license.json", "11510000MB0123456W", index, &[])
}

/// A root, an issuer for `code`, a P-256 holder, and `fixture` issued to the holder with status
/// entry `index` and the pre-signed QR `sets`.
fn issue_world(alg: Algorithm, fixture: &str, code: &str, index: u64, sets: &[(&str, &[&str])]) -> World {
    let t = OffsetDateTime::now_utc();
    let root = kit::root(alg, "root", t);
    let (issuer_key, issuer_cert) = kit::signer(&root, alg, "成都市市场监督管理局", code, t, 365);
    let trust = kit::trust(&root);
    let holder = SoftwareKey::generate(Algorithm::Es256).unwrap();
    let data = LicenseData::from_json(&yinxin_test_vectors::fixture(fixture)).unwrap();
    let issuer = LicenseIssuer::new(
        SoftwareKey::from_pkcs8_der(&issuer_key.to_pkcs8_der().unwrap()).unwrap(),
        vec![issuer_cert.clone()],
    )
    .unwrap();
    let options = IssueOptions {
        status: Some(StatusReference { index, uri: URI.into() }),
        at: Some(t - Duration::minutes(10)),
        qr_sets: sets
            .iter()
            .map(|(n, e)| ((*n).to_owned(), e.iter().map(|s| (*s).to_owned()).collect()))
            .collect(),
        ..IssueOptions::default()
    };
    let license = issuer.issue(&data, holder.public_key(), &options).unwrap().bytes;
    World { trust, issuer_key, issuer_cert, holder, license }
}

fn lists(w: &World, set: &[(u64, u8)]) -> Arc<StatusListCache> {
    let now = OffsetDateTime::now_utc();
    let mut list = StatusList::new(2, 1024).unwrap();
    for (i, v) in set {
        list.set(*i, *v).unwrap();
    }
    let claims = TokenClaims { sub: URI.into(), iat: now, exp: None, ttl: Some(3600) };
    let token =
        StatusListToken::sign(&list, &claims, &w.issuer_key, std::slice::from_ref(&w.issuer_cert)).unwrap();
    let cache = StatusListCache::new();
    cache.insert(StatusListToken::verify_with_trust(&token, &w.trust, now).unwrap(), now);
    Arc::new(cache)
}

fn verifier(w: &World, set: &[(u64, u8)]) -> PresentationVerifier {
    PresentationVerifier::new(LicenseVerifier::new(w.trust.clone()), lists(w, set))
}

#[test]
fn holder_discloses_chosen_elements_and_the_counter_verifies_once() {
    for alg in Algorithm::ALL {
        let w = world(alg, 7);
        let now = OffsetDateTime::now_utc();
        let p = present(&w.license, &w.holder, Disclosure::Elements(&COUNTER_CHECK), now).unwrap();
        let text = qr_text::encode(&p).unwrap();
        let v = verifier(&w, &[]);
        let verified =
            v.verify_qr(&text, now + Duration::seconds(5)).unwrap_or_else(|e| panic!("{alg}: {e}"));
        let meta = &verified.license().elements()[META_NAMESPACE];
        let surface = &verified.license().elements()["cn.gov.elicense.11100000000013338W001.1"];
        assert_eq!(meta.len() + surface.len(), 5, "only what was chosen");
        assert!(meta.contains_key("holder_name") && surface.contains_key("legal_representative"));
        assert!(!meta.contains_key("issue_date"));
        assert_eq!(verified.age().whole_seconds(), 5, "created is kept to the second");
        // The same code again: 一次一验.
        assert_eq!(v.verify_qr(&text, now + Duration::seconds(6)).unwrap_err(), PresentError::Replayed);
        // A new presentation of the same license is a new code.
        let again = present(&w.license, &w.holder, Disclosure::Elements(&COUNTER_CHECK), now).unwrap();
        v.verify(&again, now + Duration::seconds(7)).unwrap();
    }
}

#[test]
fn freshness_window_and_future_codes() {
    let w = world(Algorithm::Ed25519, 7);
    let now = OffsetDateTime::now_utc();
    let p = present(&w.license, &w.holder, Disclosure::All, now).unwrap();
    assert_eq!(
        verifier(&w, &[]).verify(&p, now + Duration::seconds(331)).unwrap_err().code(),
        "present.expired"
    );
    verifier(&w, &[]).verify(&p, now + Duration::seconds(329)).unwrap();
    assert_eq!(
        verifier(&w, &[]).verify(&p, now - Duration::seconds(31)).unwrap_err().code(),
        "present.future"
    );
    let short = verifier(&w, &[]).with_window(Duration::seconds(60)).unwrap();
    assert_eq!(short.verify(&p, now + Duration::seconds(100)).unwrap_err().code(), "present.expired");
}

#[test]
fn status_revoked_suspended_unknown() {
    let w = world(Algorithm::Es256, 7);
    let now = OffsetDateTime::now_utc();
    let code = |set: &[(u64, u8)]| {
        let p = present(&w.license, &w.holder, Disclosure::Elements(&COUNTER_CHECK), now).unwrap();
        verifier(&w, set).verify(&p, now).unwrap_err().code()
    };
    assert_eq!(code(&[(7, 1)]), "license.revoked");
    assert_eq!(code(&[(7, 2)]), "license.suspended");
    let p = present(&w.license, &w.holder, Disclosure::All, now).unwrap();
    let no_lists =
        PresentationVerifier::new(LicenseVerifier::new(w.trust.clone()), Arc::new(StatusListCache::new()));
    assert_eq!(no_lists.verify(&p, now).unwrap_err().code(), "license.status_unknown");
}

#[test]
fn wrong_holder_key_and_unknown_elements_are_refused() {
    let w = world(Algorithm::Ed25519, 7);
    let now = OffsetDateTime::now_utc();
    let thief = SoftwareKey::generate(Algorithm::Es256).unwrap();
    assert_eq!(
        present(&w.license, &thief, Disclosure::All, now).unwrap_err(),
        PresentError::HolderKeyMismatch
    );
    assert_eq!(
        present(&w.license, &w.holder, Disclosure::Elements(&["holder_name", "salary"]), now).unwrap_err(),
        PresentError::ElementNotInLicense("salary".into())
    );
    // The untrusted issuer: a verifier trusting another root. The mdoc form carries the
    // certificate, which does not chain; the compact forms name the issuer by key id, which
    // that verifier does not know.
    let other = world(Algorithm::Ed25519, 7);
    let p = present_mdoc_form(&w.license, &w.holder, Disclosure::All, now).unwrap();
    assert_eq!(verifier(&other, &[]).verify(&p, now).unwrap_err().code(), "trust.untrusted_root");
    let p = present(&w.license, &w.holder, Disclosure::All, now).unwrap();
    let e = verifier(&other, &[]).verify(&p, now).unwrap_err();
    assert_eq!(e.code(), "license.issuer_key_unknown");
    assert!(e.to_string().contains(&w.issuer_key.key_id().to_string()), "{e}");
}

#[test]
fn every_tampered_byte_is_rejected() {
    let w = world(Algorithm::Es256, 7);
    let now = OffsetDateTime::now_utc();
    let p = present(&w.license, &w.holder, Disclosure::Elements(&COUNTER_CHECK), now).unwrap();
    let v = verifier(&w, &[]);
    for i in 0..p.len() {
        let mut bad = p.clone();
        bad[i] ^= 0x01;
        assert!(v.verify(&bad, now).is_err(), "byte {i} of {}", p.len());
    }
    // A changed holder signature (the last bytes) is reported as such.
    let mut forged = p.clone();
    let last = forged.len() - 1;
    forged[last] ^= 0x01;
    assert_eq!(v.verify(&forged, now).unwrap_err(), PresentError::HolderSignatureInvalid);
    // The genuine one still verifies: forged copies did not burn its nonce.
    v.verify(&p, now).unwrap();
    // Garbage and truncation.
    assert_eq!(v.verify(b"\xa0", now).unwrap_err().code(), "present.malformed");
    assert!(v.verify(&p[..p.len() - 1], now).is_err());
    let _: &dyn Signer = &w.holder;
}

/// A license with the fixture's disclosure sets pre-signed as compact QR claims.
fn compact_world(alg: Algorithm, fixture: &str, code: &str, sets: &[(&str, &[&str])]) -> (World, TrustStore) {
    let w = issue_world(alg, fixture, code, 7, sets);
    // The counter learns the issuer certificate (here directly; in practice from its status lists).
    let trust = w.trust.clone();
    trust.add_issuer(w.issuer_cert.clone());
    (w, trust)
}

#[test]
fn compact_sets_make_small_codes_with_the_same_checks() {
    for alg in Algorithm::ALL {
        let (w, trust) = compact_world(
            alg,
            "business-license.json",
            "11510000MB0123456W",
            &[("counter_check", &COUNTER_CHECK)],
        );
        let now = OffsetDateTime::now_utc();
        assert_eq!(yinxin::present::compact_sets(&w.license).unwrap()[0].0, "counter_check");
        let p = present(&w.license, &w.holder, Disclosure::Elements(&COUNTER_CHECK), now).unwrap();
        let text = qr_text::encode(&p).unwrap();
        assert!(text.len() <= 700, "{alg}: counter_check QR text is {} characters", text.len());
        let v = PresentationVerifier::new(LicenseVerifier::new(trust.clone()), lists(&w, &[]));
        let verified = v.verify_qr(&text, now).unwrap_or_else(|e| panic!("{alg}: {e}"));
        let meta = &verified.license().elements()[META_NAMESPACE];
        assert_eq!(meta["holder_code"].as_text(), Some("91510100MA61ABCDE3"));
        assert_eq!(
            verified
                .license()
                .element("cn.gov.elicense.11100000000013338W001.1", "legal_representative")
                .and_then(|e| e.as_text()),
            Some("李四")
        );
        assert_eq!(v.verify_qr(&text, now).unwrap_err().code(), "present.replayed");
        // Revoked through the same status list.
        let revoked = PresentationVerifier::new(LicenseVerifier::new(trust.clone()), lists(&w, &[(7, 1)]));
        let p2 = present(&w.license, &w.holder, Disclosure::Elements(&COUNTER_CHECK), now).unwrap();
        assert_eq!(revoked.verify(&p2, now).unwrap_err().code(), "license.revoked");
        // A verifier that does not know the issuer certificate cannot check the code.
        let mut fresh_trust = TrustStore::new();
        fresh_trust.add(w.trust.anchors()[0].clone());
        let unknown =
            PresentationVerifier::new(LicenseVerifier::new(fresh_trust), Arc::new(StatusListCache::new()));
        assert_eq!(unknown.verify(&p2, now).unwrap_err().code(), "license.issuer_key_unknown");
        // Every tampered byte is refused.
        let v = PresentationVerifier::new(LicenseVerifier::new(trust.clone()), lists(&w, &[]));
        for i in 0..p2.len() {
            let mut bad = p2.clone();
            bad[i] ^= 0x01;
            assert!(v.verify(&bad, now).is_err(), "{alg}: byte {i}");
        }
        v.verify(&p2, now).unwrap();
        // Another subset takes the tree form, with the same checks, far smaller than the mdoc form.
        let other = present(&w.license, &w.holder, Disclosure::Elements(&["holder_name"]), now).unwrap();
        let mdoc =
            present_mdoc_form(&w.license, &w.holder, Disclosure::Elements(&["holder_name"]), now).unwrap();
        assert!(other.len() * 3 < mdoc.len(), "{alg}: {} and {}", other.len(), mdoc.len());
        let shown = v.verify(&other, now).unwrap();
        assert_eq!(shown.license().elements()[META_NAMESPACE].len(), 1);
        assert_eq!(
            shown.license().meta("holder_name").and_then(|e| e.as_text()),
            Some("成都天府示例科技有限公司")
        );
    }
}

#[test]
fn a_code_cut_short_says_it_looks_truncated() {
    // A code cut off when copied or scanned is refused as truncated, or as bad base45 where the
    // last two characters are no byte at all; never as a malformed credential or bad zlib,
    // which would send the counter looking for a forgery. Compact codes are compressed only when that is
    // shorter: the driving license's is not, so its cuts are seen in the CBOR.
    let age_and_class: &[&str] = &["holder_name", "date_of_birth", "vehicle_class", "valid_until"];
    let mut uncompressed = 0;
    for (fixture, code, set) in [
        ("business-license.json", "11510000MB0123456W", &COUNTER_CHECK[..]),
        ("driving-license.json", "11510000MB1C2D3E45", age_and_class),
    ] {
        let (w, trust) = compact_world(Algorithm::Sm2Sm3, fixture, code, &[("set", set)]);
        let now = OffsetDateTime::now_utc();
        let p = present(&w.license, &w.holder, Disclosure::Elements(set), now).unwrap();
        let text = qr_text::encode(&p).unwrap();
        let body = &text[qr_text::QR_PREFIX.len()..];
        uncompressed += usize::from(base45::decode(body).unwrap()[0] != 0x78);
        let v = PresentationVerifier::new(LicenseVerifier::new(trust), lists(&w, &[]));
        let mut truncated = 0;
        // From the first whole base45 group on (two characters alone decode to an unrelated byte).
        for cut in 3..body.len() {
            let code = v.verify_qr(&text[..qr_text::QR_PREFIX.len() + cut], now).unwrap_err().code();
            assert!(
                ["present.qr_truncated", "present.qr_encoding"].contains(&code),
                "{fixture} cut at {cut}: {code}"
            );
            truncated += usize::from(code == "present.qr_truncated");
        }
        assert!(truncated * 3 >= (body.len() - 3) * 2, "{fixture}: {truncated} of {} cuts", body.len() - 3);
        v.verify_qr(&text, now).unwrap();
    }
    assert!(uncompressed > 0, "no uncompressed code: the CBOR path was not tested");
}

/// Each element of `fixture` with its full set (and `extra` surface fields) pre-signed: the
/// compact code fits `limit` characters and reads back exactly what the credential holds.
fn full_set_reads_back(fixture: &str, code: &str, limit: usize, extra: &[(&str, &str)]) {
    let mut data = LicenseData::from_json(&yinxin_test_vectors::fixture(fixture)).unwrap();
    for (name, value) in extra {
        data.surface.insert((*name).to_owned(), yinxin::license::ElementValue::Text((*value).to_owned()));
    }
    let sets = data.qr_sets();
    let (_, full) = sets.iter().find(|(n, _)| n == "full").unwrap();
    for alg in Algorithm::ALL {
        let (w, trust) = compact_world(alg, fixture, code, &[]);
        let issuer = LicenseIssuer::new(
            SoftwareKey::from_pkcs8_der(&w.issuer_key.to_pkcs8_der().unwrap()).unwrap(),
            vec![w.issuer_cert.clone()],
        )
        .unwrap();
        let now = OffsetDateTime::now_utc();
        let options = IssueOptions {
            status: Some(StatusReference { index: 7, uri: URI.into() }),
            at: Some(now - Duration::minutes(10)),
            qr_sets: sets.clone(),
            ..IssueOptions::default()
        };
        let license = issuer.issue(&data, w.holder.public_key(), &options).unwrap().bytes;
        let names: Vec<&str> = full.iter().map(String::as_str).collect();
        let p = present(&license, &w.holder, Disclosure::Elements(&names), now).unwrap();
        let text = qr_text::encode(&p).unwrap();
        assert!(text.len() <= limit, "{fixture} {alg}: full QR text is {} characters", text.len());
        let v = PresentationVerifier::new(LicenseVerifier::new(trust.clone()), lists(&w, &[]));
        let shown = v.verify_qr(&text, now).unwrap_or_else(|e| panic!("{alg}: {e}"));
        let mut held = LicenseVerifier::new(trust).verify(&license, now).unwrap().elements().clone();
        for items in held.values_mut() {
            items.remove("portrait");
        }
        assert_eq!(shown.license().elements(), &held, "{fixture} {alg}");
    }
}

#[test]
fn full_sets_fit_their_goals_and_read_back_exactly() {
    full_set_reads_back("business-license.json", "11510000MB0123456W", 1200, &[]);
    full_set_reads_back("driving-license.json", "11510000MB1C2D3E45", 1200, &[]);
    // A field outside the key catalogue keeps its name; mixed and supplementary-plane text too.
    full_set_reads_back(
        "driving-license.json",
        "11510000MB1C2D3E45",
        1400,
        &[("hukou_note", "集体户口 No.7"), ("old_name", "𠀀𠀁李")],
    );
}

#[test]
fn driving_license_age_and_class_fits_its_goal() {
    const AGE_AND_CLASS: [&str; 4] = ["holder_name", "date_of_birth", "vehicle_class", "valid_until"];
    for alg in Algorithm::ALL {
        let (w, trust) = compact_world(
            alg,
            "driving-license.json",
            "11510000MB1C2D3E45",
            &[("age_and_class", &AGE_AND_CLASS)],
        );
        let now = OffsetDateTime::now_utc();
        let text = qr_text::encode(
            &present(&w.license, &w.holder, Disclosure::Elements(&AGE_AND_CLASS), now).unwrap(),
        )
        .unwrap();
        assert!(text.len() <= 600, "{alg}: age_and_class QR text is {} characters", text.len());
        let v = PresentationVerifier::new(LicenseVerifier::new(trust), lists(&w, &[]));
        let shown = v.verify_qr(&text, now).unwrap();
        assert_eq!(shown.license().meta("holder_name").and_then(|e| e.as_text()), Some("张三"));
    }
}
