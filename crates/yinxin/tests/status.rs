//! Token Status Lists: the draft's vectors, round trips, limits, signed tokens, the cache, and
//! license verification with status.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write as _;

use base64::Engine as _;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode;
use yinxin::crypto::{Algorithm, AlgorithmPolicy, PublicKey, Signer, SoftwareKey, Verifier as _};
use yinxin::license::{
    IssueOptions, LicenseData, LicenseError, LicenseIssuer, LicenseVerifier, StatusReference,
};
use yinxin::status::{
    MAX_ENTRIES, Status, StatusError, StatusList, StatusListCache, StatusListToken, StatusOutcome,
    TokenClaims,
};
use yinxin::trust::{Certificate, CertificateAuthority, CertificateProfile, TrustStore};

#[test]
fn every_draft_vector_decodes_to_its_statuses() {
    let v = yinxin_test_vectors::status_lists();
    assert_eq!(v.vectors.len(), 4);
    for vector in &v.vectors {
        let list = StatusList::from_cbor(&hex::decode(&vector.status_list_cbor_hex).unwrap()).unwrap();
        assert_eq!(list.bits(), vector.bits, "{}", vector.name);
        assert_eq!(list.len(), vector.size, "{}", vector.name);
        let found: std::collections::BTreeMap<String, u8> =
            list.non_zero().map(|(i, s)| (i.to_string(), s)).collect();
        assert_eq!(found, vector.non_zero_statuses, "{}", vector.name);
        for (idx, status) in &vector.non_zero_statuses {
            assert_eq!(list.get(idx.parse().unwrap()).unwrap(), *status);
        }
        // Re-encoding and decoding gives the same list.
        assert_eq!(StatusList::from_cbor(&list.to_cbor().unwrap()).unwrap(), list);
    }
    for small in &v.small_examples {
        let list = StatusList::from_cbor(&hex::decode(&small.status_list_cbor_hex).unwrap()).unwrap();
        assert_eq!(hex::encode(list.as_bytes()), small.byte_array_hex);
    }
    // The draft's 1-bit example: statuses 1,0,0,1,1,1,0,1 / 1,1,0,0,0,1,0,1.
    let one_bit =
        StatusList::from_cbor(&hex::decode(&v.small_examples[0].status_list_cbor_hex).unwrap()).unwrap();
    let bits: Vec<u8> = (0..16).map(|i| one_bit.get(i).unwrap()).collect();
    assert_eq!(bits, [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]);
}

fn jwk_key(jwk: &serde_json::Value) -> PublicKey {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut sec1 = vec![4];
    sec1.extend(b64.decode(jwk["x"].as_str().unwrap()).unwrap());
    sec1.extend(b64.decode(jwk["y"].as_str().unwrap()).unwrap());
    PublicKey::from_raw(Algorithm::Es256, &sec1).unwrap()
}

