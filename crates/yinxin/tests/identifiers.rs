//! National identifiers against the external vectors, plus the property that every
//! single-character change of a valid value is detected.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use proptest::prelude::*;
use yinxin::ErrorCode;
use yinxin::id::{
    IdKind, LicenseIdError, LicenseIdentifier, LicenseTypeCode, ResidentId, ResidentIdError, Sex, Uscc,
    UsccError, detect,
};

#[test]
fn uscc_vectors() {
    let v = yinxin_test_vectors::identifiers().unified_social_credit_code;
    assert!(!v.valid.is_empty() && !v.invalid.is_empty());
    for s in &v.valid {
        let code = Uscc::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(code.to_string(), *s);
    }
    for s in &v.invalid {
        assert!(Uscc::parse(s).is_err(), "{s} accepted");
    }
}

#[test]
fn uscc_errors_name_the_failed_check() {
    assert_eq!(Uscc::parse("91350100M000100Y44"), Err(UsccError::Check { found: '4', expected: '3' }));
    assert_eq!(Uscc::parse("91350100M000100Y4").unwrap_err().code(), "id.uscc.length");
    assert_eq!(Uscc::parse("91350100M000100YI3"), Err(UsccError::Character { character: 'I', position: 17 }));
    assert_eq!(Uscc::parse("91350100m000100Y43").unwrap_err().code(), "id.uscc.character");
    // 18 bytes but not 18 characters.
    assert_eq!(Uscc::parse("9135010000010税43").unwrap_err().code(), "id.uscc.length");
    let code = Uscc::parse("91350100M000100Y43").unwrap();
    assert_eq!(code.registration_authority(), '9');
    assert_eq!(code.organization_category(), '1');
    assert_eq!(code.division_code(), "350100");
    assert_eq!(code.organization_code(), "M000100Y4");
}

#[test]
fn resident_id_vectors() {
    let v = yinxin_test_vectors::identifiers().resident_identity_number;
    for s in &v.valid {
        let id = ResidentId::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(id.to_string(), *s);
    }
    for s in &v.invalid {
        assert!(ResidentId::parse(s).is_err(), "{s} accepted");
    }
}

#[test]
fn resident_id_exposes_birth_date_and_sex() {
    let id = ResidentId::parse("11010519491231002X").unwrap();
    assert_eq!(id.birth_date(), time::macros::date!(1949 - 12 - 31));
    assert_eq!(id.sex(), Sex::Female);
    assert_eq!(id.division_code(), "110105");
    let id = ResidentId::parse("440524188001010014").unwrap();
    assert_eq!(id.birth_date(), time::macros::date!(1880 - 01 - 01));
    assert_eq!(id.sex(), Sex::Male);
    // The driving-license fixture's holder.
    let id = ResidentId::parse("510104199003071237").unwrap();
    assert_eq!(id.birth_date(), time::macros::date!(1990 - 03 - 07));
    assert_eq!(id.sex(), Sex::Male);
    // Debug never shows the whole number.
    assert!(!format!("{id:?}").contains("1990"));
}

#[test]
fn resident_id_errors() {
    assert_eq!(
        ResidentId::parse("110101199001011234"),
        Err(ResidentIdError::Check { found: '4', expected: '7' })
    );
    assert_eq!(ResidentId::parse("1101051949123100X2").unwrap_err().code(), "id.resident_id.character");
    assert_eq!(ResidentId::parse("11010519491231002").unwrap_err().code(), "id.resident_id.length");
    // Lowercase x is accepted and canonicalised.
    assert_eq!(ResidentId::parse("11010519491231002x").unwrap().as_str(), "11010519491231002X");
}

