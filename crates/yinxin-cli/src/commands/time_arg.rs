//! `--at` arguments: an RFC 3339 time, or a date taken as midnight Beijing time.

use time::format_description::well_known::Rfc3339;
use time::macros::{format_description, offset};
use time::{Date, Duration, OffsetDateTime, UtcOffset};

use crate::failure::Failure;

/// Beijing time (UTC+8), the time zone a date alone is read in.
const BEIJING: UtcOffset = offset!(+8);

/// The verification time: `--at` if given, else now.
pub fn at(arg: Option<&str>) -> Result<OffsetDateTime, Failure> {
    match arg {
        None => Ok(OffsetDateTime::now_utc()),
        Some(s) => parse(s),
    }
}

/// The most days a validity given in days may last (100 years).
pub const MAX_DAYS: i64 = 36_500;

/// clap's parser for a count of days: 1 to [`MAX_DAYS`].
pub fn days() -> clap::builder::RangedI64ValueParser<i64> {
    clap::value_parser!(i64).range(1..=MAX_DAYS)
}

/// `from + span`, or a usage error naming `what` when that passes the end of the year 9999.
pub fn after(from: OffsetDateTime, span: Duration, what: &str) -> Result<OffsetDateTime, Failure> {
    from.checked_add(span).filter(|t| t.year() <= 9999).ok_or_else(|| {
        Failure::usage(format!(
            "{what}: {} plus {} days ends after the year 9999",
            rfc3339(from),
            span.whole_days()
        ))
    })
}

/// Parses `2026-12-02T09:30:00+08:00` (RFC 3339) or `2026-12-02` (midnight Beijing time, said on
/// stderr so that nobody is surprised by the hour).
pub fn parse(s: &str) -> Result<OffsetDateTime, Failure> {
    let s = s.trim();
    if let Some(t) = yinxin::text::parse_rfc3339(s) {
        return Ok(t);
    }
    if OffsetDateTime::parse(s, &Rfc3339).is_ok() {
        return Err(Failure::usage(format!("--at {s:?} is outside the years 1 to 9999 in UTC")));
    }
    if let Ok(date) = Date::parse(s, format_description!("[year]-[month]-[day]")) {
        let t = date.midnight().assume_offset(BEIJING);
        eprintln!("note: --at {s} is taken as {} (midnight, Beijing time)", rfc3339(t));
        return Ok(t);
    }
    Err(Failure::usage(format!(
        "--at {s:?} is not a time: give an RFC 3339 time such as 2026-12-02T09:30:00+08:00 \
         (or ...Z for UTC), or a date such as 2026-12-02 (taken as midnight, Beijing time)"
    )))
}

pub use yinxin::text::rfc3339;
