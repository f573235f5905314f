//! Trust lists (ISO 18013-5 VICAL): made and verified by yinxin, a list in AAMVA's structure
//! written independently, and the verifier's use of them: operators, rollback, staleness,
//! authorities removed, license types not allowed, both regions at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use ciborium::Value;
use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode;
use yinxin::crypto::{Algorithm, Signer as _, SoftwareKey};
use yinxin::license::IssueOptions;
use yinxin::present::Disclosure;
use yinxin::trust::list::{
    MAX_ENTRIES, MAX_TRUST_LIST_SIZE, TrustList, TrustListError, TrustListState, TrustListVerifier,
    read_unverified,
};
use yinxin::trust::{Certificate, CertificateProfile, TrustStore};
use yinxin_test_vectors::kit::{self, Issued, Operator};

const BUSINESS: &str = "11100000000013338W001";
const OTHER_TYPE: &str = "11100000000013338W002";

fn chongqing_code() -> String {
    yinxin_test_vectors::uscc_with_check("11500000MB1600001")
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn business() -> Issued {
    kit::issued(Algorithm::Es256, "business-license.json", IssueOptions::default())
}

fn sichuan(alg: Algorithm) -> Operator {
    kit::operator(alg, "四川省电子证照信任列表运营方", "11510000MB0123456W", now())
}

fn anchors(op: &Operator) -> TrustStore {
    kit::trust(&op.root)
}

fn verifier_for(ops: &[&Operator]) -> yinxin::Verifier {
    ops.iter()
        .fold(yinxin::Verifier::builder(), |b, op| b.list_operator(op.root.certificate().clone()))
        .build()
        .unwrap()
}

fn code<T: std::fmt::Debug, E: ErrorCode + std::fmt::Debug>(r: Result<T, E>) -> &'static str {
    r.expect_err("expected an error").code()
}

#[test]
fn lists_round_trip_for_every_operator_algorithm() {
    let i = business();
    for alg in [Algorithm::Ed25519, Algorithm::Es256, Algorithm::Sm2Sm3, Algorithm::Es384] {
        let op = sichuan(alg);
        let bytes = op.list("510000", 7, now(), &[(i.root.certificate(), &[BUSINESS])]);
        let v = TrustListVerifier::new(anchors(&op)).verify(&bytes, now()).unwrap();
        let l = v.list();
        assert_eq!((l.issue_id, l.region.as_deref(), l.version.as_str()), (Some(7), Some("510000"), "1.0"));
        assert_eq!(l.entries[0].state_or_province, None, "kit lists leave the subdivision to the CLI");
        assert_eq!(v.authorities().len(), 1, "{alg}");
        assert_eq!(&v.authorities()[0].certificate, i.root.certificate());
        assert_eq!(v.authorities()[0].doc_types, [format!("cn.gov.elicense.{BUSINESS}")]);
        assert!(v.skipped().is_empty());
        assert_eq!(v.operator().leaf(), &op.cert);
        assert_eq!(read_unverified(&bytes).unwrap(), *l);
    }
}

#[test]
fn a_tampered_list_or_one_from_another_operator_is_refused() {
    let i = business();
    let op = sichuan(Algorithm::Es256);
    let chongqing = kit::operator(Algorithm::Es256, "重庆市信任列表运营方", &chongqing_code(), now());
    let bytes = op.list("510000", 1, now(), &[(i.root.certificate(), &[BUSINESS])]);
    // Signed by the Sichuan operator; the verifier trusts only Chongqing's.
    assert_eq!(
        code(TrustListVerifier::new(anchors(&chongqing)).verify(&bytes, now())),
        "trust_list.operator_untrusted"
    );
    // A byte of the payload changed: the signature no longer verifies.
    // The region, at the end of the payload (the certificates name 11510000… too).
    let at = bytes.windows(6).rposition(|w| w == b"510000").unwrap();
    let mut tampered = bytes.clone();
    tampered[at] = b'5' + 1;
    assert_eq!(
        code(TrustListVerifier::new(anchors(&op)).verify(&tampered, now())),
        "trust_list.signature_invalid"
    );
    // Truncated, empty, oversized, not COSE at all.
    let v = TrustListVerifier::new(anchors(&op));
    assert_eq!(code(v.verify(&bytes[..bytes.len() - 1], now())), "trust_list.malformed");
    assert_eq!(code(v.verify(b"", now())), "trust_list.malformed");
    assert_eq!(code(v.verify(&vec![0u8; MAX_TRUST_LIST_SIZE + 1], now())), "trust_list.too_large");
    assert_eq!(code(v.verify(b"{\"vicalProvider\": \"x\"}", now())), "trust_list.malformed");
}