#[test]
fn the_drafts_signed_examples_verify_with_the_example_key() {
    let v = yinxin_test_vectors::status_lists().signed_examples;
    let key = jwk_key(&v.public_key_jwk);
    let token = hex::decode(&v.status_list_cwt_hex).unwrap();
    let at = datetime!(2024-01-01 00:00 UTC);
    let verified = StatusListToken::verify_with_key(&token, &key, AlgorithmPolicy::all(), at).unwrap();
    assert_eq!(verified.claims().sub, "https://example.com/statuslists/1");
    assert_eq!(verified.claims().ttl, Some(43200));
    assert_eq!(verified.list().bits(), 1);
    assert_eq!(hex::encode(verified.list().as_bytes()), "b9a3");
    // Expired after exp; refused under a GM-only policy; refused with another key.
    assert_eq!(
        StatusListToken::verify_with_key(
            &token,
            &key,
            AlgorithmPolicy::all(),
            datetime!(2043-01-01 00:00 UTC)
        )
        .unwrap_err(),
        StatusError::Expired
    );
    assert_eq!(
        StatusListToken::verify_with_key(&token, &key, AlgorithmPolicy::gm_only(), at).unwrap_err().code(),
        "status.algorithm"
    );
    let other = SoftwareKey::generate(Algorithm::Es256).unwrap();
    assert_eq!(
        StatusListToken::verify_with_key(&token, other.public_key(), AlgorithmPolicy::all(), at).unwrap_err(),
        StatusError::SignatureInvalid
    );
    // Every tampered byte is refused, except in the unsigned (unprotected) header, whose kid is
    // only a hint: there a change is accepted only if what the token says is unchanged.
    for i in 0..token.len() {
        let mut bad = token.clone();
        bad[i] ^= 1;
        if let Ok(v) = StatusListToken::verify_with_key(&bad, &key, AlgorithmPolicy::all(), at) {
            assert!((36..41).contains(&i), "byte {i} accepted");
            assert_eq!((v.claims(), v.list()), (verified.claims(), verified.list()));
        }
    }

    // The referenced token: its signature verifies with the same key and it names entry 0.
    let referenced = hex::decode(&v.referenced_token_cwt_hex).unwrap();
    use coset::TaggedCborSerializable as _;
    let sign1 = coset::CoseSign1::from_tagged_slice(&referenced).unwrap();
    sign1.verify_signature(b"", |sig, tbs| key.verify(tbs, sig)).unwrap();
    let claims: ciborium::Value = ciborium::de::from_reader(sign1.payload.as_deref().unwrap()).unwrap();
    let status = claims.as_map().unwrap().iter().find(|(k, _)| k.as_integer() == Some(65535.into())).unwrap();
    let list = &status.1.as_map().unwrap()[0].1;
    let idx = list.as_map().unwrap().iter().find(|(k, _)| k.as_text() == Some("idx")).unwrap();
    assert_eq!(idx.1.as_integer(), Some(0.into()));
}

#[test]
fn lists_round_trip_and_values_are_bounded() {
    for bits in [1u8, 2, 4, 8] {
        let mut list = StatusList::new(bits, 1000).unwrap();
        let max = ((1u16 << bits) - 1) as u8;
        list.set(0, max).unwrap();
        list.set(999, 1).unwrap();
        list.set(500, max).unwrap();
        list.set(500, 0).unwrap();
        assert_eq!(list.set(3, max.wrapping_add(1)).is_err(), bits < 8);
        assert_eq!(list.get(1000).unwrap_err().code(), "status.index");
        let again = StatusList::from_cbor(&list.to_cbor().unwrap()).unwrap();
        assert_eq!(again.get(0).unwrap(), max);
        assert_eq!(again.get(999).unwrap(), 1);
        assert_eq!(again.get(500).unwrap(), 0);
        assert_eq!(again.non_zero().count(), 2);
    }
    assert_eq!(StatusList::new(3, 10).unwrap_err().code(), "status.bits");
    assert_eq!(Status::from_value(2), Status::Suspended);
    assert_eq!(Status::from_value(2).name(), "SUSPENDED");
}

#[test]
fn lists_of_two_to_the_24_entries_work() {
    let mut list = StatusList::new(2, MAX_ENTRIES).unwrap();
    for i in (0..MAX_ENTRIES).step_by(100_003) {
        list.set(i, 1).unwrap();
    }
    list.set(MAX_ENTRIES - 1, 2).unwrap();
    let cbor = list.to_cbor().unwrap();
    let again = StatusList::from_cbor(&cbor).unwrap();
    assert_eq!(again.len(), MAX_ENTRIES);
    assert_eq!(again.status(MAX_ENTRIES - 1).unwrap(), Status::Suspended);
    assert_eq!(again.status(100_003).unwrap(), Status::Invalid);
    assert_eq!(StatusList::new(2, MAX_ENTRIES + 1).unwrap_err().code(), "status.too_large");
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data).unwrap();
    z.finish().unwrap()
}

fn status_list_cbor(bits: u64, lst: Vec<u8>) -> Vec<u8> {
    let v = ciborium::Value::Map(vec![
        (ciborium::Value::Text("bits".into()), ciborium::Value::from(bits)),
        (ciborium::Value::Text("lst".into()), ciborium::Value::Bytes(lst)),
    ]);
    let mut out = Vec::new();
    ciborium::ser::into_writer(&v, &mut out).unwrap();
    out
}

