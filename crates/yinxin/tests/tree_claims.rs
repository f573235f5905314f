//! Tree claims (decision 0017): any subset of a license in a QR code, the checks of every other
//! form, sizes within the budgets, and every signed part of a license file checked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::sync::Arc;

use ciborium::Value;
use proptest::prelude::*;
use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode;
use yinxin::crypto::{Algorithm, Signer, SoftwareKey};
use yinxin::license::{IssueOptions, LicenseData, LicenseIssuer, LicenseVerifier};
use yinxin::present::{Disclosure, PresentationVerifier, present, qr_text};
use yinxin::status::StatusListCache;
use yinxin::trust::{Certificate, TrustStore};
use yinxin_test_vectors::kit;

struct World {
    trust: TrustStore,
    issuer: LicenseIssuer<SoftwareKey>,
    holder: SoftwareKey,
    data: LicenseData,
    license: Vec<u8>,
    /// Every element: (name, value as text).
    elements: Vec<(String, String)>,
}

fn world(alg: Algorithm) -> World {
    let t = OffsetDateTime::now_utc();
    let root = kit::root(alg, "四川省电子证照根CA", t);
    let (key, cert): (SoftwareKey, Certificate) =
        kit::signer(&root, alg, "成都市市场监督管理局", "11510000MB0123456W", t, 365);
    let trust = kit::trust(&root);
    trust.add_issuer(cert.clone());
    let issuer = LicenseIssuer::new(key, vec![cert]).unwrap();
    let holder = SoftwareKey::generate(Algorithm::Es256).unwrap();
    let data = LicenseData::from_json(&yinxin_test_vectors::fixture("business-license.json")).unwrap();
    let license = issue(&issuer, &holder, &data);
    let verified = LicenseVerifier::new(trust.clone()).verify(&license, t).unwrap();
    let elements = verified
        .elements()
        .values()
        .flat_map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_text().map(str::to_owned).unwrap_or_default())))
        .collect();
    World { trust, issuer, holder, data, license, elements }
}

fn issue(issuer: &LicenseIssuer<SoftwareKey>, holder: &SoftwareKey, data: &LicenseData) -> Vec<u8> {
    let options = IssueOptions {
        status: None,
        at: Some(OffsetDateTime::now_utc() - Duration::minutes(10)),
        qr_sets: data.qr_sets(),
        ..IssueOptions::default()
    };
    issuer.issue(data, holder.public_key(), &options).unwrap().bytes
}

fn verifier(w: &World) -> PresentationVerifier {
    PresentationVerifier::new(LicenseVerifier::new(w.trust.clone()), Arc::new(StatusListCache::new()))
}

fn names(w: &World, mask: u32) -> Vec<&str> {
    w.elements
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, (n, _))| n.as_str())
        .collect()
}

/// Presents `mask`, checks the verdict discloses exactly those elements with their values,
/// that no other value's bytes are in the code, and returns the QR text length.
fn check_subset(w: &World, v: &PresentationVerifier, mask: u32) -> usize {
    let chosen = names(w, mask);
    let now = OffsetDateTime::now_utc();
    let p = present(&w.license, &w.holder, Disclosure::Elements(&chosen), now).unwrap();
    let text = qr_text::encode(&p).unwrap();
    let verified = v.verify_qr(&text, now).unwrap_or_else(|e| panic!("{chosen:?}: {e}"));
    let mut shown: Vec<&str> =
        verified.license().elements().values().flat_map(|m| m.keys().map(String::as_str)).collect();
    shown.sort_unstable();
    let mut want = chosen.clone();
    want.sort_unstable();
    assert_eq!(shown, want, "exactly the chosen elements");
    for (i, (name, value)) in w.elements.iter().enumerate() {
        let disclosed = mask & (1 << i) != 0;
        let got = verified.license().elements().values().find_map(|m| m.get(name));
        if disclosed {
            assert_eq!(got.and_then(|v| v.as_text()).unwrap_or_default(), value, "{name}");
        } else if value.len() >= 6
            && !w
                .elements
                .iter()
                .enumerate()
                .any(|(j, (_, o))| mask & (1 << j) != 0 && o.contains(value.as_str()))
        {
            // An undisclosed value is nowhere in the code, in UTF-8 or GB 18030.
            let (gb, _, _) = encoding_rs::GB18030.encode(value);
            for needle in [value.as_bytes(), gb.as_ref()] {
                assert!(!p.windows(needle.len()).any(|x| x == needle), "{name} leaked into {chosen:?}");
            }
        }
    }
    text.len()
}