#[test]
fn stale_lists_are_refused_past_the_grace_period_and_future_ones_before_their_date() {
    let i = business();
    let op = sichuan(Algorithm::Ed25519);
    let t = now();
    let bytes = op.list("510000", 1, t, &[(i.root.certificate(), &[BUSINESS])]);
    let next_update = t + Duration::days(1);
    let v = TrustListVerifier::new(anchors(&op));
    assert!(v.verify(&bytes, next_update - Duration::seconds(1)).is_ok());
    let err = v.verify(&bytes, next_update + Duration::seconds(1)).unwrap_err();
    assert_eq!(err.code(), "trust_list.stale");
    assert!(err.to_string().contains("stale"), "{err}");
    let lenient = v.clone().with_grace(Duration::hours(2));
    assert!(lenient.verify(&bytes, next_update + Duration::hours(1)).is_ok());
    assert_eq!(code(lenient.verify(&bytes, next_update + Duration::hours(3))), "trust_list.stale");
    // Dated after the verification time (beyond the clock-skew tolerance).
    assert_eq!(code(v.verify(&bytes, t - Duration::hours(1))), "trust_list.not_yet_valid");
}

#[test]
fn the_verifier_trusts_listed_authorities_for_their_types_only() {
    let i = business();
    let op = sichuan(Algorithm::Es256);
    let verifier = verifier_for(&[&op]);
    // Before any list: the authority is unknown.
    assert_eq!(code(verifier.verify_license(&i.license.bytes, now())), "trust.untrusted_root");
    // Listed for another license type only: refused with its own code.
    verifier
        .add_trust_list(&op.list("510000", 1, now(), &[(i.root.certificate(), &[OTHER_TYPE])]), now())
        .unwrap();
    let err = verifier.verify_license(&i.license.bytes, now()).unwrap_err();
    assert_eq!(err.code(), "license.type_not_allowed");
    assert!(err.to_string().contains(OTHER_TYPE), "{err}");
    // Elements that are no pre-signed set: a QR code carrying the issuer's certificate.
    let elements = ["holder_name", "holder_code", "legal_representative"];
    let qr = |at| i.wallet.present_qr(&i.id(), Disclosure::Elements(&elements), at).unwrap();
    assert_eq!(code(verifier.verify_qr(&qr(now()), now())), "license.type_not_allowed");
    // Issue 2 lists it for business licenses: accepted, and the chain says on whose word.
    verifier
        .add_trust_list(
            &op.list("510000", 2, now(), &[(i.root.certificate(), &[OTHER_TYPE, BUSINESS])]),
            now(),
        )
        .unwrap();
    let ok = verifier.verify_license(&i.license.bytes, now()).unwrap();
    let scope = ok.chain().scope().expect("trusted through a list");
    assert_eq!(scope.region.as_deref(), Some("510000"));
    assert!(ok.chain().allows(&format!("cn.gov.elicense.{BUSINESS}")));
    // The QR code path checks the same.
    verifier.verify_qr(&qr(now() + Duration::seconds(1)), now() + Duration::seconds(1)).unwrap();
}

