//! Verifies 200 codes of the business license (Ed25519 issuer, P-256 holder) for an
//! instruction count that does not move with the machine's load (BENCHMARKS.md):
//!
//! `valgrind --tool=callgrind --callgrind-out-file=cg target/release/examples/verify_cost FORM`
//! then `callgrind_annotate --inclusive=yes cg | grep -E 'PresentationVerifier::verify |PublicKey as .*Verifier>::verify'`
//!
//! FORM: `set` (the pre-signed counter_check set), `tree-5` (five elements in the tree form),
//! `tree-all` (every element) or `floor` (the two raw signature verifications only); a second
//! argument `sm2` takes an SM2 issuer and holder instead.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use yinxin::crypto::{Algorithm, Signer, SoftwareKey, Verifier as _};
use yinxin::license::{IssueOptions, LicenseVerifier};
use yinxin::present::{Disclosure, PresentationVerifier, ReplayGuard, present};
use yinxin::status::StatusListCache;
use yinxin_test_vectors::kit;

fn main() {
    let form = std::env::args().nth(1).unwrap_or_else(|| "tree-all".into());
    let (issuer_alg, holder_alg) = if std::env::args().nth(2).as_deref() == Some("sm2") {
        (Algorithm::Sm2Sm3, Algorithm::Sm2Sm3)
    } else {
        (Algorithm::Ed25519, Algorithm::Es256)
    };
    let t = OffsetDateTime::now_utc();
    if form == "floor" {
        let (ik, hk) =
            (SoftwareKey::generate(issuer_alg).unwrap(), SoftwareKey::generate(holder_alg).unwrap());
        let (m1, m2) = (vec![1u8; 400], vec![2u8; 450]);
        let (s1, s2) = (ik.sign(&m1).unwrap(), hk.sign(&m2).unwrap());
        for _ in 0..200 {
            ik.public_key().verify(&m1, &s1).unwrap();
            hk.public_key().verify(&m2, &s2).unwrap();
        }
        return;
    }
    let world = kit::issued_to(issuer_alg, holder_alg, "business-license.json", IssueOptions::default());
    let trust = kit::trust(&world.root);
    trust.add_issuer(world.authority.certificate().clone());
    let v = PresentationVerifier::new(LicenseVerifier::new(trust), Arc::new(StatusListCache::new()))
        .with_replay_guard(Arc::new(ReplayGuard::new(Duration::minutes(10), 1_000_000)));
    let counter_check =
        ["holder_name", "holder_code", "legal_representative", "valid_until", "license_identifier"];
    let five = ["legal_representative", "domicile", "business_scope", "issuer_code", "license_identifier"];
    let disclose = match form.as_str() {
        "set" => Disclosure::Elements(&counter_check),
        "tree-5" => Disclosure::Elements(&five),
        _ => Disclosure::All,
    };
    let codes: Vec<Vec<u8>> = (0..200)
        .map(|_| present(&world.license.bytes, world.wallet.signer(), disclose, t).unwrap())
        .collect();
    for c in &codes {
        v.verify(c, t).unwrap();
    }
}
