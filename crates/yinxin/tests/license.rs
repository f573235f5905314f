//! License issuance and verification: both reference licenses with every algorithm, the ISO
//! 18013-5 Annex D example, and a negative test per check.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use ciborium::Value;
use coset::{CoseSign1, CoseSign1Builder, HeaderBuilder};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode;
use yinxin::crypto::{Algorithm, AlgorithmPolicy, Signer, SoftwareKey};
use yinxin::license::{
    ElementValue, IssueOptions, LicenseData, LicenseError, LicenseIssuer, LicenseVerifier, META_NAMESPACE,
    StatusReference, untrusted,
};
use yinxin::trust::{Certificate, CertificateAuthority, CertificateProfile, TrustStore};

const ROOT_CODE: &str = "11100000000013338W";
const BUSINESS_ISSUER: &str = "11510000MB0123456W";
const DRIVING_ISSUER: &str = "11510000MB1C2D3E45";

struct Authority {
    root: CertificateAuthority<SoftwareKey>,
    issuer: LicenseIssuer<SoftwareKey>,
    issuer_cert: Certificate,
}

fn authority(alg: Algorithm, code: &str, issuer_days: i64) -> Authority {
    let t = OffsetDateTime::now_utc();
    let root = CertificateAuthority::new_root(
        SoftwareKey::generate(alg).unwrap(),
        "根 CA",
        &ROOT_CODE.parse().unwrap(),
        t - Duration::days(2),
        t + Duration::days(3650 * 2),
        Some(0),
    )
    .unwrap();
    let key = SoftwareKey::generate(alg).unwrap();
    let cert = root
        .issue(
            key.public_key(),
            "发证机关",
            &code.parse().unwrap(),
            CertificateProfile::EndEntity,
            t - Duration::days(1),
            t + Duration::days(issuer_days),
        )
        .unwrap();
    Authority { root, issuer: LicenseIssuer::new(key, vec![cert.clone()]).unwrap(), issuer_cert: cert }
}

fn trust(a: &Authority) -> LicenseVerifier {
    let mut s = TrustStore::new();
    s.add(a.root.certificate().clone());
    LicenseVerifier::new(s)
}

fn business() -> LicenseData {
    LicenseData::from_json(&yinxin_test_vectors::fixture("business-license.json")).unwrap()
}

