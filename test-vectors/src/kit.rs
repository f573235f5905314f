//! A test kit: the root CA and signing certificates that tests, benches and examples make, made
//! one way, and [`issued`]: an authority, a holder and a license in one call. Only for integration tests, benches and examples (they link the same `yinxin` as
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

/// What most tests, benches and examples start from, made in one call ([`issued`]): a root,
/// an issuing authority (the fixture's `issuer_code`) under it, a holder wallet with a P-256
/// key, and the fixture issued to the holder with its disclosure sets pre-signed.
pub struct Issued {
    /// The root CA.
    pub root: yinxin::trust::CertificateAuthority<SoftwareKey>,
    /// The issuing authority.
    pub authority: yinxin::Authority<SoftwareKey>,
    /// The holder's wallet, the license in it.
    pub wallet: yinxin::Wallet<SoftwareKey>,
    /// The license data (the fixture).
    pub data: yinxin::license::LicenseData,
    /// The issued license.
    pub license: yinxin::license::IssuedLicense,
}

impl Issued {
    /// The license's identifier as text.
    pub fn id(&self) -> String {
        self.license.identifier.to_string()
    }

    /// A trust store with the root as anchor.
    pub fn trust(&self) -> TrustStore {
        trust(&self.root)
    }

    /// A verifier trusting the root and knowing the issuer's certificate (for compact codes).
    pub fn verifier(&self) -> yinxin::Verifier {
        yinxin::Verifier::builder()
            .trust_anchor(self.root.certificate().clone())
            .issuer_certificate(self.authority.certificate().clone())
            .build()
            .unwrap()
    }
}

/// An authority of `alg` and a holder, and the fixture `fixture` (e.g.
/// `business-license.json`) issued to the holder with `options` (its disclosure sets added),
/// five minutes ago. The authority's certificate names the fixture's issuer_code.
pub fn issued(alg: Algorithm, fixture: &str, options: yinxin::license::IssueOptions) -> Issued {
    issued_to(alg, Algorithm::Es256, fixture, options)
}

/// [`issued`] with a holder key of `holder_alg`.
pub fn issued_to(
    alg: Algorithm,
    holder_alg: Algorithm,
    fixture: &str,
    mut options: yinxin::license::IssueOptions,
) -> Issued {
    let now = OffsetDateTime::now_utc();
    let data = yinxin::license::LicenseData::from_json(&crate::fixture(fixture)).unwrap();
    let root = root(alg, "root", now);
    let (key, cert) = signer(&root, alg, &data.meta.issuer_name, &data.meta.issuer_code, now, 365);
    let authority = yinxin::Authority::new(key, vec![cert]).unwrap();
    let wallet = yinxin::Wallet::new(SoftwareKey::generate(holder_alg).unwrap());
    options.at = options.at.or(Some(now - Duration::minutes(5)));
    if options.qr_sets.is_empty() {
        options.qr_sets = data.qr_sets();
    }
    let license = authority.issue(&data, wallet.holder_key(), &options).unwrap();
    wallet.add_license(license.bytes.clone()).unwrap();
    Issued { root, authority, wallet, data, license }
}

/// A trust list operator: its root (the anchor verifiers configure) and the key and
/// certificate it signs lists with.
pub struct Operator {
    /// The operator's root CA.
    pub root: CertificateAuthority<SoftwareKey>,
    /// The list-signing key.
    pub key: SoftwareKey,
    /// The list-signing certificate, issued by the root.
    pub cert: Certificate,
}

/// A list operator of `alg` named `name` (its certificate names `code`), valid from a day
/// before `now`.
pub fn operator(alg: Algorithm, name: &str, code: &str, now: OffsetDateTime) -> Operator {
    let root = root(alg, &format!("{name} 根CA"), now);
    let (key, cert) = signer(&root, alg, name, code, now, 365);
    Operator { root, key, cert }
}

impl Operator {
    /// Signs a list from this operator: issue `issue_id` for `region`, dated `date`, next
    /// update a day later, trusting each certificate for its document types.
    pub fn list(
        &self,
        region: &str,
        issue_id: u64,
        date: OffsetDateTime,
        entries: &[(&Certificate, &[&str])],
    ) -> Vec<u8> {
        let mut list = yinxin::trust::list::TrustList::new(
            &format!("{} 信任列表", self.cert.common_name().unwrap_or("operator")),
            issue_id,
            date,
            date + Duration::days(1),
        );
        list.region = Some(region.to_owned());
        for (cert, types) in entries {
            let doc_types =
                types.iter().map(|t| yinxin::trust::list::doc_type_of(t).unwrap()).collect::<Vec<_>>();
            list.entries.push(yinxin::trust::list::TrustListEntry::for_certificate(cert, doc_types));
        }
        list.sign(&self.key, std::slice::from_ref(&self.cert)).unwrap()
    }
}

/// A GB/T 38540 v4 seal named `seal_name`, made under `root` (its maker's certificate names
/// [`ISSUER_CODE`]) for a signer certificate naming `signer_code`, valid from `from` for
/// `days` days with a 42 mm picture; both certificates valid from a day before `now` for
/// 3,000 days. Returns the holder who signs with it.
pub fn seal_holder(
    root: &CertificateAuthority<SoftwareKey>,
    seal_name: &str,
    signer_code: &str,
    now: OffsetDateTime,
    from: OffsetDateTime,
    days: i64,
) -> yinxin::seal::SealHolder {
    use yinxin::seal::{SealHolder, SealMaker, SealPicture, SealRequest};
    let (maker_key, maker_cert) = signer(root, Algorithm::Sm2Sm3, "印章制作中心", ISSUER_CODE, now, 3000);
    let (key, cert) = signer(root, Algorithm::Sm2Sm3, "印章使用单位", signer_code, now, 3000);
    let seal = SealMaker::new(Box::new(maker_key), maker_cert)
        .unwrap()
        .make(&SealRequest {
            es_id: "510100000001".into(),
            name: seal_name.into(),
            kind: 1,
            holder_certificates: vec![cert.clone()],
            picture: SealPicture {
                kind: "PNG".into(),
                data: vec![0x89, b'P', b'N', b'G'],
                width_mm: 42,
                height_mm: 42,
            },
            created: from,
            valid_start: from,
            valid_end: from + Duration::days(days),
            vid: "yinxin".into(),
            status: None,
        })
        .unwrap();
    SealHolder::new(&seal, Box::new(key), cert).unwrap()
}
