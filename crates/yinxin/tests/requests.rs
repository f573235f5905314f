//! Requests with reader authentication and consent (issue 19, decision 0019): the wallet
//! verifies who asks, refuses what the verifier may not ask and sensitive elements to
//! unauthenticated requests, and answers with a code only that verifier accepts, once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode as _;
use yinxin::crypto::{Algorithm, Signer as _, SoftwareKey};
use yinxin::license::{IssueOptions, LicenseVerifier};
use yinxin::present::request::{
    RequestBinding, make_request, make_unsigned_request, request_from_text, request_text,
};
use yinxin::present::{PresentationVerifier, ReplayGuard};
use yinxin::status::StatusListCache;
use yinxin::trust::{Certificate, Party};
use yinxin::wallet::store::{CreateOptions, Pin, UnlockedWallet, WalletStore};
use yinxin_test_vectors::kit;

fn pin() -> Pin {
    Pin::new("246810").unwrap()
}

struct Counter {
    key: SoftwareKey,
    chain: Vec<Certificate>,
}

/// A verifier (a government service counter) with a certificate under `root` that may request
/// `may`.
fn counter(root: &yinxin::trust::CertificateAuthority<SoftwareKey>, alg: Algorithm, may: &[&str]) -> Counter {
    let now = OffsetDateTime::now_utc();
    let key = SoftwareKey::generate(alg).unwrap();
    let party: Party = "91510100MA61ABCDE3".parse().unwrap();
    let may: Vec<String> = may.iter().map(|s| (*s).to_owned()).collect();
    let cert = root
        .issue_verifier(
            key.public_key(),
            "成都市政务服务中心",
            &party,
            &may,
            now - Duration::minutes(5),
            now + Duration::days(30),
        )
        .unwrap();
    assert_eq!(cert.may_request(), Some(may.as_slice()));
    Counter { key, chain: vec![cert] }
}

fn wallet_with(dir: &std::path::Path, anchors: &[&Certificate]) -> (UnlockedWallet, kit::Issued) {
    let options = CreateOptions {
        verifier_anchors: anchors.iter().map(|c| c.der().to_vec()).collect(),
        ..CreateOptions::for_tests()
    };
    let store = WalletStore::create(dir.join("w"), &pin(), options).unwrap();
    let w = store.unlock(&pin(), OffsetDateTime::now_utc()).unwrap();
    let world = kit::issued(Algorithm::Ed25519, "business-license.json", IssueOptions::default());
    w.add(world.license.bytes.clone(), world.wallet.signer(), OffsetDateTime::now_utc()).unwrap();
    (w, world)
}

fn presentation_verifier(world: &kit::Issued) -> PresentationVerifier {
    let trust = world.trust();
    trust.add_issuer(world.authority.certificate().clone());
    PresentationVerifier::new(LicenseVerifier::new(trust), Arc::new(StatusListCache::new()))
        .with_replay_guard(Arc::new(ReplayGuard::new(Duration::minutes(10), 1000)))
}

#[test]
fn a_verified_request_is_answered_for_that_verifier_only_and_once() {
    let dir = tempfile::tempdir().unwrap();
    let now = OffsetDateTime::now_utc();
    for alg in [Algorithm::Es256, Algorithm::Sm2Sm3] {
        let root = kit::root(alg, "川渝政务服务验证方根", now);
        let c = counter(&root, alg, &["holder_name", "legal_representative", "valid_until"]);
        let (w, world) = wallet_with(&dir.path().join(alg.name()), &[root.certificate()]);
        let request = make_request(
            &c.key,
            &c.chain,
            &["holder_name", "legal_representative"],
            "办理营业执照变更登记",
            now,
        )
        .unwrap();
        let text = request_text(&request).unwrap();
        assert!(text.starts_with("YXR1:"), "{text}");
        let request = request_from_text(&text).unwrap();

        let verified = w.verify_request(&request, now).unwrap();
        let who = verified.verifier().unwrap();
        assert_eq!(who.name, "成都市政务服务中心");
        assert_eq!(who.code.as_deref(), Some("91510100MA61ABCDE3"));
        assert_eq!(verified.purpose(), "办理营业执照变更登记");
        let code = w.present_for_request(&pin(), &world.id(), &verified, now).unwrap();

        let v = presentation_verifier(&world);
        // Another verifier (no request) refuses it; so does one with another request.
        assert_eq!(v.verify(&code, now).unwrap_err().code(), "present.request_bound");
        let other = make_request(&c.key, &c.chain, &["holder_name"], "另一次请求", now).unwrap();
        let other = RequestBinding::own(&other, Some(c.key.public_key())).unwrap();
        assert_eq!(v.verify_for_request(&code, now, &other).unwrap_err().code(), "present.request_mismatch");
        // The verifier that asked accepts it, exactly the elements asked, once.
        let own = RequestBinding::own(&request, Some(c.key.public_key())).unwrap();
        let ok = v.verify_for_request(&code, now, &own).unwrap();
        assert!(ok.request_bound());
        let mut shown: Vec<&String> = ok.license().elements().values().flat_map(|m| m.keys()).collect();
        shown.sort();
        assert_eq!(shown, ["holder_name", "legal_representative"]);
        assert_eq!(v.verify_for_request(&code, now, &own).unwrap_err().code(), "present.replayed");
        // A request is not the verifier's own when another key made it.
        let stranger = SoftwareKey::generate(alg).unwrap();
        assert_eq!(
            RequestBinding::own(&request, Some(stranger.public_key())).unwrap_err().code(),
            "request.not_own"
        );

        // The consent log: who, what, why.
        let (log, _) = w.history().unwrap();
        let entry = log.last().unwrap();
        assert_eq!(entry.verifier.as_ref().unwrap().name, "成都市政务服务中心");
        assert_eq!(entry.purpose.as_deref(), Some("办理营业执照变更登记"));
        assert_eq!(entry.elements, ["holder_name", "legal_representative"]);

        // A plain code still verifies as before for a verifier with a request: not bound.
        let plain = w
            .present(&pin(), &world.id(), yinxin::present::Disclosure::Elements(&["holder_name"]), now)
            .unwrap();
        assert!(!v.verify_for_request(&plain, now, &own).unwrap().request_bound());
    }
}

