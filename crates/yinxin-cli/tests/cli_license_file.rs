//! CLI contract of `yinxin license render` and `yinxin license verify L.ofd` (issue 17): a
//! license rendered as a sealed e-license file, verified with "seal" and "text_matches"; an
//! edited page fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::io::{Read as _, Write as _};
use std::path::Path;

use common::{err, json, ok, yinxin};

fn run_ok(d: &Path, line: &str) -> String {
    ok(&yinxin(d, &line.split_whitespace().collect::<Vec<_>>()))
}

#[test]
fn render_then_verify_an_e_license_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_ok(d, "authority init --dir a --alg sm2 --name 成都市市场监督管理局 --code 11510000MB0123456W");
    run_ok(d, "key generate --alg es256 --out holder.pem");
    let fixture = yinxin_test_vectors::fixture_path("business-license.json");
    run_ok(
        d,
        &format!(
            "license issue --authority a --license {} --holder-key holder.pem --out l.cbor",
            fixture.display()
        ),
    );
    // The authority's seal: its signer certificate names the authority's USCC.
    run_ok(
        d,
        "authority cert --dir a --name 成都市市场监督管理局 --code 11510000MB0123456W --out-cert signer.pem --out-key signer.key",
    );
    run_ok(
        d,
        "authority cert --dir a --name 印章制作中心 --code 11510000MB0123456W --out-cert maker.pem --out-key maker.key",
    );
    run_ok(
        d,
        "authority cert --dir a --name 另一家公司 --code 91510100MA61ABCDE3 --out-cert other.pem --out-key other.key",
    );
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbaImage::from_pixel(32, 32, image::Rgba([220, 0, 0, 255]))
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    std::fs::write(d.join("seal.png"), png.get_ref()).unwrap();
    for (who, out) in [("signer", "seal.esl"), ("other", "other.esl")] {
        run_ok(
            d,
            &format!(
                "seal make --maker-key maker.key --maker-cert maker.pem --holder-cert {who}.pem --name 电子证照专用章 \
                 --es-id 5101000001 --picture seal.png --valid-days 365 --out {out}"
            ),
        );
    }

    let text = run_ok(
        d,
        "license render --license l.cbor --seal seal.esl --key signer.key --cert signer.pem --out l.ofd",
    );
    assert!(text.starts_with("l.ofd\t") && text.contains("sealed with 电子证照专用章"), "{text}");
    // As the contract has it: --trust alone (the issuer's certificate in the credential links
    // the seal certificates it issued).
    let verify = "license verify l.ofd --trust a/root.pem --json";
    let o = yinxin(d, &verify.split(' ').collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let v = json(&o);
    assert_eq!(v["valid"], true);
    assert_eq!(v["verdict"], "VALID");
    assert_eq!(v["text_matches"], true);
    assert_eq!(v["sealed_by_issuer"], true);
    assert_eq!(v["seal"]["valid"], true);
    assert_eq!(v["seal"]["kind"], "ses_v4");
    assert_eq!(v["status"], "none");
    assert_eq!(v["elements"]["cn.gov.elicense.meta.1"]["license_number"], "510100000123456");
    // The CBOR file still verifies as before.
    let cbor = json(&yinxin(d, &["license", "verify", "l.cbor", "--trust", "a/root.pem", "--json"]));
    assert_eq!(cbor["valid"], true);
    assert!(cbor.get("text_matches").is_none());

    // The page edited and re-zipped: invalid, the text does not match.
    let bytes = std::fs::read(d.join("l.ofd")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name.ends_with("Content.xml") {
            data = String::from_utf8(data).unwrap().replace("李四", "王五").into_bytes();
        }
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&data).unwrap();
    }
    std::fs::write(d.join("edited.ofd"), out.finish().unwrap().into_inner()).unwrap();
    let o = yinxin(d, &verify.replace("l.ofd", "edited.ofd").split(' ').collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!((v["valid"].clone(), v["text_matches"].clone()), (false.into(), false.into()));
    assert_eq!(v["error"], "ofd.reference_mismatch");
    assert!(err(&o).starts_with("error[ofd.reference_mismatch]: "), "{}", err(&o));
    // In words.
    let words = yinxin(
        d,
        &verify.replace("l.ofd", "edited.ofd").replace(" --json", "").split(' ').collect::<Vec<_>>(),
    );
    let words = String::from_utf8(words.stdout).unwrap();
    assert!(words.starts_with("INVALID\t") && words.contains("text matches\tNO"), "{words}");

    // Another party's seal cannot render the authority's license.
    let o = yinxin(
        d,
        &"license render --license l.cbor --seal other.esl --key other.key --cert other.pem --out x.ofd"
            .split(' ')
            .collect::<Vec<_>>(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).starts_with("error[license_file.seal_not_issuers]: "), "{}", err(&o));
    assert!(!d.join("x.ofd").exists());
}
