//! How values are shown to people: one spelling of a time everywhere yinxin prints one (CLI,
//! verdicts, error messages, the bindings), never the `time` crate's debug-like Display.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A time as RFC 3339 text in UTC to the second, e.g. `2026-12-02T01:30:00Z` (the form `--at`
/// takes). Fractions of a second are dropped: no verdict depends on them, and people misread
/// nine digits.
pub fn rfc3339(t: OffsetDateTime) -> String {
    let fallback = || format!("{} seconds since 1970", t.unix_timestamp());
    let Some(utc) = t.checked_to_offset(time::UtcOffset::UTC) else { return fallback() };
    let whole = utc.replace_nanosecond(0).unwrap_or(utc);
    whole.format(&Rfc3339).unwrap_or_else(|_| fallback())
}

/// Reads an RFC 3339 time and normalises it to UTC; `None` when it is not RFC 3339 or its UTC
/// value falls outside the years 1 to 9999 that RFC 3339 (and yinxin) can represent, e.g.
/// `9999-12-31T23:59:59-01:00`. Every time read from outside goes through here, so later
/// arithmetic and formatting never meet a value they cannot hold.
pub fn parse_rfc3339(text: &str) -> Option<OffsetDateTime> {
    let t = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    t.checked_to_offset(time::UtcOffset::UTC).filter(|u| (1..=9999).contains(&u.year()))
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
    fn times_past_the_representable_range_are_refused_when_read() {
        assert_eq!(parse_rfc3339("9999-12-31T23:59:59-01:00"), None, "year 10000 in UTC");
        assert_eq!(parse_rfc3339("0001-01-01T00:00:00+01:00"), None, "year 0 in UTC");
        let last = parse_rfc3339("9999-12-31T23:59:59Z").unwrap();
        assert_eq!(rfc3339(last), "9999-12-31T23:59:59Z");
        assert_eq!(parse_rfc3339("2026-12-02T09:30:00+08:00").unwrap().offset(), time::UtcOffset::UTC);
        assert_eq!(parse_rfc3339("2026-12-02"), None);
    }

    #[test]
    fn years_rfc_3339_cannot_spell_are_still_shown() {
        let t = time::macros::datetime!(9999-12-31 23:59:59 UTC);
        assert_eq!(rfc3339(t), "9999-12-31T23:59:59Z");
        let before_year_0 = OffsetDateTime::from_unix_timestamp(-62_200_000_000).unwrap();
        assert_eq!(rfc3339(before_year_0), "-62200000000 seconds since 1970");
    }
}
