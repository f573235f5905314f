//! A test kit: the root CA and signing certificates that tests, benches and examples make, made
//! one way. Only for integration tests, benches and examples (they link the same `yinxin` as
//! this crate; unit tests inside `yinxin` would not).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use time::{Duration, OffsetDateTime};
use yinxin::crypto::{Algorithm, Signer as _, SoftwareKey};
use yinxin::trust::{Certificate, CertificateAuthority, CertificateProfile, TrustStore};

/// The USCC in the test root's subject.
pub const ROOT_CODE: &str = "11100000000013338W";
/// The business license fixture's issuing authority.
pub const ISSUER_CODE: &str = "11510000MB0123456W";

/// A root CA of `alg` named `name`, valid from a day before `now` for ten years, path length 0.
pub fn root(alg: Algorithm, name: &str, now: OffsetDateTime) -> CertificateAuthority<SoftwareKey> {
    CertificateAuthority::new_root(
        SoftwareKey::generate(alg).unwrap(),
        name,
        &ROOT_CODE.parse().unwrap(),
        now - Duration::days(1),
        now + Duration::days(3650),
        Some(0),
    )
    .unwrap()
}

/// A new key of `alg` and an end-entity certificate from `root` for `name` and `code` (a USCC
/// or resident ID), valid from a day before `now` for `days` days.
pub fn signer(
    root: &CertificateAuthority<SoftwareKey>,
    alg: Algorithm,
    name: &str,
    code: &str,
    now: OffsetDateTime,
    days: i64,
) -> (SoftwareKey, Certificate) {
    let key = SoftwareKey::generate(alg).unwrap();
    let cert = root
        .issue(
            key.public_key(),
            name,
            &code.parse().unwrap(),
            CertificateProfile::EndEntity,
            now - Duration::days(1),
            now + Duration::days(days),
        )
        .unwrap();
    (key, cert)
}

/// A trust store with `root` as its anchor.
pub fn trust(root: &CertificateAuthority<SoftwareKey>) -> TrustStore {
    let mut t = TrustStore::new();
    t.add(root.certificate().clone());
    t
}
