//! `--at` arguments: an RFC 3339 time, or a date taken as midnight Beijing time.

use time::format_description::well_known::Rfc3339;
use time::macros::{format_description, offset};
use time::{Date, OffsetDateTime, UtcOffset};

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

/// Parses `2026-12-02T09:30:00+08:00` (RFC 3339) or `2026-12-02` (midnight Beijing time, said on
/// stderr so that nobody is surprised by the hour).
pub fn parse(s: &str) -> Result<OffsetDateTime, Failure> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t);
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