fn driving() -> LicenseData {
    LicenseData::from_json(&yinxin_test_vectors::fixture("driving-license.json")).unwrap()
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

#[test]
fn both_reference_licenses_issue_and_verify_with_every_algorithm() {
    for alg in Algorithm::ALL {
        for (data, code) in [(business(), BUSINESS_ISSUER), (driving(), DRIVING_ISSUER)] {
            let a = authority(alg, code, 3650);
            let holder = SoftwareKey::generate(Algorithm::Es256).unwrap();
            let issued = a.issuer.issue(&data, holder.public_key(), &IssueOptions::default()).unwrap();
            assert_eq!(issued.identifier.to_string(), data.meta.license_identifier);
            let v = trust(&a).verify(&issued.bytes, now()).unwrap_or_else(|e| panic!("{alg}: {e}"));
            assert_eq!(v.doc_type(), format!("cn.gov.elicense.{}", data.meta.license_type_code));
            assert_eq!(v.meta("holder_name"), Some(&ElementValue::Text(data.meta.holder_name.clone())));
            assert_eq!(
                v.meta("license_identifier").and_then(ElementValue::as_text),
                Some(data.meta.license_identifier.as_str())
            );
            assert_eq!(v.holder_key(), holder.public_key());
            assert_eq!(v.chain().leaf(), &a.issuer_cert);
            let surface = format!("cn.gov.elicense.{}.1", data.meta.license_type_code);
            assert_eq!(v.elements()[&surface].len(), data.surface.len());
            assert_eq!(v.elements()[META_NAMESPACE].len(), 12);
            if data.meta.valid_until.is_none() {
                assert_eq!(v.meta("valid_until"), Some(&ElementValue::Null), "long-term");
            }
        }
    }
}

#[test]
fn dates_are_typed_and_json_is_plain() {
    let a = authority(Algorithm::Ed25519, DRIVING_ISSUER, 3650);
    let holder = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let mut options = IssueOptions::default();
    options.extra_surface.insert("portrait".into(), ElementValue::Bytes(vec![0xff, 0xd8, 0xff, 0xe0]));
    options.status = Some(StatusReference { index: 4711, uri: "https://status.example/lists/1".into() });
    let issued = a.issuer.issue(&driving(), holder.public_key(), &options).unwrap();
    let v = trust(&a).verify(&issued.bytes, now()).unwrap();
    let surface = "cn.gov.elicense.11510000MB1C2D3E45005.1";
    assert_eq!(
        v.element(surface, "date_of_birth"),
        Some(&ElementValue::Date(time::macros::date!(1990 - 03 - 07)))
    );
    assert_eq!(v.element(surface, "portrait"), Some(&ElementValue::Bytes(vec![0xff, 0xd8, 0xff, 0xe0])));
    assert_eq!(v.meta("valid_until"), Some(&ElementValue::Date(time::macros::date!(2031 - 06 - 01))));
    assert_eq!(v.status(), options.status.as_ref());
    let json = v.elements_json();
    assert_eq!(json[surface]["date_of_birth"], "1990-03-07");
    assert_eq!(json[surface]["portrait"], "/9j/4A==");
    assert_eq!(json[META_NAMESPACE]["holder_code"], "510104199003071237");
    // The credential ends at the end of valid_until in China Standard Time.
    assert_eq!(v.validity().valid_until, datetime!(2031-06-01 23:59:59 +8));
}

#[test]
fn annex_d_example_parses_and_verifies() {
    let bytes = yinxin_test_vectors::annex_d_issuer_signed();
    let reports = untrusted::inspect(&bytes, datetime!(2020-10-02 00:00 UTC)).unwrap();
    assert_eq!(reports.len(), 1);
    let r = &reports[0];
    assert_eq!(r.doc_type, "org.iso.18013.5.1.mDL");
    assert!(r.issuer_signature, "{:?}", r.error);
    assert!(r.digests, "{:?}", r.error);
    assert_eq!(r.error, None);
    let ns = &r.elements["org.iso.18013.5.1"];
    assert_eq!(ns["family_name"], ElementValue::Text("Doe".into()));
    assert!(r.signer().unwrap().contains("utopia ds"), "{:?}", r.signer());
    assert!(r.valid_at);
    // Any byte changed in an element breaks its digest; the report says so.
    let pos = bytes.windows(3).position(|w| w == b"Doe").unwrap();
    let mut bad = bytes.clone();
    bad[pos] = b'R';
    let r = &untrusted::inspect(&bad, datetime!(2020-10-02 00:00 UTC)).unwrap()[0];
    assert!(r.issuer_signature);
    assert!(!r.digests);
    assert_eq!(r.error, Some("license.digest_mismatch"));
    // It is not a yinxin license: the trusted verifier refuses it (its signer is not trusted).
    let a = authority(Algorithm::Es256, BUSINESS_ISSUER, 30);
    assert_eq!(
        trust(&a).verify(&bytes, datetime!(2020-10-02 00:00 UTC)).unwrap_err().code(),
        "trust.untrusted_root"
    );
}

fn issued(alg: Algorithm) -> (Authority, Vec<u8>) {
    let a = authority(alg, BUSINESS_ISSUER, 3650);
    let holder = SoftwareKey::generate(Algorithm::Es256).unwrap();
    let bytes = a.issuer.issue(&business(), holder.public_key(), &IssueOptions::default()).unwrap().bytes;
    (a, bytes)
}

/// Replaces issuerAuth: the same payload signed by `signer`, with `chain` as x5chain.
fn resign(credential: &[u8], signer: &dyn Signer, chain: &[&Certificate], alg_value: i64) -> Vec<u8> {
    let value: Value = ciborium::de::from_reader(credential).unwrap();
    let mut map = value.into_map().unwrap();
    let auth_index = map.iter().position(|(k, _)| k.as_text() == Some("issuerAuth")).unwrap();
    let old_auth = CoseSign1::from_cbor_value(map[auth_index].1.clone()).unwrap();
    let mut protected = HeaderBuilder::new().build();
    protected.alg = Some(if alg_value < -65536 {
        coset::Algorithm::PrivateUse(alg_value)
    } else {
        coset::RegisteredLabelWithPrivate::Assigned(
            <coset::iana::Algorithm as coset::iana::EnumI64>::from_i64(alg_value).unwrap(),
        )
    });
    let x5 = Value::Array(chain.iter().map(|c| Value::Bytes(c.der().to_vec())).collect());
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .unprotected(HeaderBuilder::new().value(33, x5).build())
        .payload(old_auth.payload.unwrap())
        .create_signature(b"", |tbs| signer.sign(tbs).unwrap())
        .build();
    use coset::AsCborValue as _;
    map[auth_index].1 = sign1.to_cbor_value().unwrap();
    let mut out = Vec::new();
    ciborium::ser::into_writer(&Value::Map(map), &mut out).unwrap();
    out
}

/// Decodes the metadata items, lets `f` change them, and re-encodes the credential.
fn rewrite_meta_items(credential: &[u8], f: impl FnOnce(&mut Vec<Value>)) -> Vec<u8> {
    let mut top: Value = ciborium::de::from_reader(credential).unwrap();
    let ns_map =
        top.as_map_mut().unwrap().iter_mut().find(|(k, _)| k.as_text() == Some("nameSpaces")).unwrap();
    let meta =
        ns_map.1.as_map_mut().unwrap().iter_mut().find(|(k, _)| k.as_text() == Some(META_NAMESPACE)).unwrap();
    let raw_items = meta.1.as_array_mut().unwrap();
    // Items as decoded IssuerSignedItem maps.
    let mut items: Vec<Value> = raw_items
        .iter()
        .map(|t| match t {
            Value::Tag(24, b) => ciborium::de::from_reader(b.as_bytes().unwrap().as_slice()).unwrap(),
            _ => panic!("not tag 24"),
        })
        .collect();
    f(&mut items);
    *raw_items = items
        .iter()
        .map(|item| {
            let mut content = Vec::new();
            ciborium::ser::into_writer(item, &mut content).unwrap();
            Value::Tag(24, Box::new(Value::Bytes(content)))
        })
        .collect();
    let mut out = Vec::new();
    ciborium::ser::into_writer(&top, &mut out).unwrap();
    out
}

fn item_field<'a>(item: &'a Value, name: &str) -> &'a Value {
    &item.as_map().unwrap().iter().find(|(k, _)| k.as_text() == Some(name)).unwrap().1
}

