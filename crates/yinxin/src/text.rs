//! How values are shown to people: one spelling of a time everywhere yinxin prints one (CLI,
//! verdicts, error messages, the bindings), never the `time` crate's debug-like Display.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A time as RFC 3339 text in UTC to the second, e.g. `2026-12-02T01:30:00Z` (the form `--at`
/// takes). Fractions of a second are dropped: no verdict depends on them, and people misread
/// nine digits.
pub fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let whole = t.replace_nanosecond(0).unwrap_or(t);
    whole.format(&Rfc3339).unwrap_or_else(|_| format!("{} seconds since 1970", t.unix_timestamp()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_seconds_in_utc() {
        let t = time::macros::datetime!(2026-12-02 09:30:00.123456789 +08:00);
        assert_eq!(rfc3339(t), "2026-12-02T01:30:00Z");
    }

    #[test]
    fn years_rfc_3339_cannot_spell_are_still_shown() {
        let t = time::macros::datetime!(9999-12-31 23:59:59 UTC);
        assert_eq!(rfc3339(t), "9999-12-31T23:59:59Z");
        let before_year_0 = OffsetDateTime::from_unix_timestamp(-62_200_000_000).unwrap();
        assert_eq!(rfc3339(before_year_0), "-62200000000 seconds since 1970");
    }
}
