//! License data (the JSON an issuing system hands over) through validation and issuance: never
//! panic; whatever is issued verifies (or is not valid yet).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use time::{Duration, OffsetDateTime};
use yinxin::crypto::{Algorithm, Signer, SoftwareKey};
use yinxin::license::{IssueOptions, LicenseData, LicenseIssuer, LicenseVerifier};
use yinxin::trust::{CertificateAuthority, CertificateProfile, TrustStore};

struct Setup {
    issuer: LicenseIssuer<SoftwareKey>,
    verifier: LicenseVerifier,
    holder: SoftwareKey,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let now = OffsetDateTime::now_utc();
        let root = CertificateAuthority::new_root(
            SoftwareKey::generate(Algorithm::Ed25519).expect("key"),
            "root",
            &"11100000000013338W".parse().expect("uscc"),
            now - Duration::days(1),
            now + Duration::days(3650),
            Some(0),
        )
        .expect("root");
        let key = SoftwareKey::generate(Algorithm::Ed25519).expect("key");
        let cert = root
            .issue(
                key.public_key(),
                "issuer",
                &"11510000MB0123456W".parse().expect("uscc"),
                CertificateProfile::EndEntity,
                now - Duration::days(1),
                now + Duration::days(3000),
            )
            .expect("cert");
        let mut trust = TrustStore::new();
        trust.add(root.certificate().clone());
        Setup {
            issuer: LicenseIssuer::new(key, vec![cert]).expect("issuer"),
            verifier: LicenseVerifier::new(trust),
            holder: SoftwareKey::generate(Algorithm::Es256).expect("holder"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(license) = LicenseData::from_json(data) else { return };
    let s = setup();
    if let Ok(issued) = s.issuer.issue(&license, s.holder.public_key(), &IssueOptions::default()) {
        // A license whose validity starts in the future is not valid yet; any other failure is a bug.
        match s.verifier.verify(&issued.bytes, OffsetDateTime::now_utc()) {
            Ok(verified) => assert_eq!(verified.holder_key(), s.holder.public_key()),
            Err(e) => assert_eq!(e, yinxin::license::LicenseError::NotYetValid),
        }
    }
});