#[test]
fn every_single_element_fits_650_and_all_of_them_fit_1300() {
    for alg in [Algorithm::Ed25519, Algorithm::Es256, Algorithm::Sm2Sm3] {
        let w = world(alg);
        let v = verifier(&w);
        assert_eq!(w.elements.len(), 22);
        for i in 0..w.elements.len() {
            let len = check_subset(&w, &v, 1 << i);
            assert!(len <= 650, "{alg}: {} alone takes {len} characters", w.elements[i].0);
        }
        // The five largest values together (the worst five).
        let mut by_size: Vec<usize> = (0..22).collect();
        by_size.sort_by_key(|i| std::cmp::Reverse(w.elements[*i].1.len()));
        let five = by_size.iter().take(5).fold(0u32, |m, i| m | (1 << i));
        let len = check_subset(&w, &v, five);
        assert!(len <= 1100, "{alg}: the five largest take {len}");
        // Disclose all: the smallest form holding every element.
        let now = OffsetDateTime::now_utc();
        let p = present(&w.license, &w.holder, Disclosure::All, now).unwrap();
        let text = qr_text::encode(&p).unwrap();
        assert!(text.len() <= 1300, "{alg}: all 22 take {}", text.len());
        let verified = v.verify_qr(&text, now).unwrap();
        assert_eq!(verified.license().elements().values().map(|m| m.len()).sum::<usize>(), 22);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn random_subsets_disclose_exactly_what_was_chosen(mask in 1u32..(1 << 22), alg in 0usize..3) {
        let w = &WORLDS[alg];
        let len = check_subset(w, &verifier(w), mask);
        prop_assert!(len <= 1500, "{len}");
    }
}

static WORLDS: std::sync::LazyLock<[World; 3]> = std::sync::LazyLock::new(|| {
    [world(Algorithm::Ed25519), world(Algorithm::Es256), world(Algorithm::Sm2Sm3)]
});

#[test]
fn every_tampered_byte_of_a_tree_code_is_refused() {
    let w = world(Algorithm::Es256);
    let v = verifier(&w);
    let now = OffsetDateTime::now_utc();
    let chosen =
        ["legal_representative", "domicile", "issuer_code", "license_identifier", "date_of_establishment"];
    let p = present(&w.license, &w.holder, Disclosure::Elements(&chosen), now).unwrap();
    for i in 0..p.len() {
        let mut bad = p.clone();
        bad[i] ^= 0x01;
        assert!(v.verify(&bad, now).is_err(), "byte {i} of {}", p.len());
    }
    for cut in [1, 10, p.len() / 2, p.len() - 1] {
        assert!(v.verify(&p[..cut], now).is_err(), "cut at {cut}");
    }
    let verified = v.verify(&p, now).unwrap();
    let id = w.elements.iter().find(|(n, _)| n == "license_identifier").map(|(_, v)| v.as_str());
    assert_eq!(verified.license().meta("license_identifier").and_then(|e| e.as_text()), id);
    assert_eq!(v.verify(&p, now).unwrap_err().code(), "present.replayed");
    // Another holder's key cannot present it; an expired or not yet valid code is refused.
    let thief = SoftwareKey::generate(Algorithm::Es256).unwrap();
    assert!(present(&w.license, &thief, Disclosure::Elements(&chosen), now).is_err());
    let old =
        present(&w.license, &w.holder, Disclosure::Elements(&chosen), now - Duration::hours(1)).unwrap();
    assert_eq!(v.verify(&old, now).unwrap_err().code(), "present.expired");
    let late = now + Duration::days(400);
    let p = present(&w.license, &w.holder, Disclosure::Elements(&chosen), late).unwrap();
    assert_eq!(v.verify(&p, late).unwrap_err().code(), "trust.cert_expired");
}

/// Replaces a top-level key of an IssuerSigned with the same key of `other`.
fn swap_part(license: &[u8], other: &[u8], key: &str) -> Vec<u8> {
    let read = |b: &[u8]| -> Vec<(Value, Value)> {
        ciborium::from_reader::<Value, _>(b).unwrap().into_map().unwrap()
    };
    let donor = read(other).into_iter().find(|(k, _)| k.as_text() == Some(key)).unwrap().1;
    let map: Vec<(Value, Value)> = read(license)
        .into_iter()
        .map(|(k, v)| if k.as_text() == Some(key) { (k, donor.clone()) } else { (k, v) })
        .collect();
    let mut out = Vec::new();
    ciborium::into_writer(&Value::Map(map), &mut out).unwrap();
    out
}

#[test]
fn every_signed_part_of_a_license_file_is_checked() {
    let w = world(Algorithm::Ed25519);
    let v = LicenseVerifier::new(w.trust.clone());
    let now = OffsetDateTime::now_utc();
    v.verify(&w.license, now).unwrap();
    // The same holder's other license from the same issuer: its tree and sets are validly
    // signed, but over other salts and another license.
    let mut data = w.data.clone();
    data.meta.license_number = "510100000999999".into();
    let other = issue(&w.issuer, &w.holder, &data);
    let e = v.verify(&swap_part(&w.license, &other, "yinxinTree"), now).unwrap_err();
    assert_eq!(e.code(), "license.tree_invalid", "{e}");
    // A pre-signed set of another issuer's license.
    let x = world(Algorithm::Ed25519);
    let e = v.verify(&swap_part(&w.license, &x.license, "yinxinQr"), now).unwrap_err();
    assert_eq!(e.code(), "license.qr_set_invalid", "{e}");
    assert!(e.to_string().contains("counter_check"), "{e}");
    // A set with another value of the same issuer: the values differ.
    let mut renamed = w.data.clone();
    renamed.meta.holder_name = "成都另一家科技有限公司".into();
    let other = issue(&w.issuer, &w.holder, &renamed);
    let e = v.verify(&swap_part(&w.license, &other, "yinxinQr"), now).unwrap_err();
    assert_eq!(e.code(), "license.qr_set_invalid", "{e}");
}

/// A holder key that counts its signatures (a phone keystore may ask the user for each).
struct Counting(SoftwareKey, std::sync::atomic::AtomicUsize);

impl Signer for Counting {
    fn algorithm(&self) -> Algorithm {
        self.0.algorithm()
    }
    fn public_key(&self) -> &yinxin::crypto::PublicKey {
        self.0.public_key()
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, yinxin::crypto::SignError> {
        self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.0.sign(message)
    }
}

#[test]
fn the_holder_key_signs_once_whichever_form_is_chosen() {
    let w = world(Algorithm::Ed25519);
    let v = verifier(&w);
    let holder = Counting(SoftwareKey::from_pkcs8_der(&w.holder.to_pkcs8_der().unwrap()).unwrap(), 0.into());
    let now = OffsetDateTime::now_utc();
    let counter_check =
        ["holder_name", "holder_code", "legal_representative", "valid_until", "license_identifier"];
    for (disclose, smaller_than) in [
        (Disclosure::Elements(&counter_check), 700),
        (Disclosure::All, 1100),
        (Disclosure::Elements(&["domicile"]), 650),
    ] {
        let before = holder.1.load(std::sync::atomic::Ordering::SeqCst);
        let p = present(&w.license, &holder, disclose, now).unwrap();
        assert_eq!(holder.1.load(std::sync::atomic::Ordering::SeqCst), before + 1);
        let text = qr_text::encode(&p).unwrap();
        assert!(text.len() <= smaller_than, "{disclose:?}: {}", text.len());
        v.verify_qr(&text, now).unwrap();
    }
}

#[test]
fn a_wallet_refuses_a_license_whose_other_parts_do_not_verify() {
    let w = world(Algorithm::Es256);
    let mut data = w.data.clone();
    data.meta.license_number = "510100000999999".into();
    let other = issue(&w.issuer, &w.holder, &data);
    let wallet =
        yinxin::wallet::Wallet::new(SoftwareKey::from_pkcs8_der(&w.holder.to_pkcs8_der().unwrap()).unwrap());
    let e = wallet.add_license(swap_part(&w.license, &other, "yinxinTree")).unwrap_err();
    assert_eq!(e.code(), "license.tree_invalid", "{e}");
    // A pre-signed set whose holder_name is another's (the set signed over other values).
    let mut renamed = w.data.clone();
    renamed.meta.holder_name = "成都另一家科技有限公司".into();
    let renamed = issue(&w.issuer, &w.holder, &renamed);
    let e = wallet.add_license(swap_part(&w.license, &renamed, "yinxinQr")).unwrap_err();
    assert_eq!(e.code(), "license.qr_set_invalid", "{e}");
    wallet.add_license(w.license.clone()).unwrap();
}

#[test]
fn every_flipped_byte_of_a_license_file_with_sets_and_tree_is_refused() {
    // Issue 18 found 1,161 positions inside the pre-signed claims where a flipped byte still
    // verified, set names included. Now the MSO names each part by digest: the verifier and
    // the wallet refuse every flipped byte of them.
    let w = world(Algorithm::Ed25519);
    let v = LicenseVerifier::new(w.trust.clone());
    let now = OffsetDateTime::now_utc();
    let sets = w.license.windows(8).position(|x| x == b"yinxinQr").unwrap();
    let wallet =
        yinxin::wallet::Wallet::new(SoftwareKey::from_pkcs8_der(&w.holder.to_pkcs8_der().unwrap()).unwrap());
    // From the pre-signed sets on (tests/license.rs flips every byte before them).
    for i in sets - 1..w.license.len() {
        let mut bad = w.license.clone();
        bad[i] ^= 0x01;
        assert!(v.verify(&bad, now).is_err(), "byte {i} of {}", w.license.len());
        assert!(wallet.add_license(bad).is_err(), "wallet, byte {i}");
    }
}

#[test]
fn a_part_left_out_of_a_license_file_is_noticed() {
    let w = world(Algorithm::Es256);
    let v = LicenseVerifier::new(w.trust.clone());
    let strip = |key: &str| -> Vec<u8> {
        let map: Vec<(Value, Value)> = ciborium::from_reader::<Value, _>(w.license.as_slice())
            .unwrap()
            .into_map()
            .unwrap()
            .into_iter()
            .filter(|(k, _)| k.as_text() != Some(key))
            .collect();
        let mut out = Vec::new();
        ciborium::into_writer(&Value::Map(map), &mut out).unwrap();
        out
    };
    let now = OffsetDateTime::now_utc();
    assert_eq!(v.verify(&strip("yinxinTree"), now).unwrap_err().code(), "license.tree_invalid");
    assert_eq!(v.verify(&strip("yinxinQr"), now).unwrap_err().code(), "license.qr_set_invalid");
}