/// Puts a correct check character on a 17-digit body.
fn with_check(body: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.bytes().zip(W).map(|(c, w)| u32::from(c - b'0') * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

#[test]
fn resident_id_birth_date_must_be_a_real_date() {
    assert!(ResidentId::parse(&with_check("11010520000229001")).is_ok(), "2000 is a leap year");
    for body in [
        "11010519000229001",
        "11010519910231001",
        "11010519911301001",
        "11010519910100001",
        "11010517991231001",
    ] {
        assert_eq!(ResidentId::parse(&with_check(body)), Err(ResidentIdError::BirthDate), "{body}");
    }
}

#[test]
fn license_id_vectors() {
    let v = yinxin_test_vectors::identifiers().electronic_license_identifier;
    for s in &v.valid {
        let id = LicenseIdentifier::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(id.to_string(), *s);
        let rebuilt =
            LicenseIdentifier::new(id.type_code().clone(), id.issuer().clone(), id.serial(), id.version())
                .unwrap();
        assert_eq!(rebuilt, id, "constructing computes the same check character");
    }
    for s in &v.invalid {
        assert!(LicenseIdentifier::parse(s).is_err(), "{s} accepted");
    }
}

#[test]
fn fixture_license_identifiers_are_valid() {
    for name in ["business-license.json", "driving-license.json"] {
        let path = yinxin_test_vectors::fixture_path(name);
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let meta = &json["meta"];
        let id = LicenseIdentifier::parse(meta["license_identifier"].as_str().unwrap()).unwrap();
        assert_eq!(id.issuer().as_str(), meta["issuer_code"].as_str().unwrap());
        assert_eq!(id.type_code().to_string(), meta["license_type_code"].as_str().unwrap());
    }
}

#[test]
fn license_id_errors() {
    let e =
        LicenseIdentifier::parse("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.V");
    assert_eq!(e, Err(LicenseIdError::Check { found: "V".into(), expected: 'U' }));
    let cases = [
        ("1.2.156.3005.3.11100000000013338W011.11430000006122244L.20230000403.001.U", "id.license_id.prefix"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.F", "id.license_id.structure"),
        (
            "1.2.156.3005.2.11100000000013338X011.11430000006122244L.20230000403.001.U",
            "id.license_id.type_code",
        ),
        (
            "1.2.156.3005.2.11100000000013338W01A.11430000006122244L.20230000403.001.U",
            "id.license_id.type_code",
        ),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244M.20230000403.001.U", "id.license_id.issuer"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.202300.001.U", "id.license_id.serial"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.2023000040a.001.U", "id.license_id.serial"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.01.U", "id.license_id.version"),
        ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.UU", "id.license_id.check"),
    ];
    for (value, code) in cases {
        assert_eq!(LicenseIdentifier::parse(value).unwrap_err().code(), code, "{value}");
    }
    let long =
        format!("1.2.156.3005.2.11100000000013338W011.11430000006122244L.{}.001.U", "1".repeat(10_000));
    assert_eq!(LicenseIdentifier::parse(&long).unwrap_err().code(), "id.license_id.structure");
}

#[test]
fn serde_round_trips_and_refuses_invalid_values() {
    let id: LicenseIdentifier =
        serde_json::from_str("\"1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F\"")
            .unwrap();
    assert_eq!(
        serde_json::to_string(&id).unwrap(),
        "\"1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F\""
    );
    assert!(serde_json::from_str::<Uscc>("\"91350100M000100Y44\"").is_err());
    assert!(serde_json::from_str::<ResidentId>("\"110101199001011234\"").is_err());
    let t: LicenseTypeCode = serde_json::from_str("\"11100000000013338W001\"").unwrap();
    assert_eq!(t.number(), "001");
}

#[test]
fn detect_classifies_by_validity_then_shape() {
    let cases = [
        ("91350100M000100Y43", IdKind::Uscc, None),
        ("91350100M000100Y44", IdKind::Uscc, Some("id.uscc.check")),
        ("91350100M000100YI3", IdKind::Uscc, Some("id.uscc.character")),
        ("11010519491231002X", IdKind::ResidentId, None),
        ("110101199001011234", IdKind::ResidentId, Some("id.resident_id.check")),
        ("11010519491231002", IdKind::ResidentId, Some("id.resident_id.length")),
        ("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F", IdKind::LicenseId, None),
        (
            "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.G",
            IdKind::LicenseId,
            Some("id.license_id.check"),
        ),
        ("", IdKind::Unknown, Some("id.unknown_kind")),
        ("hello", IdKind::Unknown, Some("id.unknown_kind")),
    ];
    for (value, kind, code) in cases {
        let d = detect(value);
        assert_eq!(d.kind, kind, "{value}");
        assert_eq!(d.error.as_ref().map(ErrorCode::code), code, "{value}");
    }
}

const USCC_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Every single-character substitution of `valid` with a byte from `alphabet`.
fn substitutions(valid: &str, alphabet: &'static [u8]) -> impl Strategy<Value = String> {
    let valid = valid.to_owned();
    (0..valid.len(), proptest::sample::select(alphabet)).prop_filter_map("unchanged", move |(pos, c)| {
        let mut bytes = valid.clone().into_bytes();
        if bytes[pos] == c {
            return None;
        }
        bytes[pos] = c;
        String::from_utf8(bytes).ok()
    })
}

proptest! {
    #[test]
    fn every_uscc_substitution_is_detected(s in substitutions("91350100M000100Y43", USCC_ALPHABET)) {
        prop_assert!(Uscc::parse(&s).is_err());
    }

    #[test]
    fn every_resident_id_substitution_is_detected(s in substitutions("11010519491231002X", b"0123456789X")) {
        prop_assert!(ResidentId::parse(&s).is_err());
    }

    #[test]
    fn every_license_id_substitution_is_detected(
        s in substitutions("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F", b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.")
    ) {
        prop_assert!(LicenseIdentifier::parse(&s).is_err());
    }

    #[test]
    fn generated_identifiers_parse_back(serial in "[0-9A-Z]{7,32}", version in "[0-9]{3}") {
        let t = LicenseTypeCode::parse("11100000000013338W001").unwrap();
        let issuer = Uscc::parse("11510000MB0123456W").unwrap();
        let id = LicenseIdentifier::new(t, issuer, &serial, &version).unwrap();
        prop_assert_eq!(LicenseIdentifier::parse(&id.to_string()).unwrap(), id);
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,120}") {
        let _ = Uscc::parse(&s);
        let _ = ResidentId::parse(&s);
        let _ = LicenseIdentifier::parse(&s);
        let _ = detect(&s);
    }
}