fn set_item_field(item: &mut Value, name: &str, value: Value) {
    item.as_map_mut().unwrap().iter_mut().find(|(k, _)| k.as_text() == Some(name)).unwrap().1 = value;
}

fn err(v: &LicenseVerifier, bytes: &[u8], at: OffsetDateTime) -> LicenseError {
    v.verify(bytes, at).unwrap_err()
}

#[test]
fn tampered_element_value_and_swapped_items_fail() {
    let (a, bytes) = issued(Algorithm::Ed25519);
    let v = trust(&a);
    // Change one byte of the holder's name.
    let name = "成都天府示例科技有限公司".as_bytes();
    let pos = bytes.windows(name.len()).position(|w| w == name).unwrap();
    let mut bad = bytes.clone();
    bad[pos + 3] ^= 0x01;
    assert_eq!(err(&v, &bad, now()).code(), "license.digest_mismatch");
    // Swap the digest IDs of two items (each item re-encoded with the other's ID).
    let swapped = rewrite_meta_items(&bytes, |items| {
        let id = |v: &Value| item_field(v, "digestID").clone();
        let (a, b) = (id(&items[0]), id(&items[1]));
        set_item_field(&mut items[0], "digestID", b);
        set_item_field(&mut items[1], "digestID", a);
    });
    assert_eq!(err(&v, &swapped, now()).code(), "license.digest_mismatch");
    // Reordering items changes nothing: digests are per item.
    let reordered = rewrite_meta_items(&bytes, |items| items.swap(0, 1));
    v.verify(&reordered, now()).unwrap();
    // An item whose digest ID the issuer never signed.
    let unsigned =
        rewrite_meta_items(&bytes, |items| set_item_field(&mut items[0], "digestID", Value::from(999)));
    assert_eq!(err(&v, &unsigned, now()).code(), "license.digest_missing");
}

#[test]
fn every_tampered_byte_is_rejected() {
    let (a, bytes) = issued(Algorithm::Es256);
    let v = trust(&a);
    for i in 0..bytes.len() {
        let mut bad = bytes.clone();
        bad[i] ^= 0x01;
        assert!(v.verify(&bad, now()).is_err(), "byte {i} of {}", bytes.len());
    }
}

#[test]
fn stripped_elements_are_noticed() {
    let (a, bytes) = issued(Algorithm::Ed25519);
    let stripped = rewrite_meta_items(&bytes, |items| {
        items.pop();
    });
    assert_eq!(err(&trust(&a), &stripped, now()).code(), "license.element_missing");
}

#[test]
fn wrong_key_and_untrusted_root() {
    let (a, bytes) = issued(Algorithm::Es256);
    let v = trust(&a);
    // Signed by another key, presenting the genuine certificate.
    let stranger = SoftwareKey::generate(Algorithm::Es256).unwrap();
    let forged = resign(&bytes, &stranger, &[&a.issuer_cert], -7);
    assert_eq!(err(&v, &forged, now()), LicenseError::SignatureInvalid);
    // Properly signed, but by an authority whose root the verifier does not trust.
    let other = authority(Algorithm::Es256, BUSINESS_ISSUER, 3650);
    assert_eq!(err(&trust(&other), &bytes, now()).code(), "trust.untrusted_root");
}

