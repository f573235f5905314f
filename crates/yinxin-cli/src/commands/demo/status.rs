//! Demo steps: revoke, suspend, reinstate; publish the signed lists; verify with status.

use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode;
use yinxin::crypto::SoftwareKey;
use yinxin::license::LicenseIssuer;
use yinxin::status::{Status, StatusListCache, StatusListToken, TokenClaims};
use yinxin_registry::Registry;

use super::licenses::Story;
use super::{fail, step};
use crate::failure::Failure;

/// The registry's status lists as `issuer` publishes them (signed with its key), verified and
/// cached the way a counter holds them.
pub(super) fn lists_signed_by(
    story: &Story,
    issuer: &LicenseIssuer<SoftwareKey>,
    now: OffsetDateTime,
) -> Result<StatusListCache, Failure> {
    let cache = StatusListCache::new();
    let chain: Vec<_> = issuer.certificate().into_iter().cloned().collect();
    for (uri, list) in story.registry.status_lists().map_err(|e| Failure::unreadable(&e, "registry"))? {
        let claims =
            TokenClaims { sub: uri, iat: now, exp: Some(now + Duration::hours(24)), ttl: Some(3600) };
        let token = StatusListToken::sign(&list, &claims, issuer.signer(), &chain).map_err(fail)?;
        cache.insert(StatusListToken::verify_with_trust(&token, &story.trust, now).map_err(fail)?, now);
    }
    Ok(cache)
}

/// Each authority publishes the lists signed with its key; the counter verifies each license
/// against the lists its own issuer signed.
fn publish_and_verify(story: &Story, label: &str) -> Result<(), Failure> {
    let now = OffsetDateTime::now_utc();
    for (issuer, license) in &story.licenses {
        let own = lists_signed_by(story, issuer, now)?;
        let verdict = match story.verifier.verify_with_status(&license.bytes, now, &own) {
            Ok(_) => "VALID".to_owned(),
            Err(e) => format!("REFUSED {}", e.code()),
        };
        outln!("{label:<22} {}  {verdict}", license.identifier.serial());
    }
    Ok(())
}

pub(super) fn run(story: &mut Story, first_step: u32) -> Result<u32, Failure> {
    let mut n = first_step;
    step(
        n,
        "Publish signed status lists (IETF Token Status List, 2 bits per license) and verify with status",
    );
    publish_and_verify(story, "before any change")?;

    n += 1;
    step(n, "Revoke the business license, suspend the driving license; every change goes to the audit log");
    let ids: Vec<String> = story.licenses.iter().map(|(_, l)| l.identifier.to_string()).collect();
    let (Some(business), Some(driving)) = (ids.first(), ids.get(1)) else {
        return Ok(n);
    };
    let revoked = story
        .registry
        .set_status(business, Status::Invalid, "demo", "business licence cancelled")
        .map_err(fail)?;
    outln!(
        "audit #{}  {}  {} -> {}",
        revoked.sequence,
        revoked.identifier,
        Status::Valid.name(),
        revoked.to.name()
    );
    let suspended =
        story.registry.set_status(driving, Status::Suspended, "demo", "12 points reached").map_err(fail)?;
    outln!(
        "audit #{}  {}  {} -> {}",
        suspended.sequence,
        suspended.identifier,
        Status::Valid.name(),
        suspended.to.name()
    );
    publish_and_verify(story, "after revoke/suspend")?;
    match story.registry.set_status(business, Status::Valid, "demo", "undo") {
        Ok(_) => outln!("UNEXPECTED: revocation undone"),
        Err(e) => outln!("reinstating a revoked license: REFUSED {}", e.code()),
    }

    n += 1;
    step(n, "Reinstate the driving license");
    story.registry.set_status(driving, Status::Valid, "demo", "study course completed").map_err(fail)?;
    publish_and_verify(story, "after reinstate")?;
    Ok(n)
}
