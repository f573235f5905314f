//! `--at RFC3339` arguments.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::failure::Failure;

/// The verification time: `--at` if given, else now.
pub fn at(arg: Option<&str>) -> Result<OffsetDateTime, Failure> {
    match arg {
        None => Ok(OffsetDateTime::now_utc()),
        Some(s) => OffsetDateTime::parse(s, &Rfc3339).map_err(|e| Failure::usage(format!("--at {s:?}: {e}"))),
    }
}