#[test]
fn an_authority_dropped_from_the_newest_list_is_no_longer_trusted() {
    let kept = business();
    let dropped = business();
    let op = sichuan(Algorithm::Es256);
    let verifier = verifier_for(&[&op]);
    let both: [(&Certificate, &[&str]); 2] =
        [(kept.root.certificate(), &[BUSINESS]), (dropped.root.certificate(), &[BUSINESS])];
    verifier.add_trust_list(&op.list("510000", 1, now(), &both), now()).unwrap();
    assert!(verifier.verify_license(&dropped.license.bytes, now()).is_ok());
    verifier.add_trust_list(&op.list("510000", 2, now(), &both[..1]), now()).unwrap();
    assert!(verifier.verify_license(&kept.license.bytes, now()).is_ok());
    assert_eq!(code(verifier.verify_license(&dropped.license.bytes, now())), "trust.untrusted_root");
    // Replaying issue 1 (which still lists it) is a rollback.
    let err = verifier.add_trust_list(&op.list("510000", 1, now(), &both), now()).unwrap_err();
    assert_eq!(err.code(), "trust_list.rollback");
    assert!(matches!(err, TrustListError::Rollback { accepted: 2, offered: 1, .. }));
    assert_eq!(code(verifier.verify_license(&dropped.license.bytes, now())), "trust.untrusted_root");
}

#[test]
fn rollback_protection_survives_a_restart_and_fails_closed_on_a_broken_state() {
    let i = business();
    let op = sichuan(Algorithm::Ed25519);
    let issue3 = op.list("510000", 3, now(), &[(i.root.certificate(), &[BUSINESS])]);
    let first = verifier_for(&[&op]);
    first.add_trust_list(&issue3, now()).unwrap();
    // The very same list again is fine (a re-fetch); another list under the same id is not.
    first.add_trust_list(&issue3, now()).unwrap();
    let other3 = op.list("510000", 3, now(), &[]);
    assert_eq!(code(first.add_trust_list(&other3, now())), "trust_list.conflict");
    let saved = first.trust_list_state().unwrap().to_json();

    let restarted = yinxin::Verifier::builder()
        .list_operator(op.root.certificate().clone())
        .trust_list_state(TrustListState::from_json(&saved).unwrap())
        .build()
        .unwrap();
    let issue2 = op.list("510000", 2, now(), &[(i.root.certificate(), &[BUSINESS])]);
    assert_eq!(code(restarted.add_trust_list(&issue2, now())), "trust_list.rollback");
    restarted.add_trust_list(&op.list("510000", 4, now(), &[]), now()).unwrap();
    assert_eq!(
        restarted.trust_list_state().unwrap().accepted_issue(&read_unverified(&issue3).unwrap().provider),
        Some(4)
    );

    for broken in [&b"{"[..], b"[]", b"{\"version\": 9, \"accepted\": {}}", &vec![b' '; 2 << 20]] {
        assert_eq!(TrustListState::from_json(broken).unwrap_err().code(), "trust_list.state_unreadable");
    }
}

#[test]
fn both_regions_at_once_each_operator_for_its_own_authorities() {
    let sc_license = business();
    let cq_license = business();
    let sc = sichuan(Algorithm::Sm2Sm3);
    let cq = kit::operator(Algorithm::Es256, "重庆市信任列表运营方", &chongqing_code(), now());
    let verifier = verifier_for(&[&sc, &cq]);
    verifier
        .add_trust_list(&sc.list("510000", 10, now(), &[(sc_license.root.certificate(), &[BUSINESS])]), now())
        .unwrap();
    verifier
        .add_trust_list(&cq.list("500000", 4, now(), &[(cq_license.root.certificate(), &[BUSINESS])]), now())
        .unwrap();
    let a = verifier.verify_license(&sc_license.license.bytes, now()).unwrap();
    let b = verifier.verify_license(&cq_license.license.bytes, now()).unwrap();
    assert_eq!(a.chain().scope().unwrap().region.as_deref(), Some("510000"));
    assert_eq!(b.chain().scope().unwrap().region.as_deref(), Some("500000"));
    // A lower issue id from the other operator is not a rollback: each operator counts its own.
    verifier
        .add_trust_list(&cq.list("500000", 5, now(), &[(cq_license.root.certificate(), &[BUSINESS])]), now())
        .unwrap();
    // An operator nobody configured.
    let stranger = kit::operator(Algorithm::Es256, "某运营方", "11430000006122244L", now());
    let bytes = stranger.list("430000", 1, now(), &[(sc_license.root.certificate(), &[BUSINESS])]);
    assert_eq!(code(verifier.add_trust_list(&bytes, now())), "trust_list.operator_untrusted");
}

