//! Demo steps: the holder shows the driving license as a QR code; the counter verifies it once;
//! any other choice of elements fits a code too.

use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode;
use yinxin::present::{Disclosure, PresentationVerifier, present, qr_text};

use super::licenses::Story;
use super::{fail, step};
use crate::commands::qr_image::{Format, render, version};
use crate::failure::Failure;

pub(super) fn run(story: &Story, first_step: u32) -> Result<u32, Failure> {
    let n = first_step;
    step(n, "The holder shows the driving license (age_and_class) as a QR code; the counter scans it, once");
    let (Some((issuer, license)), Some(holder)) = (story.licenses.get(1), story.holders.get(1)) else {
        return Ok(n);
    };
    let now = OffsetDateTime::now_utc();
    // The counter has the issuer's signed status list (which also tells it the issuer certificate).
    let cache = super::status::lists_signed_by(story, issuer, now)?;
    let verifier = PresentationVerifier::new(story.verifier.clone(), Arc::new(cache));

    let shown = ["holder_name", "date_of_birth", "vehicle_class", "valid_until"];
    let p = present(&license.bytes, holder, Disclosure::Elements(&shown), now).map_err(fail)?;
    let text = qr_text::encode(&p).map_err(fail)?;
    let art = render(&text, Format::Terminal)?;
    outln!("{}", String::from_utf8_lossy(&art));
    outln!(
        "{} characters, QR version {} (error correction M): {}…",
        text.len(),
        version(&text)?,
        text.get(..40).unwrap_or("")
    );
    match verifier.verify_qr(&text, now + Duration::seconds(3)) {
        Ok(v) => {
            let disclosed: Vec<String> = v
                .license()
                .elements()
                .values()
                .flat_map(|m| m.iter().map(|(k, val)| format!("{k}={}", val.to_json())))
                .collect();
            outln!("scan 1: VALID  {}", disclosed.join("  "));
        }
        Err(e) => outln!("scan 1: REFUSED {}", e.code()),
    }
    match verifier.verify_qr(&text, now + Duration::seconds(20)) {
        Ok(_) => outln!("scan 2: UNEXPECTED: accepted"),
        Err(e) => outln!("scan 2 (same code): REFUSED {}", e.code()),
    }
    // Any other choice works too (the tree claims every license carries, decision 0017).
    for (label, disclose) in [
        ("only the vehicle class", Disclosure::Elements(&["vehicle_class"])),
        ("every element", Disclosure::All),
    ] {
        let p = present(&license.bytes, holder, disclose, now).map_err(fail)?;
        let text = qr_text::encode(&p).map_err(fail)?;
        let verdict = match verifier.verify_qr(&text, now + Duration::seconds(5)) {
            Ok(v) => {
                format!("VALID ({} shown)", v.license().elements().values().map(|m| m.len()).sum::<usize>())
            }
            Err(e) => format!("REFUSED {}", e.code()),
        };
        outln!("{label}: {} characters, QR version {}: {verdict}", text.len(), version(&text)?);
    }
    let old = present(&license.bytes, holder, Disclosure::Elements(&shown), now - Duration::minutes(6))
        .map_err(fail)?;
    match verifier.verify(&old, now) {
        Ok(_) => outln!("UNEXPECTED: accepted"),
        Err(e) => outln!("a code made 6 minutes ago: REFUSED {}", e.code()),
    }
    Ok(n)
}