#[test]
fn zlib_bombs_and_oversized_lists_are_refused() {
    // 64 MiB of zeros compresses to about 64 KiB; the 1-bit cap is 2 MiB.
    let bomb = status_list_cbor(1, zlib(&vec![0u8; 64 << 20]));
    assert!(bomb.len() < 100_000);
    assert_eq!(StatusList::from_cbor(&bomb).unwrap_err(), StatusError::TooLarge(2 << 20));
    // A caller that knows the size caps lower.
    let ok = status_list_cbor(2, zlib(&[0u8; 256]));
    assert_eq!(StatusList::from_cbor_limited(&ok, 1024).unwrap().len(), 1024);
    assert_eq!(StatusList::from_cbor_limited(&ok, 1000).unwrap_err().code(), "status.too_large");
    // Garbage lst, wrong bits, wrong shape.
    assert_eq!(StatusList::from_cbor(&status_list_cbor(2, vec![1, 2, 3])).unwrap_err().code(), "status.zlib");
    assert_eq!(StatusList::from_cbor(&status_list_cbor(5, zlib(&[0]))).unwrap_err().code(), "status.bits");
    assert_eq!(StatusList::from_cbor(b"\xa0").unwrap_err().code(), "status.malformed");
    assert_eq!(StatusList::from_cbor(b"").unwrap_err().code(), "status.malformed");
}

struct Issuer {
    root: CertificateAuthority<SoftwareKey>,
    cert: Certificate,
    key: SoftwareKey,
}

fn issuer(code: &str) -> Issuer {
    let t = OffsetDateTime::now_utc();
    let root = CertificateAuthority::new_root(
        SoftwareKey::generate(Algorithm::Ed25519).unwrap(),
        "root",
        &"11100000000013338W".parse().unwrap(),
        t - Duration::days(1),
        t + Duration::days(3650),
        Some(0),
    )
    .unwrap();
    let key = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let cert = root
        .issue(
            key.public_key(),
            "issuer",
            &code.parse().unwrap(),
            CertificateProfile::EndEntity,
            t - Duration::days(1),
            t + Duration::days(365),
        )
        .unwrap();
    Issuer { root, cert, key }
}

const URI: &str = "https://status.example.gov.cn/lists/7";

fn token(
    i: &Issuer,
    list: &StatusList,
    iat: OffsetDateTime,
    exp: Option<OffsetDateTime>,
    ttl: Option<u64>,
) -> Vec<u8> {
    let claims = TokenClaims { sub: URI.into(), iat, exp, ttl };
    StatusListToken::sign(list, &claims, &i.key, std::slice::from_ref(&i.cert)).unwrap()
}

#[test]
fn tokens_verify_through_the_trust_store_and_the_cache_honours_exp_and_ttl() {
    let i = issuer("11510000MB0123456W");
    let mut trust = TrustStore::new();
    trust.add(i.root.certificate().clone());
    let now = OffsetDateTime::now_utc();
    let mut list = StatusList::new(2, 64).unwrap();
    list.set(5, 1).unwrap();
    let bytes = token(&i, &list, now, Some(now + Duration::days(1)), Some(3600));
    let verified = StatusListToken::verify_with_trust(&bytes, &trust, now).unwrap();
    assert_eq!(verified.list(), &list);
    assert_eq!(verified.signer(), Some(&i.cert));
    // Untrusted signer; issued in the future.
    let other = issuer("11510000MB0123456W");
    let mut other_trust = TrustStore::new();
    other_trust.add(other.root.certificate().clone());
    assert_eq!(
        StatusListToken::verify_with_trust(&bytes, &other_trust, now).unwrap_err().code(),
        "trust.untrusted_root"
    );
    let future = token(&i, &list, now + Duration::hours(1), None, None);
    assert_eq!(
        StatusListToken::verify_with_trust(&future, &trust, now).unwrap_err(),
        StatusError::NotYetValid
    );

    let cache = StatusListCache::new();
    assert!(matches!(cache.status(Some(&i.cert), URI, 5, now), StatusOutcome::Unknown(_)));
    cache.insert(verified, now);
    assert_eq!(cache.status(Some(&i.cert), URI, 5, now), StatusOutcome::Known(Status::Invalid));
    assert_eq!(cache.status(Some(&i.cert), URI, 6, now), StatusOutcome::Known(Status::Valid));
    assert!(
        matches!(cache.status(Some(&i.cert), URI, 64, now), StatusOutcome::Unknown(_)),
        "index outside the list"
    );
    // ttl: one hour after fetching, the list is stale.
    assert!(
        matches!(cache.status(Some(&i.cert), URI, 5, now + Duration::minutes(61)), StatusOutcome::Unknown(r) if r.contains("ttl"))
    );
    // exp: a list without ttl is usable until exp.
    let no_ttl = StatusListToken::verify_with_trust(
        &token(&i, &list, now, Some(now + Duration::hours(2)), None),
        &trust,
        now,
    )
    .unwrap();
    cache.insert(no_ttl, now);
    assert_eq!(
        cache.status(Some(&i.cert), URI, 5, now + Duration::minutes(90)),
        StatusOutcome::Known(Status::Invalid)
    );
    assert!(
        matches!(cache.status(Some(&i.cert), URI, 5, now + Duration::hours(3)), StatusOutcome::Unknown(r) if r.contains("expired"))
    );
}