#[test]
fn a_license_trusted_through_a_stale_list_is_refused_with_the_lists_code() {
    let i = business();
    let op = sichuan(Algorithm::Es256);
    let grace = Duration::hours(6);
    let verifier = yinxin::Verifier::builder()
        .list_operator(op.root.certificate().clone())
        .trust_list_grace(grace)
        .build()
        .unwrap();
    let t = now();
    verifier.add_trust_list(&op.list("510000", 1, t, &[(i.root.certificate(), &[BUSINESS])]), t).unwrap();
    let next_update = t + Duration::days(1);
    assert!(verifier.verify_license(&i.license.bytes, next_update + Duration::hours(5)).is_ok());
    let err = verifier.verify_license(&i.license.bytes, next_update + Duration::hours(7)).unwrap_err();
    assert_eq!(err.code(), "trust_list.stale");
    // A list added when already stale is refused outright.
    assert_eq!(
        code(verifier.add_trust_list(&op.list("510000", 2, t, &[]), next_update + Duration::days(1))),
        "trust_list.stale"
    );
}

#[test]
fn making_refuses_lists_a_verifier_would_refuse() {
    let i = business();
    let op = sichuan(Algorithm::Es256);
    let t = now();
    let base = || TrustList::new("四川", 1, t, t + Duration::days(1));
    let sign = |l: &TrustList| l.sign(&op.key, std::slice::from_ref(&op.cert));
    let mut l = base();
    l.region = Some("990000".into());
    assert_eq!(code(sign(&l)), "trust_list.region");
    let mut l = base();
    l.next_update = Some(t - Duration::seconds(1));
    assert_eq!(code(sign(&l)), "trust_list.invalid");
    let mut l = base();
    l.issue_id = None;
    assert_eq!(code(sign(&l)), "trust_list.invalid");
    let mut l = base();
    l.entries.push(yinxin::trust::list::TrustListEntry::for_certificate(i.root.certificate(), vec![]));
    assert_eq!(code(sign(&l)), "trust_list.invalid");
    assert_eq!(code(yinxin::trust::list::doc_type_of("not a code")), "trust_list.doc_type");
    // The signing certificate must be the key's.
    assert_eq!(
        code(base().sign(&op.key, std::slice::from_ref(i.root.certificate()))),
        "trust_list.signer_certificate"
    );
    assert!(sign(&base()).is_ok(), "an empty list (no authority trusted) is a valid list");
}

// ---- a list in AAMVA's structure, written here without yinxin's encoder ----

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn tdate(t: OffsetDateTime) -> Value {
    Value::Tag(0, Box::new(text(&yinxin::text::rfc3339(t))))
}

fn cbor(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(v, &mut out).unwrap();
    out
}

/// An AAMVA-style certificateInfo: tag-2 serial, the ski as the extension's double-wrapped
/// OCTET STRING, DER issuer and subject, "Extensions" (capitalised, as AAMVA writes it).
fn aamva_entry(cert: &Certificate, state: &str) -> Value {
    let ski = cert.subject_key_id();
    let mut wrapped =
        vec![0x04, u8::try_from(ski.len() + 2).unwrap(), 0x04, u8::try_from(ski.len()).unwrap()];
    wrapped.extend_from_slice(ski);
    Value::Map(vec![
        (text("certificate"), Value::Bytes(cert.der().to_vec())),
        (text("serialNumber"), Value::Tag(2, Box::new(Value::Bytes(cert.serial_number().to_vec())))),
        (text("ski"), Value::Bytes(wrapped)),
        (text("docType"), Value::Array(vec![text("org.iso.18013.5.1.mDL")])),
        (text("issuingAuthority"), text(cert.subject())),
        (text("issuingCountry"), text("US")),
        (text("stateOrProvinceName"), text(state)),
        (text("issuer"), Value::Bytes(cert.issuer_der().to_vec())),
        (text("subject"), Value::Bytes(cert.subject_der().to_vec())),
        (text("notBefore"), tdate(cert.not_before())),
        (text("notAfter"), tdate(cert.not_after())),
        (text("Extensions"), Value::Map(vec![])),
    ])
}