#[test]
fn requests_beyond_authorisation_untrusted_stale_or_altered_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let now = OffsetDateTime::now_utc();
    let root = kit::root(Algorithm::Es256, "verifier root", now);
    let c = counter(&root, Algorithm::Es256, &["holder_name"]);
    let (w, _) = wallet_with(dir.path(), &[root.certificate()]);

    let beyond = make_request(&c.key, &c.chain, &["holder_name", "business_scope"], "核验", now).unwrap();
    let e = w.verify_request(&beyond, now).unwrap_err();
    assert_eq!(e.code(), "request.not_authorised");
    assert!(e.to_string().contains("business_scope") && !e.to_string().contains("holder_name,"), "{e}");

    let elsewhere = kit::root(Algorithm::Es256, "some other root", now);
    let stranger = counter(&elsewhere, Algorithm::Es256, &["holder_name"]);
    let untrusted = make_request(&stranger.key, &stranger.chain, &["holder_name"], "核验", now).unwrap();
    assert_eq!(w.verify_request(&untrusted, now).unwrap_err().code(), "request.verifier_untrusted");

    let old = make_request(&c.key, &c.chain, &["holder_name"], "核验", now - Duration::minutes(11)).unwrap();
    assert_eq!(w.verify_request(&old, now).unwrap_err().code(), "request.stale");
    let future =
        make_request(&c.key, &c.chain, &["holder_name"], "核验", now + Duration::minutes(5)).unwrap();
    assert_eq!(w.verify_request(&future, now).unwrap_err().code(), "request.stale");

    let good = make_request(&c.key, &c.chain, &["holder_name"], "核验", now).unwrap();
    w.verify_request(&good, now).unwrap();
    for i in 0..good.len() {
        let mut t = good.clone();
        t[i] ^= 0x01;
        assert!(w.verify_request(&t, now).is_err(), "byte {i} flipped and still accepted");
    }
    assert!(w.verify_request(&good[..good.len() - 1], now).is_err(), "truncated");
    // A wallet without verifier anchors trusts no verifier.
    let (bare, _) = wallet_with(&dir.path().join("bare"), &[]);
    assert_eq!(bare.verify_request(&good, now).unwrap_err().code(), "request.verifier_untrusted");
}

#[test]
fn unauthenticated_requests_get_no_sensitive_element() {
    let dir = tempfile::tempdir().unwrap();
    let now = OffsetDateTime::now_utc();
    let (w, world) = wallet_with(dir.path(), &[]);
    let sensitive = make_unsigned_request(&["holder_name", "holder_code"], "查询", now).unwrap();
    let e = w.verify_request(&sensitive, now).unwrap_err();
    assert_eq!(e.code(), "request.sensitive");
    let plain = make_unsigned_request(&["holder_name"], "查询", now).unwrap();
    let verified = w.verify_request(&plain, now).unwrap();
    assert!(verified.verifier().is_none());
    let code = w.present_for_request(&pin(), &world.id(), &verified, now).unwrap();
    let own = RequestBinding::own(&plain, None).unwrap();
    assert!(presentation_verifier(&world).verify_for_request(&code, now, &own).unwrap().request_bound());
    // The PIN is still the consent.
    let wrong = Pin::new("000000").unwrap();
    assert_eq!(
        w.present_for_request(&wrong, &world.id(), &verified, now).unwrap_err().code(),
        "wallet.pin_wrong"
    );
    // Malformed requests: empty purpose, nothing asked, an element twice.
    for (elements, purpose) in [(&["holder_name"][..], " "), (&[][..], "x"), (&["a", "a"][..], "x")] {
        assert_eq!(make_unsigned_request(elements, purpose, now).unwrap_err().code(), "request.malformed");
    }
}
