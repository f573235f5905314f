//! Times and durations at the ends of what can be represented: every verifier answers, none
//! panics (issue 14: `--at 9999-12-31T23:59:59Z`, windows of i64::MAX seconds).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode;
use yinxin::crypto::Algorithm;
use yinxin::license::{IssueOptions, LicenseVerifier, StatusReference};
use yinxin::present::{Disclosure, MAX_WINDOW, PresentationVerifier, ReplayGuard};
use yinxin::status::{StatusList, StatusListCache, StatusListToken, TokenClaims};
use yinxin_test_vectors::kit;

/// The last and first instants the library can hold, and the ends of RFC 3339.
fn extremes() -> [OffsetDateTime; 4] {
    [
        time::macros::datetime!(9999-12-31 23:59:59.999_999_999 UTC),
        time::macros::datetime!(9999-12-31 23:59:59 +14:00),
        time::macros::datetime!(0001-01-01 00:00:00 UTC),
        time::macros::datetime!(-9999-01-01 00:00:00 UTC),
    ]
}

#[test]
fn verifiers_answer_at_any_time() {
    let now = OffsetDateTime::now_utc();
    let uri = "https://status.example.gov.cn/lists/1";
    let options = IssueOptions {
        status: Some(StatusReference { index: 3, uri: uri.into() }),
        ..IssueOptions::default()
    };
    let world = kit::issued(Algorithm::Ed25519, "business-license.json", options);
    let (license, id) = (world.license.bytes.clone(), world.id());
    let claims = TokenClaims { sub: uri.into(), iat: now, exp: None, ttl: Some(u64::MAX) };
    let token = StatusListToken::sign(
        &StatusList::new(2, 16).unwrap(),
        &claims,
        world.authority.signer(),
        std::slice::from_ref(world.authority.certificate()),
    )
    .unwrap();
    let trust = world.trust();
    let lists = StatusListCache::new();
    lists.insert(StatusListToken::verify_with_trust(&token, &trust, now).unwrap(), now);
    let lists = Arc::new(lists);
    let skewed = LicenseVerifier::new(trust.clone()).with_clock_skew(Duration::MAX);
    let verifier = PresentationVerifier::new(LicenseVerifier::new(trust.clone()), lists.clone())
        .with_window(MAX_WINDOW)
        .unwrap();
    let code = world.wallet.present(&id, Disclosure::Elements(&["holder_name"]), now).unwrap();
    for at in extremes() {
        for v in [LicenseVerifier::new(trust.clone()), skewed.clone()] {
            assert!(v.verify(&license, at).is_err(), "{at}");
            assert!(v.verify_with_status(&license, at, &lists).is_err(), "{at}");
        }
        assert!(StatusListToken::verify_with_trust(&token, &trust, at).is_err(), "{at}");
        let _ = lists.get(None, uri, at);
        assert!(verifier.verify(&code, at).is_err(), "{at}");
        assert!(yinxin::license::untrusted::inspect(&license, at).is_ok());
        // Presentations made at the extremes are refused by a verifier living now.
        if let Ok(p) = world.wallet.present(&id, Disclosure::Elements(&["holder_name"]), at) {
            assert!(verifier.verify(&p, now).is_err());
        }
        // And issuing at the extremes is refused, not a panic.
        let at_extreme = IssueOptions { at: Some(at), ..IssueOptions::default() };
        assert_eq!(
            world.authority.issue(&world.data, world.wallet.holder_key(), &at_extreme).unwrap_err().code(),
            "license.certificate_not_valid"
        );
    }
    // The verifier living now still accepts the code: nothing above burnt its nonce.
    verifier.verify(&code, now).unwrap();
}

#[test]
fn windows_must_be_positive_and_at_most_a_day() {
    let root = kit::root(Algorithm::Ed25519, "root", OffsetDateTime::now_utc());
    let base =
        PresentationVerifier::new(LicenseVerifier::new(kit::trust(&root)), Arc::new(StatusListCache::new()));
    for bad in
        [Duration::MIN, Duration::seconds(-300), Duration::ZERO, MAX_WINDOW + Duration::SECOND, Duration::MAX]
    {
        assert_eq!(base.clone().with_window(bad).unwrap_err().code(), "present.window_invalid", "{bad}");
    }
    base.clone().with_window(Duration::SECOND).unwrap();
    base.with_window(MAX_WINDOW).unwrap();
}

#[test]
fn replay_guards_at_the_ends_of_time() {
    for window in [Duration::MAX, Duration::ZERO, Duration::MIN] {
        let guard = ReplayGuard::new(window, 16);
        for (i, at) in extremes().into_iter().enumerate() {
            let nonce = [i as u8 + 1; 16];
            let _ = guard.check_and_record(&nonce, at, at);
            let _ = guard.check_and_record(&nonce, at, extremes()[0]);
        }
        let saved = guard.save().unwrap();
        let again = ReplayGuard::new(window, 16);
        for at in extremes() {
            again.load(&saved, at).unwrap();
        }
    }
}