fn license(i: &Issuer, index: u64) -> (Vec<u8>, SoftwareKey) {
    let holder = SoftwareKey::generate(Algorithm::Es256).unwrap();
    // The fixture is issued by 11510000MB0123456W; another authority issues it under its own code.
    let json = yinxin_test_vectors::business_license_for(i.cert.party().unwrap().code());
    let data = LicenseData::from_json(json.as_bytes()).unwrap();
    let options =
        IssueOptions { status: Some(StatusReference { index, uri: URI.into() }), ..IssueOptions::default() };
    let issuer = LicenseIssuer::new(i.key.clone_for_test(), vec![i.cert.clone()]).unwrap();
    (issuer.issue(&data, holder.public_key(), &options).unwrap().bytes, holder)
}

trait CloneForTest {
    fn clone_for_test(&self) -> SoftwareKey;
}

impl CloneForTest for SoftwareKey {
    fn clone_for_test(&self) -> SoftwareKey {
        SoftwareKey::from_pkcs8_der(&self.to_pkcs8_der().unwrap()).unwrap()
    }
}

#[test]
fn license_verification_reports_revoked_suspended_and_unknown() {
    let i = issuer("11510000MB0123456W");
    let mut trust = TrustStore::new();
    trust.add(i.root.certificate().clone());
    let verifier = LicenseVerifier::new(trust.clone());
    let now = OffsetDateTime::now_utc();
    let mut list = StatusList::new(2, 1024).unwrap();
    list.set(10, 1).unwrap();
    list.set(11, 2).unwrap();
    list.set(12, 3).unwrap();
    let cache = StatusListCache::new();
    let code = |bytes: &[u8], cache: &StatusListCache| {
        verifier.verify_with_status(bytes, now, cache).unwrap_err().code()
    };

    let (valid, _) = license(&i, 9);
    let (revoked, _) = license(&i, 10);
    let (suspended, _) = license(&i, 11);
    let (odd, _) = license(&i, 12);
    let (outside, _) = license(&i, 5000);
    // No list yet: unknown, rejected by default, accepted on request.
    assert_eq!(code(&valid, &cache), "license.status_unknown");
    let lenient = verifier.clone().with_unknown_status_accepted(true);
    assert!(matches!(
        lenient.verify_with_status(&valid, now, &cache).unwrap().status_outcome(),
        Some(StatusOutcome::Unknown(_))
    ));

    cache.insert(
        StatusListToken::verify_with_trust(&token(&i, &list, now, None, Some(600)), &trust, now).unwrap(),
        now,
    );
    let ok = verifier.verify_with_status(&valid, now, &cache).unwrap();
    assert_eq!(ok.status_outcome(), Some(&StatusOutcome::Known(Status::Valid)));
    assert_eq!(verifier.verify_with_status(&revoked, now, &cache).unwrap_err(), LicenseError::Revoked);
    assert_eq!(code(&suspended, &cache), "license.suspended");
    assert_eq!(code(&odd, &cache), "license.status_unknown");
    assert_eq!(code(&outside, &cache), "license.status_unknown");
    // Expired list (ttl passed): unknown.
    assert_eq!(
        verifier.verify_with_status(&revoked, now + Duration::minutes(11), &cache).unwrap_err().code(),
        "license.status_unknown"
    );
    // A license without a status reference.
    let holder = SoftwareKey::generate(Algorithm::Es256).unwrap();
    let data = LicenseData::from_json(&yinxin_test_vectors::fixture("business-license.json")).unwrap();
    let plain = LicenseIssuer::new(i.key.clone_for_test(), vec![i.cert.clone()])
        .unwrap()
        .issue(&data, holder.public_key(), &IssueOptions::default())
        .unwrap()
        .bytes;
    // It names no list, so there is nothing to check: valid, with the outcome saying so.
    let none = verifier.verify_with_status(&plain, now, &cache).unwrap();
    assert_eq!(none.status_outcome(), Some(&StatusOutcome::NoReference));
    assert_eq!(none.status_outcome().map(StatusOutcome::name), Some("none"));
    assert_eq!(ok.status_outcome().map(StatusOutcome::name), Some("valid"));

    // A list for the same URI signed by another trusted authority does not count.
    let rogue_key = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let t = now;
    let rogue_cert = i
        .root
        .issue(
            rogue_key.public_key(),
            "rogue",
            &"11430000006122244L".parse().unwrap(),
            CertificateProfile::EndEntity,
            t - Duration::days(1),
            t + Duration::days(10),
        )
        .unwrap();
    let rogue = Issuer { root: issuer("11430000006122244L").root, cert: rogue_cert, key: rogue_key };
    let clean = StatusList::new(2, 1024).unwrap();
    let rogue_cache = StatusListCache::new();
    rogue_cache.insert(
        StatusListToken::verify_with_trust(&token(&rogue, &clean, now, None, None), &trust, now).unwrap(),
        now,
    );
    assert_eq!(code(&revoked, &rogue_cache), "license.status_unknown");
    let _ = rogue.root;
    let _: &dyn Signer = &i.key;
}

