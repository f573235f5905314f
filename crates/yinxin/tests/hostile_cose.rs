//! Hostile COSE and CBOR, built here and re-signed so that each input reaches the deep checks:
//! `crit` (RFC 9052 §3.1), labels in both headers, duplicate map keys, the status token `typ`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use ciborium::Value;
use time::OffsetDateTime;
use yinxin::ErrorCode;
use yinxin::crypto::{Algorithm, AlgorithmPolicy, Signer, SoftwareKey};
use yinxin::license::{IssueOptions, LicenseVerifier};
use yinxin::status::{STATUS_LIST_CWT_TYPE, StatusList, StatusListToken};
use yinxin_test_vectors::kit;

fn enc(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(v, &mut out).unwrap();
    out
}

fn int(n: i64) -> Value {
    Value::from(n)
}

/// A COSE_Sign1 (tag 18) over `payload` with these header maps, signed by `key`.
fn sign1(
    key: &SoftwareKey,
    protected: &[(Value, Value)],
    unprotected: &[(Value, Value)],
    payload: &[u8],
) -> Vec<u8> {
    let protected = if protected.is_empty() { Vec::new() } else { enc(&Value::Map(protected.to_vec())) };
    let tbs = enc(&Value::Array(vec![
        Value::Text("Signature1".into()),
        Value::Bytes(protected.clone()),
        Value::Bytes(Vec::new()),
        Value::Bytes(payload.to_vec()),
    ]));
    let signature = key.sign(&tbs).unwrap();
    enc(&Value::Tag(
        18,
        Box::new(Value::Array(vec![
            Value::Bytes(protected),
            Value::Map(unprotected.to_vec()),
            Value::Bytes(payload.to_vec()),
            Value::Bytes(signature),
        ])),
    ))
}

fn alg(key: &SoftwareKey) -> (Value, Value) {
    (int(1), int(key.algorithm().cose_value()))
}

fn typ() -> (Value, Value) {
    (int(16), Value::Text(STATUS_LIST_CWT_TYPE.into()))
}

/// Status list claims: sub, iat, status_list (entry 0 revoked when `revoked`).
fn claims(now: OffsetDateTime, revoked: bool) -> Vec<(Value, Value)> {
    let mut list = StatusList::new(2, 16).unwrap();
    if revoked {
        list.set(0, 1).unwrap();
    }
    vec![
        (int(2), Value::Text("https://status.example.gov.cn/lists/1".into())),
        (int(6), int(now.unix_timestamp() - 60)),
        (int(65533), list.to_cbor_value().unwrap()),
    ]
}

fn verify(key: &SoftwareKey, token: &[u8], now: OffsetDateTime) -> Result<u8, &'static str> {
    StatusListToken::verify_with_key(token, key.public_key(), AlgorithmPolicy::all(), now)
        .map(|v| v.list().get(0).unwrap())
        .map_err(|e| e.code())
}

#[test]
fn crit_is_checked_as_rfc_9052_asks() {
    let key = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let now = OffsetDateTime::now_utc();
    let payload = enc(&Value::Map(claims(now, false)));
    let token = |protected: Vec<(Value, Value)>, unprotected: Vec<(Value, Value)>| {
        verify(&key, &sign1(&key, &protected, &unprotected, &payload), now)
    };
    // A crit that names labels present and understood is accepted (the control).
    assert_eq!(token(vec![alg(&key), typ(), (int(2), Value::Array(vec![int(16)]))], vec![]), Ok(0));
    for (why, crit) in [
        ("names an unknown label", Value::Array(vec![int(99)])),
        ("names a text label yinxin does not know", Value::Array(vec![Value::Text("x-policy".into())])),
        ("names a label that is absent", Value::Array(vec![int(4)])),
        ("is empty", Value::Array(vec![])),
        ("is not an array", int(16)),
        ("names a label twice", Value::Array(vec![int(16), int(16)])),
        ("holds something other than labels", Value::Array(vec![Value::Bytes(vec![1])])),
    ] {
        assert_eq!(
            token(vec![alg(&key), typ(), (int(2), crit)], vec![]),
            Err("cose.crit_invalid"),
            "crit {why}"
        );
    }
    // In the unprotected header crit is malformed wherever it points.
    assert_eq!(
        token(vec![alg(&key), typ()], vec![(int(2), Value::Array(vec![int(16)]))]),
        Err("cose.crit_invalid")
    );
}

#[test]
fn a_label_in_both_headers_or_twice_in_one_is_refused() {
    let key = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let now = OffsetDateTime::now_utc();
    let payload = enc(&Value::Map(claims(now, false)));
    let token = |protected: Vec<(Value, Value)>, unprotected: Vec<(Value, Value)>| {
        verify(&key, &sign1(&key, &protected, &unprotected, &payload), now)
    };
    assert_eq!(token(vec![alg(&key), typ()], vec![]), Ok(0), "the control");
    // alg protected and a different alg unprotected; and the same alg twice.
    assert_eq!(token(vec![alg(&key), typ()], vec![(int(1), int(-7))]), Err("status.malformed"));
    assert_eq!(token(vec![alg(&key), typ()], vec![alg(&key)]), Err("status.malformed"));
    // Any label, negative or text ones too, twice in one header.
    for dup in [int(-70000), Value::Text("x".into()), int(7)] {
        let protected = vec![alg(&key), typ(), (dup.clone(), int(1)), (dup, int(2))];
        assert_eq!(token(protected, vec![]), Err("status.malformed"));
    }
    // More header parameters than any honest header has.
    let many: Vec<(Value, Value)> = (100..200).map(|l| (int(l), int(0))).collect();
    assert_eq!(token(vec![alg(&key), typ()], many), Err("status.malformed"));
}

