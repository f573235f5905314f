//! E-license files (GB/T 36905, issue 17): a license rendered as a sealed one-page OFD with the
//! credential attached; verified as a whole; every edit, a foreign seal, a wrong credential
//! caught.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{Read as _, Write as _};

use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode;
use yinxin::crypto::{Algorithm, SoftwareKey};
use yinxin::license::{ElementValue, IssueOptions};
use yinxin::seal::SealHolder;
use yinxin::seal::ofd::elicense::{read_license_file, render_license};
use yinxin::seal::ofd::{OfdLimits, Stamp, sign_ofd};
use yinxin::trust::CertificateAuthority;
use yinxin_test_vectors::kit;

/// A seal of `code`'s party under `root`.
fn seal_holder(root: &CertificateAuthority<SoftwareKey>, code: &str) -> SealHolder {
    let now = OffsetDateTime::now_utc();
    kit::seal_holder(root, "成都市市场监督管理局电子证照专用章", code, now, now - Duration::days(1), 366)
}

fn entries(ofd: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(ofd)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect()
}

fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in files {
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn edited(ofd: &[u8], name: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
    let mut files = entries(ofd);
    let file = files.iter_mut().find(|(n, _)| n == name).unwrap();
    file.1 = edit(String::from_utf8(file.1.clone()).unwrap()).into_bytes();
    zip_of(&files)
}

#[test]
fn a_rendered_business_license_verifies_and_shows_every_field() {
    let issued = kit::issued(Algorithm::Sm2Sm3, "business-license.json", IssueOptions::default());
    let holder = seal_holder(&issued.root, &issued.data.meta.issuer_code);
    let now = OffsetDateTime::now_utc();
    let file = render_license(&issued.license.bytes, &holder, now).unwrap();
    let read = read_license_file(&file.ofd, OfdLimits::default()).unwrap();
    assert_eq!(read.credential, issued.license.bytes);
    assert_eq!(read.texts[0], "营业执照");
    for expected in [
        "证照编号：510100000123456",
        "名称：成都天府示例科技有限公司",
        "统一社会信用代码：91510100MA61ABCDE3",
        "法定代表人：李四",
        "成立日期：2019年03月15日",
        "有效期：2024年11月22日 至 长期",
        "发证机关：成都市市场监督管理局",
        "发证日期：2024年11月22日",
    ] {
        assert!(read.texts.iter().any(|t| t == expected), "{expected}: {:?}", read.texts);
    }
    let scope: String =
        read.texts.iter().skip_while(|t| !t.starts_with("经营范围")).take(3).cloned().collect();
    assert!(scope.contains("(依法须经批准的项目,经相关部门批准后方可开展经营活动)"), "{scope}");
    assert!(read.texts.last().unwrap().starts_with("电子证照标识：1.2.156.3005.2."));

    let v = issued.verifier();
    let report = v.verify_license_file(&file.ofd, now).unwrap();
    assert!(report.is_valid(), "{:?}", report.error_code());
    assert!(report.text_matches && report.sealed_by_issuer);
    assert_eq!(report.seals.len(), 1);
    assert_eq!(report.seals[0].signature, file.signature);
    assert_eq!(report.license.as_ref().unwrap().doc_type(), "cn.gov.elicense.11100000000013338W001");
}

#[test]
fn a_driving_license_shows_its_portrait() {
    // The fixture's portrait is a placeholder text; a JPEG's bytes in its place.
    let mut jpeg = vec![0xff, 0xd8, 0xff, 0xe0];
    jpeg.extend((0..200u8).map(|i| i.wrapping_mul(37)));
    let mut options = IssueOptions::default();
    options.extra_surface.insert("portrait".into(), ElementValue::Bytes(jpeg.clone()));
    let issued = kit::issued(Algorithm::Sm2Sm3, "driving-license.json", options);
    let holder = seal_holder(&issued.root, &issued.data.meta.issuer_code);
    let now = OffsetDateTime::now_utc();
    let file = render_license(&issued.license.bytes, &holder, now).unwrap();
    let read = read_license_file(&file.ofd, OfdLimits::default()).unwrap();
    let report = issued.verifier().verify_license_file(&file.ofd, now).unwrap();
    assert!(report.is_valid(), "{:?}", report.error_code());
    assert_eq!(read.texts[0], "机动车驾驶证");
    assert!(read.texts.iter().any(|t| t.starts_with("准驾车型：")), "{:?}", read.texts);
    assert_eq!(read.images, [jpeg], "the portrait is shown");
    assert!(!read.texts.iter().any(|t| t.contains("JPEG")), "and not as text: {:?}", read.texts);
    // Another picture in its place: the page no longer shows the license.
    let mut files = entries(&file.ofd);
    files.iter_mut().find(|(n, _)| n == "Doc_0/Res/image_0.jpeg").unwrap().1[10] ^= 1;
    let report = issued.verifier().verify_license_file(&zip_of(&files), now).unwrap();
    assert!(!report.text_matches && !report.is_valid());
}

#[test]
fn an_edited_page_a_foreign_seal_or_another_credential_fails() {
    let issued = kit::issued(Algorithm::Sm2Sm3, "business-license.json", IssueOptions::default());
    let holder = seal_holder(&issued.root, &issued.data.meta.issuer_code);
    let now = OffsetDateTime::now_utc();
    let file = render_license(&issued.license.bytes, &holder, now).unwrap().ofd;
    let v = issued.verifier();
    let code = |ofd: &[u8]| v.verify_license_file(ofd, now).unwrap().error_code();

    // The legal representative's name edited on the page and re-zipped: the seal's reference
    // to the page fails, and the text no longer matches.
    let page = "Doc_0/Pages/Page_0/Content.xml";
    let forged = edited(&file, page, |t| t.replace("法定代表人：李四", "法定代表人：王五"));
    let report = v.verify_license_file(&forged, now).unwrap();
    assert!(!report.is_valid() && !report.text_matches);
    assert_eq!(report.error_code().as_deref(), Some("ofd.reference_mismatch"));
    // The same edit, then sealed again by the issuer's own seal over the forgery: the seals
    // hold (the first still fails its references), the text does not.
    let resealed = sign_ofd(&forged, &holder, &Stamp::default(), now, OfdLimits::default()).unwrap().ofd;
    let report = v.verify_license_file(&resealed, now).unwrap();
    assert!(!report.text_matches && !report.is_valid());
    // An unsigned page with the right text but sealed by someone else's seal: not the issuer's.
    let unsealed: Vec<(String, Vec<u8>)> =
        entries(&file).into_iter().filter(|(n, _)| !n.starts_with("Doc_0/Signs/")).collect();
    let mut unsealed_ofd = zip_of(&unsealed);
    unsealed_ofd = edited(&unsealed_ofd, "OFD.xml", |t| {
        t.replace("<ofd:Signatures>/Doc_0/Signs/Signatures.xml</ofd:Signatures>", "")
    });
    let stranger = seal_holder(&issued.root, "91510100MA61ABCDE3");
    let foreign =
        sign_ofd(&unsealed_ofd, &stranger, &Stamp::default(), now, OfdLimits::default()).unwrap().ofd;
    let report = v.verify_license_file(&foreign, now).unwrap();
    assert!(report.text_matches && !report.sealed_by_issuer && !report.is_valid());
    assert_eq!(report.error_code().as_deref(), Some("license_file.seal_not_issuers"));
    // Not sealed at all.
    assert_eq!(code(&unsealed_ofd).as_deref(), Some("ofd.unsigned"));
    // The credential replaced by another license's (valid, same issuer): the page does not
    // show it, and the seal's reference to the attachment fails.
    let other = kit::issued(Algorithm::Sm2Sm3, "driving-license.json", IssueOptions::default());
    let mut files = entries(&file);
    files.iter_mut().find(|(n, _)| n == "Doc_0/Attachs/license.cbor").unwrap().1 =
        other.license.bytes.clone();
    let report = v.verify_license_file(&zip_of(&files), now).unwrap();
    assert!(!report.is_valid());
    // The attachment removed: not an e-license file.
    let mut files = entries(&file);
    files.retain(|(n, _)| n != "Doc_0/Attachs/license.cbor");
    assert_eq!(v.verify_license_file(&zip_of(&files), now).unwrap_err().code(), "ofd.missing_file");
    // A license the verifier does not trust.
    let stranger_v = other.verifier();
    assert_eq!(
        stranger_v.verify_license_file(&file, now).unwrap().error_code().as_deref(),
        Some("trust.untrusted_root")
    );
}

#[test]
fn only_the_issuers_seal_renders_its_licenses() {
    let issued = kit::issued(Algorithm::Sm2Sm3, "business-license.json", IssueOptions::default());
    let stranger = seal_holder(&issued.root, "91510100MA61ABCDE3");
    let err = render_license(&issued.license.bytes, &stranger, OffsetDateTime::now_utc()).unwrap_err();
    assert_eq!(err.code(), "license_file.seal_not_issuers");
    // A signed element changed (李四 → 李五): its digest fails.
    let mut broken = issued.license.bytes.clone();
    let name = "李四".as_bytes();
    let at = broken.windows(name.len()).position(|w| w == name).unwrap();
    broken[at + name.len() - 1] ^= 1;
    let err =
        render_license(&broken, &seal_holder(&issued.root, kit::ISSUER_CODE), OffsetDateTime::now_utc())
            .unwrap_err();
    assert_eq!(err.code(), "license_file.credential_invalid");
}