/// Regression: the cache was keyed by URI alone, so a second authority publishing under the
/// same URI replaced the first one's list, and the first one's revoked licenses came back valid
/// (or its valid ones unknown).
#[test]
fn two_authorities_publishing_the_same_uri_each_answer_for_their_own_licenses() {
    let a = issuer("11510000MB0123456W");
    let b = issuer("11430000006122244L");
    let mut trust = TrustStore::new();
    trust.add(a.root.certificate().clone());
    trust.add(b.root.certificate().clone());
    let verifier = LicenseVerifier::new(trust.clone());
    let now = OffsetDateTime::now_utc();
    let mut a_list = StatusList::new(2, 64).unwrap();
    a_list.set(10, 1).unwrap();
    let mut b_list = StatusList::new(2, 64).unwrap();
    b_list.set(11, 1).unwrap();
    let cache = StatusListCache::new();
    for (who, list) in [(&a, &a_list), (&b, &b_list)] {
        cache.insert(
            StatusListToken::verify_with_trust(&token(who, list, now, None, Some(600)), &trust, now).unwrap(),
            now,
        );
    }
    let outcome =
        |i: &Issuer, index: u64| match verifier.verify_with_status(&license(i, index).0, now, &cache) {
            Ok(v) => v.status_outcome().map(StatusOutcome::name).unwrap_or("?").to_owned(),
            Err(e) => e.code().to_owned(),
        };
    assert_eq!(outcome(&a, 10), "license.revoked");
    assert_eq!(outcome(&a, 11), "valid");
    assert_eq!(outcome(&b, 10), "valid");
    assert_eq!(outcome(&b, 11), "license.revoked");
    assert_eq!(cache.status(Some(&a.cert), URI, 10, now), StatusOutcome::Known(Status::Invalid));
    assert_eq!(cache.status(Some(&b.cert), URI, 10, now), StatusOutcome::Known(Status::Valid));
}
