//! The element keys and text encoding of compact QR claims (docs/decisions/0011).
//!
//! A QR code has no room for element names: compact claims name the GB/T 36903 metadata
//! elements by number (1–12, [`META_ORDER`]) and well-known surface fields by negative numbers
//! from [`SURFACE_KEYS`] (−1 to −24 take one CBOR byte). Other surface fields keep their names
//! as text keys, so any license type still works. Both tables are append-only: a number, once
//! given, names the same element forever, or old QR codes would read differently.
//!
//! Text made of CJK characters takes three bytes a character in UTF-8 and two in GB 18030 (the
//! national character set standard), which zlib does not make up for. The issuer may therefore
//! carry a text value as the GB 18030 bytes of the text, under a separate map of the claims
//! ([`GB18030_ELEMENTS`]): the verifier decodes those strictly (a malformed byte sequence is an
//! error, never a replacement character). The signature covers the bytes as sent.

use ciborium::Value;

/// The metadata elements, numbered 1–12 in this order in compact claims.
pub const META_ORDER: [&str; 12] = [
    "license_name",
    "license_type_code",
    "license_number",
    "license_identifier",
    "issuer_name",
    "issuer_code",
    "issue_date",
    "holder_name",
    "holder_code",
    "holder_code_type",
    "valid_from",
    "valid_until",
];

/// Well-known surface fields and their keys in compact claims. Append only.
pub const SURFACE_KEYS: [(i64, &str); 22] = [
    // 营业执照 (business license, legal entities)
    (-1, "name"),
    (-2, "unified_social_credit_code"),
    (-3, "entity_type"),
    (-4, "legal_representative"),
    (-5, "registered_capital"),
    (-6, "date_of_establishment"),
    (-7, "business_term"),
    (-8, "domicile"),
    (-9, "business_scope"),
    (-10, "registration_authority"),
    // natural persons (居民身份证, 机动车驾驶证 and most personal licenses)
    (-11, "sex"),
    (-12, "nationality"),
    (-13, "address"),
    (-14, "date_of_birth"),
    (-15, "date_of_first_issue"),
    (-16, "vehicle_class"),
    (-17, "file_number"),
    (-18, "portrait"),
    (-19, "ethnicity"),
    (-20, "issuing_authority"),
    (-21, "valid_period"),
    (-22, "remarks"),
];

/// Claims key of the elements carried as CBOR values.
pub(crate) const ELEMENTS: i64 = 7;
/// Claims key of the text elements carried as GB 18030 bytes.
pub const GB18030_ELEMENTS: i64 = 8;

/// Where an element lives in compact claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ElementKind {
    /// A GB/T 36903 metadata element.
    Meta,
    /// A surface field.
    Surface,
}

/// The compact key of an element.
pub(crate) fn key_of(kind: ElementKind, name: &str) -> Value {
    let number = match kind {
        ElementKind::Meta => META_ORDER.iter().position(|m| *m == name).map(|i| i as i64 + 1),
        ElementKind::Surface => SURFACE_KEYS.iter().find(|(_, n)| *n == name).map(|(k, _)| *k),
    };
    match number {
        Some(n) => Value::from(n),
        None => Value::Text(name.to_owned()),
    }
}

/// The element a compact key names, or `None` for a number no table gives.
pub(crate) fn element_of(key: &Value) -> Option<(ElementKind, String)> {
    if let Value::Text(name) = key {
        return Some((ElementKind::Surface, name.clone()));
    }
    let n = i64::try_from(key.as_integer()?).ok()?;
    if n > 0 {
        let name = META_ORDER.get(usize::try_from(n - 1).ok()?)?;
        Some((ElementKind::Meta, (*name).to_owned()))
    } else {
        let (_, name) = SURFACE_KEYS.iter().find(|(k, _)| *k == n)?;
        Some((ElementKind::Surface, (*name).to_owned()))
    }
}

/// The GB 18030 bytes of a text, when they are shorter than its UTF-8.
pub(crate) fn gb18030_if_shorter(text: &str) -> Option<Vec<u8>> {
    // ASCII is the same length in both (and the encoder's table search is slow).
    if text.is_ascii() {
        return None;
    }
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(text);
    (!unmappable && bytes.len() < text.len()).then(|| bytes.into_owned())
}

/// Decodes GB 18030 bytes strictly: `None` for any malformed sequence.
pub(crate) fn gb18030_decode(bytes: &[u8]) -> Option<String> {
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(std::borrow::Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_round_trip() {
        for (kind, names) in [
            (ElementKind::Meta, META_ORDER.to_vec()),
            (ElementKind::Surface, SURFACE_KEYS.iter().map(|(_, n)| *n).collect()),
        ] {
            for name in names {
                let key = key_of(kind, name);
                assert!(key.is_integer(), "{name} has no number");
                assert_eq!(element_of(&key), Some((kind, name.to_owned())));
            }
        }
        let mut numbers: Vec<i64> = SURFACE_KEYS.iter().map(|(k, _)| *k).collect();
        numbers.dedup();
        assert_eq!(numbers.len(), SURFACE_KEYS.len());
        let mut names: Vec<&str> = SURFACE_KEYS.iter().map(|(_, n)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SURFACE_KEYS.len());
        assert!(SURFACE_KEYS.iter().all(|(_, n)| !META_ORDER.contains(n)));
    }

    #[test]
    fn unknown_names_stay_text_and_unknown_numbers_are_refused() {
        assert_eq!(key_of(ElementKind::Surface, "hukou_type"), Value::Text("hukou_type".into()));
        assert_eq!(key_of(ElementKind::Meta, "name"), Value::Text("name".into()));
        assert_eq!(element_of(&Value::from(0)), None);
        assert_eq!(element_of(&Value::from(13)), None);
        assert_eq!(element_of(&Value::from(-23)), None);
        assert_eq!(element_of(&Value::Bytes(vec![1])), None);
    }

    #[test]
    fn gb18030_is_used_only_when_shorter_and_decodes_strictly() {
        let text = "成都天府示例科技有限公司";
        let gb = gb18030_if_shorter(text).expect("CJK is shorter in GB 18030");
        assert_eq!(gb.len(), 24);
        assert_eq!(text.len(), 36);
        assert_eq!(gb18030_decode(&gb).as_deref(), Some(text));
        assert_eq!(gb18030_if_shorter("91510100MA61ABCDE3"), None);
        assert_eq!(gb18030_if_shorter("2019-03-15至长期").map(|b| b.len()), Some(16), "not 19");
        // A supplementary-plane character takes four bytes in both: not shorter.
        assert_eq!(gb18030_if_shorter("𠀀"), None);
        // A lead byte with no trail byte, and an invalid trail byte.
        assert_eq!(gb18030_decode(&[0xB3]), None);
        assert_eq!(gb18030_decode(&[0xB3, 0x7F]), None);
    }
}