#[test]
fn issuer_code_must_match_the_certificate() {
    let (a, bytes) = issued(Algorithm::Ed25519);
    // Another trusted authority (different USCC, same root) re-signs the same MSO.
    let key = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let t = now();
    let cert = a
        .root
        .issue(
            key.public_key(),
            "另一机关",
            &DRIVING_ISSUER.parse().unwrap(),
            CertificateProfile::EndEntity,
            t - Duration::days(1),
            t + Duration::days(100),
        )
        .unwrap();
    let forged = resign(&bytes, &key, &[&cert], -8);
    assert_eq!(err(&trust(&a), &forged, now()).code(), "license.issuer_code_mismatch");
    // And issuance refuses data whose issuer_code is not the certificate's.
    let holder = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let e = a.issuer.issue(&driving(), holder.public_key(), &IssueOptions::default()).unwrap_err();
    assert_eq!(e.code(), "license.issuer_code_mismatch");
}

#[test]
fn expiry_and_not_yet_valid() {
    // The driving license ends 2031-06-01; its issuer certificate lasts ten years.
    let a = authority(Algorithm::Sm2Sm3, DRIVING_ISSUER, 3650);
    let holder = SoftwareKey::generate(Algorithm::Sm2Sm3).unwrap();
    let bytes = a.issuer.issue(&driving(), holder.public_key(), &IssueOptions::default()).unwrap().bytes;
    let v = trust(&a);
    v.verify(&bytes, datetime!(2031-06-01 15:59:59 UTC)).unwrap();
    assert_eq!(err(&v, &bytes, datetime!(2031-06-01 16:00:00 UTC)), LicenseError::Expired);
    assert_eq!(err(&v, &bytes, now() - Duration::hours(2)), LicenseError::NotYetValid);
    // A verifier clock a few minutes behind the issuer's is tolerated, by default up to five.
    v.verify(&bytes, now() - Duration::minutes(4)).unwrap();
    assert_eq!(err(&v, &bytes, now() - Duration::minutes(6)), LicenseError::NotYetValid);
    let strict = v.clone().with_clock_skew(Duration::ZERO);
    assert_eq!(err(&strict, &bytes, now() - Duration::seconds(30)), LicenseError::NotYetValid);

    // A long-term license ends with its issuer certificate; after that, the certificate is expired.
    let short = authority(Algorithm::Es256, BUSINESS_ISSUER, 30);
    let bytes = short.issuer.issue(&business(), holder.public_key(), &IssueOptions::default()).unwrap().bytes;
    let v = trust(&short);
    v.verify(&bytes, now() + Duration::days(29)).unwrap();
    assert_eq!(err(&v, &bytes, now() + Duration::days(31)).code(), "trust.cert_expired");
}

#[test]
fn algorithm_policy_applies() {
    let (a, bytes) = issued(Algorithm::Es256);
    let mut s = TrustStore::new().with_policy(AlgorithmPolicy::gm_only());
    s.add(a.root.certificate().clone());
    assert_eq!(
        err(&LicenseVerifier::new(s), &bytes, now()),
        LicenseError::AlgorithmNotAllowed(Algorithm::Es256)
    );
    // A GM-only verifier accepts SM2 licenses, whose digests are SM3.
    let (a, bytes) = issued(Algorithm::Sm2Sm3);
    let mut s = TrustStore::new().with_policy(AlgorithmPolicy::gm_only());
    s.add(a.root.certificate().clone());
    LicenseVerifier::new(s).verify(&bytes, now()).unwrap();
    // A header naming another algorithm than the certificate key's is refused.
    let key = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let forged = resign(&bytes, &key, &[&a.issuer_cert], -8);
    assert_eq!(err(&trust(&a), &forged, now()).code(), "license.algorithm_mismatch");
}

#[test]
fn truncated_oversized_and_garbage_input() {
    let (a, bytes) = issued(Algorithm::Ed25519);
    let v = trust(&a);
    for cut in [0, 1, 10, bytes.len() / 2, bytes.len() - 1] {
        assert!(v.verify(&bytes[..cut], now()).is_err(), "cut at {cut}");
    }
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert_eq!(err(&v, &trailing, now()).code(), "license.malformed");
    let big = vec![0u8; yinxin::license::MAX_CREDENTIAL_SIZE + 1];
    assert_eq!(err(&v, &big, now()).code(), "license.too_large");
    // Deeply nested CBOR inside an element is refused, not recursed into.
    let mut deep = vec![0xa2, 0x6a];
    deep.extend_from_slice(b"nameSpaces");
    deep.extend(std::iter::repeat_n(0x81, 10_000));
    assert!(v.verify(&deep, now()).is_err());
}

