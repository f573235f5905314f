//! Demo steps: the person keeps the driving license in an encrypted wallet behind the showing
//! PIN; a wrong PIN is counted; a counter certified by the provincial platform asks with a
//! signed request; the wallet shows who asks, what and why, answers after the PIN, and only
//! that counter accepts the answer (issue 19, decisions 0018 and 0019).

use std::path::Path;
use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode;
use yinxin::crypto::{Algorithm, Signer as _, SoftwareKey};
use yinxin::present::PresentationVerifier;
use yinxin::present::request::{RequestBinding, make_request, request_text};
use yinxin::trust::CertificateAuthority;
use yinxin::wallet::store::{CreateOptions, Pin, WalletStore};

use super::licenses::Story;
use super::{fail, step};
use crate::failure::Failure;

pub(super) fn run(dir: &Path, story: &Story, first_step: u32) -> Result<u32, Failure> {
    let n = first_step;
    step(n, "The person's wallet: the driving license sealed on disk behind the showing PIN");
    let (Some((issuer, license)), Some(holder)) = (story.licenses.get(1), story.holders.get(1)) else {
        return Ok(n);
    };
    let now = OffsetDateTime::now_utc();
    // The provincial service platform certifies its counters, and wallets trust it for that.
    let party = "11510000MB0123456W".parse().map_err(fail)?;
    let platform = CertificateAuthority::new_root(
        SoftwareKey::generate(Algorithm::Sm2Sm3).map_err(fail)?,
        "四川省政务服务平台",
        &party,
        now - Duration::minutes(5),
        now + Duration::days(3650),
        Some(0),
    )
    .map_err(fail)?;
    let pin = Pin::new("246810").map_err(fail)?;
    let options = CreateOptions {
        verifier_anchors: vec![platform.certificate().der().to_vec()],
        ..CreateOptions::default()
    };
    let store = WalletStore::create(dir.join("wallet"), &pin, options).map_err(fail)?;
    let wallet = store.unlock(&pin, now).map_err(fail)?;
    let summary = wallet.add(license.bytes.clone(), holder, now).map_err(fail)?;
    outln!(
        "wallet/ holds {} ({}), its key sealed with it; file names are random, nothing is in clear",
        summary.license_name.as_deref().unwrap_or(&summary.doc_type),
        summary.holder_name.as_deref().unwrap_or("-")
    );
    match store.unlock(&Pin::new("135790").map_err(fail)?, now) {
        Ok(_) => outln!("UNEXPECTED: a wrong PIN opened the wallet"),
        Err(e) => outln!("a wrong PIN: REFUSED {}: {e}", e.code()),
    }
    let wallet = store.unlock(&pin, now).map_err(fail)?;

    let n = n + 1;
    step(
        n,
        "A counter asks with a signed request; the wallet says who asks, what and why; only that counter accepts the answer",
    );
    let counter = SoftwareKey::generate(Algorithm::Sm2Sm3).map_err(fail)?;
    let may: Vec<String> =
        ["holder_name", "vehicle_class", "valid_until"].iter().map(|s| (*s).to_owned()).collect();
    let cert = platform
        .issue_verifier(
            counter.public_key(),
            "成都市车管所第一窗口",
            &party,
            &may,
            now - Duration::minutes(5),
            now + Duration::days(30),
        )
        .map_err(fail)?;
    let request = make_request(&counter, &[cert], &["holder_name", "vehicle_class"], "办理驾驶证换证", now)
        .map_err(fail)?;
    outln!(
        "request code: {} characters, {}…",
        request_text(&request).map_err(fail)?.len(),
        request_text(&request).map_err(fail)?.get(..24).unwrap_or("")
    );
    let verified = wallet.verify_request(&request, now).map_err(fail)?;
    outln!(
        "the wallet shows: {} asks for {} to {}",
        verified.verifier().map_or("an unidentified verifier", |v| v.name.as_str()),
        verified.elements().join(", "),
        verified.purpose()
    );
    let code = wallet.present_for_request(&pin, &summary.identifier, &verified, now).map_err(fail)?;
    let cache = super::status::lists_signed_by(story, issuer, now)?;
    let verifier = PresentationVerifier::new(story.verifier.clone(), Arc::new(cache));
    match verifier.verify(&code, now) {
        Ok(_) => outln!("UNEXPECTED: another verifier accepted the answer"),
        Err(e) => outln!("another counter scans it: REFUSED {}", e.code()),
    }
    let own = RequestBinding::own(&request, Some(counter.public_key())).map_err(fail)?;
    match verifier.verify_for_request(&code, now, &own) {
        Ok(v) => outln!("the counter that asked: VALID, request bound: {}", v.request_bound()),
        Err(e) => outln!("the counter that asked: REFUSED {}", e.code()),
    }
    let (log, _) = wallet.history().map_err(fail)?;
    for e in &log {
        outln!(
            "consent log: {} {} to {} for {}",
            yinxin::text::rfc3339(e.at),
            e.elements.join(","),
            e.verifier.as_ref().map_or("-", |v| v.name.as_str()),
            e.purpose.as_deref().unwrap_or("-")
        );
    }
    Ok(n)
}