#[test]
fn status_tokens_need_the_typ_the_draft_requires() {
    let key = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let now = OffsetDateTime::now_utc();
    let payload = enc(&Value::Map(claims(now, false)));
    let token = |protected: Vec<(Value, Value)>, unprotected: Vec<(Value, Value)>| {
        verify(&key, &sign1(&key, &protected, &unprotected, &payload), now)
    };
    assert_eq!(token(vec![alg(&key)], vec![]), Err("status.typ_invalid"), "missing");
    assert_eq!(
        token(vec![alg(&key), (int(16), Value::Text("application/cwt".into()))], vec![]),
        Err("status.typ_invalid")
    );
    assert_eq!(
        token(vec![alg(&key), (int(16), int(61))], vec![]),
        Err("status.typ_invalid"),
        "a content format"
    );
    assert_eq!(token(vec![alg(&key)], vec![typ()]), Err("status.typ_invalid"), "unprotected only");
}

#[test]
fn duplicate_claims_are_refused_not_first_wins() {
    let key = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let now = OffsetDateTime::now_utc();
    // status_list twice: all valid, then entry 0 revoked. A reader that takes the first says VALID.
    let mut twice = claims(now, false);
    twice.push(claims(now, true).pop().unwrap());
    let token = sign1(&key, &[alg(&key), typ()], &[], &enc(&Value::Map(twice)));
    assert_eq!(verify(&key, &token, now), Err("status.malformed"));
    // sub twice, and a key given twice in two encodings (1-byte and 2-byte integer 2).
    let mut sub_twice = claims(now, false);
    sub_twice.push((int(2), Value::Text("https://elsewhere.example/lists/1".into())));
    let token = sign1(&key, &[alg(&key), typ()], &[], &enc(&Value::Map(sub_twice)));
    assert_eq!(verify(&key, &token, now), Err("status.malformed"));
    let mut payload = enc(&Value::Map(claims(now, false)));
    // Map of 3 → of 4, and append `0x18 0x02` (2 in its long form) => "again".
    payload[0] = 0xa4;
    payload.extend([0x18, 0x02, 0x65, b'a', b'g', b'a', b'i', b'n']);
    let token = sign1(&key, &[alg(&key), typ()], &[], &payload);
    assert_eq!(verify(&key, &token, now), Err("status.malformed"));
    // Inside the status list map too.
    let list = Value::Map(vec![
        (Value::Text("bits".into()), int(2)),
        (Value::Text("lst".into()), Value::Bytes(StatusList::new(2, 16).unwrap().to_cbor().unwrap())),
        (Value::Text("bits".into()), int(1)),
    ]);
    let mut c = claims(now, false);
    c[2].1 = list;
    let token = sign1(&key, &[alg(&key), typ()], &[], &enc(&Value::Map(c)));
    assert_eq!(verify(&key, &token, now), Err("status.malformed"));
}

#[test]
fn a_license_whose_issuer_auth_has_an_unknown_crit_is_refused() {
    let now = OffsetDateTime::now_utc();
    let world = kit::issued(Algorithm::Ed25519, "business-license.json", IssueOptions::default());
    let (key, cert, issued) = (world.authority.signer(), world.authority.certificate(), &world.license.bytes);
    let verifier = LicenseVerifier::new(world.trust());
    verifier.verify(issued, now).unwrap();
    // Re-sign the same MSO with extra protected headers.
    let Value::Map(mut top) = ciborium::de::from_reader::<Value, _>(issued.as_slice()).unwrap() else {
        panic!()
    };
    let auth = top.iter().position(|(k, _)| k.as_text() == Some("issuerAuth")).unwrap();
    let Value::Array(parts) = &top[auth].1 else { panic!("issuerAuth") };
    let payload = parts[2].as_bytes().unwrap().clone();
    let resign = |extra: Vec<(Value, Value)>| {
        let mut protected = vec![alg(key)];
        protected.extend(extra);
        let unprotected = vec![(int(33), Value::Bytes(cert.der().to_vec()))];
        let signed: Value =
            ciborium::de::from_reader(sign1(key, &protected, &unprotected, &payload).as_slice()).unwrap();
        let Value::Tag(18, inner) = signed else { panic!() };
        let mut t = top.clone();
        t[auth].1 = *inner;
        verifier.verify(&enc(&Value::Map(t)), now).map(|_| ()).map_err(|e| e.code())
    };
    assert_eq!(resign(vec![]), Ok(()), "re-signed as is: the control");
    assert_eq!(
        resign(vec![(int(2), Value::Array(vec![int(99)])), (int(99), int(1))]),
        Err("cose.crit_invalid")
    );
    assert_eq!(
        resign(vec![(int(33), Value::Bytes(cert.der().to_vec()))]),
        Err("license.issuer_auth_malformed"),
        "x5chain in both"
    );
    // A duplicate key in the IssuerSigned map itself.
    top.push((Value::Text("issuerAuth".into()), top[auth].1.clone()));
    assert_eq!(verifier.verify(&enc(&Value::Map(top)), now).unwrap_err().code(), "license.malformed");
}