#[test]
fn issuance_refuses_inconsistent_data() {
    let a = authority(Algorithm::Ed25519, BUSINESS_ISSUER, 3650);
    let holder = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let issue = |data: &LicenseData| {
        a.issuer.issue(data, holder.public_key(), &IssueOptions::default()).unwrap_err().code()
    };

    let mut d = business();
    d.meta.holder_code_type = "111".into();
    assert_eq!(issue(&d), "license.holder_code_type_mismatch", "a USCC under the resident id type");
    let mut d = business();
    d.holder_kind = yinxin::license::HolderKind::NaturalPerson;
    d.meta.holder_code_type = "111".into();
    d.meta.holder_code = "5101051949123100AX".into();
    assert_eq!(issue(&d), "id.resident_id.character");
    let mut d = business();
    d.meta.holder_code = "91510100MA61ABCDE4".into();
    assert_eq!(issue(&d), "id.uscc.check");
    let mut d = business();
    d.meta.holder_code_type = "999".into();
    assert_eq!(issue(&d), "license.holder_code_type");
    let mut d = business();
    d.holder_kind = yinxin::license::HolderKind::NaturalPerson;
    assert_eq!(issue(&d), "license.holder_kind_mismatch");
    let mut d = business();
    d.meta.valid_until = Some("2024-01-01".into());
    assert_eq!(issue(&d), "license.validity_order");
    let mut d = business();
    d.meta.valid_from = "2024-02-30".into();
    assert_eq!(issue(&d), "license.date_invalid");
    let mut d = business();
    d.meta.valid_until = Some("2025-01-01".into());
    assert_eq!(issue(&d), "license.already_expired");
    let mut d = business();
    d.meta.license_identifier = d.meta.license_identifier.replace(".B", ".C");
    assert_eq!(issue(&d), "id.license_id.check");
    let mut d = business();
    d.meta.license_type_code = "11100000000013338W002".into();
    assert_eq!(issue(&d), "license.type_code_mismatch");
    let mut d = business();
    d.meta.issuer_code = "11430000006122244L".into();
    assert_eq!(issue(&d), "license.identifier_issuer_mismatch");
    let mut d = business();
    d.surface.insert("Bad Name".into(), ElementValue::Text("x".into()));
    assert_eq!(issue(&d), "license.element_invalid");
    let mut d = business();
    d.surface.insert("date_of_establishment".into(), ElementValue::Text("2019-13-15".into()));
    assert_eq!(issue(&d), "license.date_invalid");
    assert_eq!(LicenseData::from_json(b"{}").unwrap_err().code(), "license.data_malformed");
}

/// Encodes one CBOR value with ciborium.
fn cbor(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(v, &mut out).unwrap();
    out
}

#[test]
fn device_responses_are_read_document_by_document() {
    // A DeviceResponse carrying the Annex D IssuerSigned twice, its bytes embedded unchanged.
    let issuer_signed = yinxin_test_vectors::annex_d_issuer_signed();
    let document = |doc_type: &str| {
        let mut d = vec![0xa2];
        d.extend(cbor(&Value::Text("docType".into())));
        d.extend(cbor(&Value::Text(doc_type.into())));
        d.extend(cbor(&Value::Text("issuerSigned".into())));
        d.extend(&issuer_signed);
        d
    };
    let mut response = vec![0xa3];
    response.extend(cbor(&Value::Text("version".into())));
    response.extend(cbor(&Value::Text("1.0".into())));
    response.extend(cbor(&Value::Text("documents".into())));
    response.push(0x82);
    response.extend(document("org.iso.18013.5.1.mDL"));
    response.extend(document("org.example.other"));
    response.extend(cbor(&Value::Text("status".into())));
    response.extend(cbor(&Value::from(0)));
    let reports = untrusted::inspect(&response, datetime!(2020-10-02 00:00 UTC)).unwrap();
    assert_eq!(reports.len(), 2);
    assert!(reports[0].issuer_signature && reports[0].digests);
    assert_eq!(reports[0].error, None);
    // The second document's docType disagrees with its MSO.
    assert!(reports[1].issuer_signature && reports[1].digests);
    assert_eq!(reports[1].error, Some("license.doc_type"));
    // Truncated responses are refused as a whole.
    assert!(untrusted::inspect(&response[..response.len() - 3], datetime!(2020-10-02 00:00 UTC)).is_err());
}