/// An untagged COSE_Sign1, protected {1: -7}, x5chain as an array of three certificates.
fn aamva_sign(payload: Vec<u8>, key: &SoftwareKey, x5chain: &[&Certificate]) -> Vec<u8> {
    let protected = cbor(&Value::Map(vec![(Value::from(1), Value::from(-7))]));
    let tbs = cbor(&Value::Array(vec![
        text("Signature1"),
        Value::Bytes(protected.clone()),
        Value::Bytes(vec![]),
        Value::Bytes(payload.clone()),
    ]));
    let signature = key.sign(&tbs).unwrap();
    let chain = Value::Array(x5chain.iter().map(|c| Value::Bytes(c.der().to_vec())).collect());
    cbor(&Value::Array(vec![
        Value::Bytes(protected),
        Value::Map(vec![(Value::from(33), chain)]),
        Value::Bytes(payload),
        Value::Bytes(signature),
    ]))
}

#[test]
fn a_list_in_aamvas_structure_verifies_with_its_p384_entry() {
    let t = now();
    // Root CA -> issuing CA -> VICAL signer, as AAMVA's x5chain.
    let root = yinxin::trust::CertificateAuthority::new_root(
        SoftwareKey::generate(Algorithm::Es256).unwrap(),
        "DTS Root CA",
        &"11100000000013338W".parse().unwrap(),
        t - Duration::days(1),
        t + Duration::days(3650),
        Some(1),
    )
    .unwrap();
    let ca_key = SoftwareKey::generate(Algorithm::Es256).unwrap();
    let code = "11100000000013338W".parse().unwrap();
    let ca_cert = root
        .issue(
            ca_key.public_key(),
            "DTS Issuing CA",
            &code,
            CertificateProfile::Ca { path_len: Some(0) },
            t - Duration::days(1),
            t + Duration::days(3000),
        )
        .unwrap();
    let ca = yinxin::trust::CertificateAuthority::from_parts(ca_cert.clone(), ca_key).unwrap();
    let (signer_key, signer_cert) =
        kit::signer(&ca, Algorithm::Es256, "Vical-Signer-01", "11100000000013338W", t, 30);
    // Two IACAs: P-256 and P-384.
    let iaca256 = kit::root(Algorithm::Es256, "IACA-UTAH", t);
    let iaca384 = kit::root(Algorithm::Es384, "IACA-MD", t);
    let payload = cbor(&Value::Map(vec![
        (text("version"), text("1.0")),
        (text("vicalProvider"), text("AAMVA")),
        (text("date"), tdate(t)),
        (text("vicalIssueID"), Value::from(89782)),
        (text("nextUpdate"), tdate(t + Duration::days(1))),
        (
            text("certificateInfos"),
            Value::Array(vec![
                aamva_entry(iaca256.certificate(), "US-UT"),
                aamva_entry(iaca384.certificate(), "US-MD"),
            ]),
        ),
    ]));
    let bytes = aamva_sign(payload, &signer_key, &[&signer_cert, &ca_cert, root.certificate()]);
    let v = TrustListVerifier::new(kit::trust(&root)).verify(&bytes, t).unwrap();
    assert_eq!(v.list().provider, "AAMVA");
    assert_eq!(v.list().issue_id, Some(89782));
    assert_eq!(v.list().region, None);
    assert_eq!(v.authorities().len(), 2, "skipped: {:?}", v.skipped());
    assert_eq!(v.authorities()[1].certificate.public_key().algorithm(), Algorithm::Es384);
    assert_eq!(v.list().entries[1].state_or_province.as_deref(), Some("US-MD"));
    assert_eq!(v.authorities()[0].doc_types, ["org.iso.18013.5.1.mDL"]);
    // A wrong serial number makes that entry unusable, not the list.
    let mut bad = aamva_entry(iaca256.certificate(), "US-UT");
    if let Value::Map(m) = &mut bad {
        m[1].1 = Value::Tag(2, Box::new(Value::Bytes(vec![1, 2, 3])));
    }
    let payload = cbor(&Value::Map(vec![
        (text("version"), text("1.0")),
        (text("vicalProvider"), text("AAMVA")),
        (text("date"), tdate(t)),
        (text("certificateInfos"), Value::Array(vec![bad, aamva_entry(iaca384.certificate(), "US-MD")])),
    ]));
    let bytes = aamva_sign(payload, &signer_key, &[&signer_cert, &ca_cert]);
    let v = TrustListVerifier::new(kit::trust(&root)).verify(&bytes, t).unwrap();
    assert_eq!(v.authorities().len(), 1);
    assert_eq!(v.skipped()[0].index, 0);
    assert_eq!(v.skipped()[0].error.code(), "trust_list.entry_inconsistent");
    assert_eq!(v.list().issue_id, None, "vicalIssueID is optional in ISO 18013-5");
}

