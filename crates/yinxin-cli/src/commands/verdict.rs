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
