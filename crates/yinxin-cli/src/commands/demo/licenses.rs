//! Demo steps: an issuing authority, both reference licenses issued and verified, a tampered
//! copy refused.

use std::path::Path;

use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode;
use yinxin::crypto::{Algorithm, Signer as _, SoftwareKey};
use yinxin::license::{
    IssueOptions, IssuedLicense, LicenseData, LicenseIssuer, LicenseVerifier, StatusReference,
};
use yinxin::trust::{CertificateAuthority, CertificateProfile, TrustStore};
use yinxin_registry::{IssuedRecord, Registry, RegistryConfig, RegistryError, SqliteRegistry};

use super::{fail, step};
use crate::failure::Failure;

/// The reference licenses (the fixtures' data, embedded so the demo runs anywhere).
const BUSINESS: &str = include_str!("business-license.json");
const DRIVING: &str = include_str!("driving-license.json");

/// One authority per license: a root and an issuing authority named by the license's issuer.
fn authority(
    alg: Algorithm,
    data: &LicenseData,
    root: &CertificateAuthority<SoftwareKey>,
) -> Result<LicenseIssuer<SoftwareKey>, Failure> {
    let now = OffsetDateTime::now_utc();
    let key = SoftwareKey::generate(alg).map_err(fail)?;
    let party = data.meta.issuer_code.parse().map_err(fail)?;
    let cert = root
        .issue(
            key.public_key(),
            &data.meta.issuer_name,
            &party,
            CertificateProfile::Ca { path_len: Some(0) },
            now - Duration::minutes(5),
            now + Duration::days(3650),
        )
        .map_err(fail)?;
    LicenseIssuer::new(key, vec![cert]).map_err(fail)
}

/// What the license steps leave for the status steps.
pub(super) struct Story {
    pub verifier: LicenseVerifier,
    pub trust: TrustStore,
    pub registry: SqliteRegistry,
    pub licenses: Vec<(LicenseIssuer<SoftwareKey>, IssuedLicense)>,
    /// The holders' phone keys, in the order of `licenses`.
    pub holders: Vec<SoftwareKey>,
}

/// Issues one license through the registry: a random status index, recorded before it counts.
fn issue(
    registry: &mut SqliteRegistry,
    issuer: &LicenseIssuer<SoftwareKey>,
    data: &LicenseData,
    holder: &SoftwareKey,
) -> Result<IssuedLicense, Failure> {
    let mut issued = None;
    registry
        .issue_batch(1, &mut |slots| {
            let slot = slots.first().ok_or_else(|| RegistryError::Config("no slot".into()))?;
            let options = IssueOptions {
                status: Some(StatusReference { index: slot.index, uri: slot.uri.clone() }),
                qr_sets: data.qr_sets(),
                ..IssueOptions::default()
            };
            let license = issuer
                .issue(data, holder.public_key(), &options)
                .map_err(|e| RegistryError::Issue { code: e.code(), message: e.to_string() })?;
            let record = IssuedRecord {
                identifier: license.identifier.to_string(),
                holder_code: data.meta.holder_code.clone(),
                doc_type: license.doc_type.clone(),
                slot: slot.clone(),
                actor: "demo".into(),
            };
            issued = Some(license);
            Ok(vec![record])
        })
        .map_err(|e| Failure::unreadable(&e, "registry"))?;
    issued.ok_or_else(|| Failure::usage("nothing issued"))
}

pub(super) fn run(dir: &Path, first_step: u32) -> Result<(u32, Story), Failure> {
    let mut n = first_step;
    step(n, "A provincial root CA and two issuing authorities (SM2/SM3 certificates)");
    let now = OffsetDateTime::now_utc();
    let root = CertificateAuthority::new_root(
        SoftwareKey::generate(Algorithm::Sm2Sm3).map_err(fail)?,
        "四川省电子证照根CA",
        &"11510000MB0123456W".parse().map_err(fail)?,
        now - Duration::minutes(5),
        now + Duration::days(7300),
        Some(1),
    )
    .map_err(fail)?;
    std::fs::write(dir.join("root.pem"), root.certificate().to_pem())
        .map_err(|e| Failure::io(&e, "root.pem"))?;
    let mut trust = TrustStore::new();
    trust.add(root.certificate().clone());
    let verifier = LicenseVerifier::new(trust.clone());
    let mut registry = SqliteRegistry::open(
        &dir.join("registry.db"),
        &RegistryConfig::new("https://status.example.gov.cn/lists"),
    )
    .map_err(|e| Failure::unreadable(&e, "registry"))?;
    outln!("root      {}", root.certificate().subject());

    let mut issued = Vec::new();
    let mut holders = Vec::new();
    for (name, json) in [("business-license", BUSINESS), ("driving-license", DRIVING)] {
        let data = LicenseData::from_json(json.as_bytes()).map_err(fail)?;
        let issuer = authority(Algorithm::Sm2Sm3, &data, &root)?;
        outln!("issuer    {}", issuer.certificate().map_or("", |c| c.subject()));
        n += 1;
        step(
            n,
            &format!(
                "Issue the {} ({}) to its holder's phone key (P-256), recorded in the registry",
                data.meta.license_name, name
            ),
        );
        let holder = SoftwareKey::generate(Algorithm::Es256).map_err(fail)?;
        let license = issue(&mut registry, &issuer, &data, &holder)?;
        holders.push(holder);
        let path = dir.join(format!("{name}.cbor"));
        std::fs::write(&path, &license.bytes).map_err(|e| Failure::io(&e, path.display()))?;
        outln!("{}  {} bytes -> {}", license.identifier, license.bytes.len(), path.display());
        if let Ok(Some(rec)) = registry.license(&license.identifier.to_string()) {
            outln!("status list entry  {} #{}", rec.slot.uri, rec.slot.index);
        }
        issued.push((issuer, license));
    }

    n += 1;
    step(n, "Verify both at the counter: chain, signature, every digest, validity");
    for (_, license) in &issued {
        let v = verifier.verify(&license.bytes, now).map_err(fail)?;
        let holder = v.meta("holder_name").and_then(|e| e.as_text()).unwrap_or_default();
        let until = v.meta("valid_until").map_or_else(String::new, |e| e.to_json().to_string());
        outln!("VALID  {}  holder {holder}  valid_until {until}", v.doc_type());
    }

    n += 1;
    step(n, "A copy with one changed byte (the holder's name) is refused");
    if let Some((_, license)) = issued.last() {
        let mut bytes = license.bytes.clone();
        let name = "张三".as_bytes();
        if let Some(pos) = bytes.windows(name.len()).position(|w| w == name)
            && let Some(b) = bytes.get_mut(pos + 2)
        {
            *b ^= 0x01;
        }
        match verifier.verify(&bytes, now) {
            Ok(_) => outln!("UNEXPECTED: accepted"),
            Err(e) => outln!("REFUSED {}  ({e})", e.code()),
        }
        match verifier.verify(&license.bytes, now + Duration::days(365 * 6)) {
            Ok(_) => outln!("UNEXPECTED: accepted"),
            Err(e) => outln!("in 2032: REFUSED {}  ({e})", e.code()),
        }
    }
    Ok((n, Story { verifier, trust, registry, licenses: issued, holders }))
}
