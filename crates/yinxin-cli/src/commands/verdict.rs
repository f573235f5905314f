//! The verdict vocabulary every verifying command shares (`license verify`, `verify`,
//! `seal verify`, `ofd verify`): the first word of the text output is `VALID` or `INVALID`;
//! JSON carries `"valid"` (a boolean) and `"verdict"` (the same word); a check that was not
//! run is listed in JSON under `"not_checked"` (its field is `null`) and printed in text as
//! `not checked` with the reason, and the first failure is printed as `error[code]: …` on
//! stderr.

/// The verdict word: `VALID` or `INVALID`.
pub fn word(valid: bool) -> &'static str {
    if valid { "VALID" } else { "INVALID" }
}

/// A check's value as a person reads it: `yes`, `NO`, or `not checked`.
pub fn check_text(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "NO",
        None => "not checked",
    }
}

/// A JSON value in text output: strings without quotes, `-` for null.
pub fn text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "-".into(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(b) => check_text(Some(*b)).into(),
        other => other.to_string(),
    }
}

/// Why the signer's or seal maker's certificate was not chained to a trust anchor.
pub const NO_TRUST: &str = "no --trust given: the certificate was not checked against a trust anchor";

/// Sets a member of a JSON object.
pub fn put(v: &mut serde_json::Value, key: &str, value: serde_json::Value) {
    if let Some(map) = v.as_object_mut() {
        map.insert(key.to_owned(), value);
    }
}

/// An element's value as a person reads it: text as it is, dates as `YYYY-MM-DD`, times in
/// RFC 3339, bytes as their size and kind (a portrait is not printed as base64), `-` for null
/// (a long-term license's `valid_until`: see the license), lists and maps as JSON.
pub fn element_text(value: &yinxin::license::ElementValue) -> String {
    use yinxin::license::ElementValue as V;
    match value {
        V::Bytes(b) => {
            format!("{} bytes{}", b.len(), image_kind(b).map(|k| format!(" ({k})")).unwrap_or_default())
        }
        V::DateTime(t) => yinxin::text::rfc3339(*t),
        V::Array(_) | V::Map(_) => value.to_json().to_string(),
        other => text(&other.to_json()),
    }
}

/// The kind of image bytes hold, by their first bytes.
fn image_kind(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some("JPEG"),
        [0x89, b'P', b'N', b'G', ..] => Some("PNG"),
        [b'G', b'I', b'F', b'8', ..] => Some("GIF"),
        _ => None,
    }
}

/// A validity period as a person reads it: `<from> to <until>`.
pub fn validity_text(v: &yinxin::license::ValidityInfo) -> String {
    format!("{} to {}", yinxin::text::rfc3339(v.valid_from), yinxin::text::rfc3339(v.valid_until))
}

/// The trust list an issuer was trusted through, for a JSON verdict: `{"provider", "region",
/// "next_update"}`, or null for a configured anchor.
pub fn trust_list_json(chain: &yinxin::trust::VerifiedChain) -> serde_json::Value {
    yinxin::present::verdict::trust_list_json(chain)
}

/// The same as a line of text: `trust list from <provider> (region <code>)`.
pub fn trust_list_text(chain: &yinxin::trust::VerifiedChain) -> Option<String> {
    chain.scope().map(|s| {
        let region = s.region.as_deref().map(|r| format!(" (region {r})")).unwrap_or_default();
        format!("trust list from {}{region}", s.provider)
    })
}
