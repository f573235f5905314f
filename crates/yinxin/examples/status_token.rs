//! Writes the Status List Token the `yinxin serve` load figures are measured on: a list of
//! ENTRIES 2-bit entries with PERCENT % revoked (spread at random), signed by a fresh P-256
//! authority, under the URI `http://127.0.0.1/sc/lists/1`.
//!
//! `cargo run --release -p yinxin --example status_token -- OUT [ENTRIES] [PERCENT]`
//! (defaults: 1048576 entries, 1 %).

use time::{Duration, OffsetDateTime};
use yinxin::authority::ListValidity;
use yinxin::crypto::{Algorithm, SoftwareKey};
use yinxin::status::StatusList;
use yinxin::trust::{CertificateAuthority, CertificateProfile};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args.next().ok_or("usage: status_token OUT [ENTRIES] [PERCENT]")?;
    let entries: u64 = args.next().map_or(Ok(1 << 20), |s| s.parse())?;
    let percent: u64 = args.next().map_or(Ok(1), |s| s.parse())?;
    let now = OffsetDateTime::now_utc();
    let code = "11510000MB0123456W".parse()?;
    let root = CertificateAuthority::new_root(
        SoftwareKey::generate(Algorithm::Es256)?,
        "root",
        &code,
        now - Duration::days(1),
        now + Duration::days(365),
        Some(0),
    )?;
    let key = SoftwareKey::generate(Algorithm::Es256)?;
    let cert = root.issue(
        yinxin::crypto::Signer::public_key(&key),
        "成都市市场监督管理局",
        &code,
        CertificateProfile::EndEntity,
        now - Duration::days(1),
        now + Duration::days(300),
    )?;
    let authority = yinxin::Authority::new(key, vec![cert])?;
    let mut list = StatusList::new(2, entries)?;
    // A deterministic spread (xorshift): the same list every run.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..entries * percent / 100 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        list.set(x % entries, 1)?;
    }
    let validity = ListValidity { valid_for: Duration::days(2), ttl: Duration::hours(1) };
    let signed = authority.sign_status_list("http://127.0.0.1/sc/lists/1", &list, validity, now)?;
    std::fs::write(&out, &signed.token)?;
    println!("{out}: {} bytes, {} entries, {} revoked", signed.token.len(), entries, signed.set);
    Ok(())
}