#[test]
fn hostile_payloads_are_refused_within_the_limits() {
    let t = now();
    let op = sichuan(Algorithm::Es256);
    let sign = |payload: Vec<u8>| aamva_sign(payload, &op.key, &[&op.cert]);
    let v = TrustListVerifier::new(anchors(&op));
    let head = |infos: Value| {
        Value::Map(vec![
            (text("version"), text("1.0")),
            (text("vicalProvider"), text("x")),
            (text("date"), tdate(t)),
            (text("certificateInfos"), infos),
        ])
    };
    // More entries than the limit: refused before any certificate is parsed.
    let many = Value::Array(vec![Value::Map(vec![]); MAX_ENTRIES + 1]);
    assert_eq!(code(v.verify(&sign(cbor(&head(many))), t)), "trust_list.too_many_entries");
    // A duplicate key.
    let mut dup = cbor(&head(Value::Array(vec![])));
    dup[0] += 1; // one more pair in the map...
    dup.extend(cbor(&text("version")));
    dup.extend(cbor(&text("2.0")));
    assert_eq!(code(v.verify(&sign(dup), t)), "trust_list.malformed");
    // Wrong types, a version yinxin does not read, nextUpdate before date.
    let mut wrong = head(Value::Array(vec![]));
    if let Value::Map(m) = &mut wrong {
        m[2].1 = text("2026-01-01");
    }
    assert_eq!(code(v.verify(&sign(cbor(&wrong)), t)), "trust_list.malformed");
    let mut v2 = head(Value::Array(vec![]));
    if let Value::Map(m) = &mut v2 {
        m[0].1 = text("2.0");
    }
    assert_eq!(code(v.verify(&sign(cbor(&v2)), t)), "trust_list.malformed");
    let mut back = head(Value::Array(vec![]));
    if let Value::Map(m) = &mut back {
        m.push((text("nextUpdate"), tdate(t - Duration::days(1))));
    }
    assert_eq!(code(v.verify(&sign(cbor(&back)), t)), "trust_list.malformed");
    // Deep nesting in an ignored field.
    let mut deep = vec![0xa5];
    for (k, val) in [
        ("version", text("1.0")),
        ("vicalProvider", text("x")),
        ("date", tdate(t)),
        ("certificateInfos", Value::Array(vec![])),
    ] {
        deep.extend(cbor(&text(k)));
        deep.extend(cbor(&val));
    }
    deep.extend(cbor(&text("extra")));
    deep.extend(std::iter::repeat_n(0x81, 200));
    deep.push(0);
    assert_eq!(code(v.verify(&sign(deep), t)), "trust_list.malformed");
    // No x5chain: nothing names the operator.
    let protected = cbor(&Value::Map(vec![(Value::from(1), Value::from(-7))]));
    let bare = cbor(&Value::Array(vec![
        Value::Bytes(protected),
        Value::Map(vec![]),
        Value::Bytes(cbor(&head(Value::Array(vec![])))),
        Value::Bytes(vec![0; 64]),
    ]));
    assert_eq!(code(v.verify(&bare, t)), "trust_list.no_signer_certificate");
}
