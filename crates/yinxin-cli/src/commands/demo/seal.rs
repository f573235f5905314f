//! Demo steps: a seal-making authority makes the company's seal; the company seals a contract;
//! the verifier checks it, and a changed contract fails.

use std::path::Path;

use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode;
use yinxin::crypto::{Algorithm, Signer as _, SoftwareKey};
use yinxin::seal::{Seal, SealHolder, SealMaker, SealPicture, SealRequest, SealVerifier};
use yinxin::trust::{CertificateAuthority, CertificateProfile, TrustStore};

use super::{ENTITY, ISSUER, fail, step};
use crate::commands::qr_image::{Format, render};
use crate::failure::Failure;

const SEAL_NAME: &str = "成都天府示例科技有限公司合同专用章";

pub(super) fn run(dir: &Path, first_step: u32) -> Result<u32, Failure> {
    let mut n = first_step;
    step(n, "A seal-making authority makes the company's contract seal (GB/T 38540 v4, SM2/SM3)");
    let now = OffsetDateTime::now_utc();
    let sm2 = || SoftwareKey::generate(Algorithm::Sm2Sm3).map_err(fail);
    let root = CertificateAuthority::new_root(
        sm2()?,
        "四川省电子印章根CA",
        &"11100000000013338W".parse().map_err(fail)?,
        now - Duration::days(1),
        now + Duration::days(3650),
        Some(0),
    )
    .map_err(fail)?;
    let cert = |key: &SoftwareKey, name: &str, code: &str| -> Result<_, Failure> {
        root.issue(
            key.public_key(),
            name,
            &code.parse().map_err(fail)?,
            CertificateProfile::EndEntity,
            now - Duration::days(1),
            now + Duration::days(730),
        )
        .map_err(fail)
    };
    let maker_key = sm2()?;
    let maker_cert = cert(&maker_key, "四川省印章制作中心", ISSUER)?;
    let company_key = sm2()?;
    let company_cert = cert(&company_key, "成都天府示例科技有限公司", ENTITY)?;
    let maker = SealMaker::new(Box::new(maker_key), maker_cert).map_err(fail)?;
    let seal_der = maker
        .make(&SealRequest {
            es_id: format!("{ENTITY}0001"),
            name: SEAL_NAME.into(),
            kind: 1,
            holder_certificates: vec![company_cert.clone()],
            // A real seal carries the stamp's image; the demo draws its name as a QR code.
            picture: SealPicture {
                kind: "PNG".into(),
                data: render(SEAL_NAME, Format::Png)?,
                width_mm: 40,
                height_mm: 40,
            },
            created: now,
            valid_start: now,
            valid_end: now + Duration::days(365),
            vid: "yinxin".into(),
            status: None,
        })
        .map_err(fail)?;
    let seal = Seal::from_der(&seal_der).map_err(fail)?;
    outln!(
        "seal v{} esID {}  \"{}\"  valid until {}  {} bytes",
        seal.version().number(),
        seal.es_id(),
        seal.name(),
        seal.valid_end().date(),
        seal_der.len()
    );

    n += 1;
    step(n, "The company seals a contract; the verifier checks signature, seal, maker, list, validity");
    let contract = "甲方：成都天府示例科技有限公司\n乙方：某某信息技术有限公司\n第一条 ……\n".repeat(20);
    let holder = SealHolder::new(&seal_der, Box::new(company_key), company_cert).map_err(fail)?;
    let signed = holder.sign(contract.as_bytes(), now, "contract.txt").map_err(fail)?;
    for (name, bytes) in [("seal.esl", &seal_der), ("SignedValue.dat", &signed)] {
        std::fs::write(dir.join(name), bytes).map_err(|e| Failure::io(&e, name))?;
    }
    std::fs::write(dir.join("contract.txt"), &contract).map_err(|e| Failure::io(&e, "contract.txt"))?;
    let mut trust = TrustStore::new();
    trust.add(root.certificate().clone());
    let verifier = SealVerifier::new(trust);
    match verifier.verify_signature(&signed, contract.as_bytes(), now) {
        Ok(v) => outln!(
            "VALID  sealed by {}  with \"{}\"  maker trusted: {}",
            v.signer().common_name().unwrap_or("?"),
            v.seal().seal().name(),
            v.seal().maker_trusted()
        ),
        Err(e) => outln!("UNEXPECTED: REFUSED {}", e.code()),
    }

    n += 1;
    step(n, "One character of the contract changes: the seal no longer matches");
    let changed = contract.replacen("第一条", "第二条", 1);
    match verifier.verify_signature(&signed, changed.as_bytes(), now) {
        Ok(_) => outln!("UNEXPECTED: accepted"),
        Err(e) => outln!("REFUSED {}  ({e})", e.code()),
    }
    Ok(n)
}
