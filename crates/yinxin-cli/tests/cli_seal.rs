//! CLI contract of `yinxin seal` and `yinxin ofd verify`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;
use common::{json_lines, ok, yinxin};

use std::path::Path;
use std::process::Output;

fn vector(name: &str) -> String {
    yinxin_test_vectors::vector_path(name).display().to_string()
}

#[test]
fn ofd_verify_reports_each_signature_with_the_contract_fields() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = yinxin(d, &["ofd", "verify", &vector("ofd/1.ofd"), "--json"]);
    assert_eq!(good.status.code(), Some(0));
    let v = &json_lines(&good)[0];
    for key in [
        "signature",
        "kind",
        "es_id",
        "seal_name",
        "references",
        "data_hash",
        "signature_valid",
        "seal_valid",
        "valid",
    ] {
        assert!(v.get(key).is_some(), "{key} missing: {v}");
    }
    assert_eq!(v["kind"], "ses_v4");
    assert_eq!(v["signature"], "/Doc_0/Signs/Sign_0/Signature.xml");
    assert_eq!(v["valid"], true);
    assert!(v.get("error").is_none());
    let v1 = yinxin(d, &["ofd", "verify", &vector("ofd/n.ofd"), "--json"]);
    assert_eq!(v1.status.code(), Some(1));
    let v = &json_lines(&v1)[0];
    assert_eq!((v["kind"].as_str(), v["valid"].as_bool()), (Some("ses_v1"), Some(false)));
    assert_eq!(v["error"], "ofd.reference_mismatch");
    let raw = yinxin(d, &["ofd", "verify", &vector("ofd/DigitalSign.ofd"), "--json"]);
    assert_eq!(raw.status.code(), Some(1));
    assert_eq!(json_lines(&raw)[0]["kind"], "raw_sm2");
    let pkcs7 = yinxin(d, &["ofd", "verify", &vector("ofd/hello-integrity.ofd"), "--json"]);
    let v = &json_lines(&pkcs7)[0];
    assert_eq!(v["kind"], "pkcs7_sm2");
    assert_eq!(pkcs7.status.code(), Some(0));
    // No seal in a SignedData: seal_valid is null, never false beside a valid verdict; the
    // signer was not checked against an anchor, and the verdict says so.
    assert_eq!((v["valid"].as_bool(), v["verdict"].as_str()), (Some(true), Some("VALID")));
    assert!(v["seal_valid"].is_null() && v["signer_trusted"].is_null(), "{v}");
    assert_eq!(v["not_checked"], serde_json::json!(["signer_trusted"]));
    let text = ok(&yinxin(d, &["ofd", "verify", &vector("ofd/hello-integrity.ofd")]));
    assert!(text.starts_with("VALID\t/OFDEntries.xml\tpkcs7_sm2\n"), "{text}");
    assert!(text.contains("  seal_valid\t-\n") && text.contains("  signer_trusted\tnot checked\n"), "{text}");
    assert!(text.contains("not checked\tsigner_trusted: no --trust given"), "{text}");
    // With anchors that did not issue the signer: checked, untrusted, invalid, said on stderr.
    run_ok(d, "authority init --dir other --alg sm2 --name 其他 --code 11510000MB0123456W");
    let o = yinxin(
        d,
        &["ofd", "verify", &vector("ofd/hello-integrity.ofd"), "--trust", "other/root.pem", "--json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let v = &json_lines(&o)[0];
    assert_eq!(
        (v["signer_trusted"].as_bool(), v["error"].as_str()),
        (Some(false), Some("ofd.signer_untrusted"))
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("error[ofd.signer_untrusted]: /OFDEntries.xml: "));
    // One vocabulary: an invalid verdict is INVALID in text and names its error on stderr.
    let o = yinxin(d, &["ofd", "verify", &vector("ofd/n.ofd")]);
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("INVALID\t"));
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error[ofd.reference_mismatch]: "));
    std::fs::write(d.join("junk.ofd"), b"not a zip").unwrap();
    let junk = yinxin(d, &["ofd", "verify", "junk.ofd", "--json"]);
    assert_eq!(junk.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&junk.stderr).starts_with("error[ofd.zip]"));
}

#[test]
fn seal_inspect_prints_the_contract_fields_and_extracts_the_picture() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = yinxin(d, &["seal", "inspect", &vector("ses/UserV1.esl"), "--json", "--picture-out", "p.png"]);
    let v: serde_json::Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["vid"], "OFDR&WTest");
    assert_eq!(v["es_id"], "40C8CDD24DEF43388B86E62CCE1D6832");
    assert_eq!(v["name"], "OFDRW测试用印章");
    assert_eq!(v["type"], 1);
    assert_eq!(v["picture"]["type"], "PNG");
    assert_eq!((v["picture"]["width_mm"].as_i64(), v["picture"]["height_mm"].as_i64()), (Some(40), Some(40)));
    assert_eq!(v["maker_signature"], true);
    assert!(v["valid_start"].as_str().unwrap().starts_with("2020-04-22"));
    assert!(std::fs::read(d.join("p.png")).unwrap().starts_with(b"\x89PNG"));
    let sig = yinxin(d, &["seal", "inspect", &vector("ses/SignedValueV4.dat"), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&ok(&sig)).unwrap();
    assert_eq!(v["version"], 4);
    assert_eq!(v["signature"]["signature_valid"], true);
    let bad = yinxin(d, &["seal", "inspect", &vector("ses/sign_cert.pem")]);
    assert_eq!(bad.status.code(), Some(2));
}

/// `yinxin seal verify sv.dat --data DATA` with the authority's anchors and `extra` options.
fn seal_verify(d: &Path, data: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "seal",
        "verify",
        "sv.dat",
        "--data",
        data,
        "--trust",
        "a/root.pem",
        "--intermediates",
        "a/issuer.pem",
    ];
    args.extend_from_slice(extra);
    args.push("--json");
    yinxin(d, &args)
}

/// Runs a command line given as one string (arguments without spaces).
fn run_ok(d: &Path, line: &str) -> String {
    ok(&yinxin(d, &line.split(' ').collect::<Vec<_>>()))
}

#[test]
fn make_sign_verify_revoke_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_ok(d, "authority init --dir a --alg sm2 --name 四川省印章制作中心 --code 11510000MB0123456W");
    run_ok(
        d,
        "authority cert --dir a --name 印章制作系统 --code 11510000MB0123456W --out-cert maker.pem --out-key maker.key",
    );
    run_ok(
        d,
        "authority cert --dir a --name 成都天府示例科技有限公司 --code 91510100MA61ABCDE3 --out-cert holder.pem --out-key holder.key",
    );
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbaImage::from_pixel(32, 32, image::Rgba([220, 0, 0, 255]))
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    std::fs::write(d.join("seal.png"), png.get_ref()).unwrap();
    std::fs::write(d.join("broken.png"), b"\x89PNG\r\n\x1a\n picture").unwrap();
    std::fs::write(d.join("contract.txt"), "甲方与乙方签订本合同。".repeat(100)).unwrap();
    // Only real pictures: a text file or a PNG that does not decode is refused, whatever its name.
    let make = "seal make --maker-key maker.key --maker-cert maker.pem --holder-cert holder.pem \
         --name 成都天府示例科技有限公司合同专用章 --es-id 91510100MA61ABCDE30001 --valid-days 365";
    for (picture, why) in [("contract.txt", "holds text"), ("broken.png", "does not decode")] {
        let args = format!("{make} --picture {picture} --out refused.esl");
        let o = yinxin(d, &args.split_whitespace().collect::<Vec<_>>());
        assert_eq!(o.status.code(), Some(2));
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.starts_with("error[seal.picture_invalid]: ") && e.contains(why), "{e}");
        assert!(!d.join("refused.esl").exists());
    }
    // The help names the seal maker's key and the revoke command as it runs.
    let help = ok(&yinxin(d, &["seal", "make", "--help"]));
    assert!(help.contains("yinxin license revoke --registry DB --id ESID --reason TEXT"), "{help}");
    assert!(help.contains("The seal maker's SM2 private key"), "{help}");
    let made = run_ok(
        d,
        "seal make --maker-key maker.key --maker-cert maker.pem --holder-cert holder.pem \
         --name 成都天府示例科技有限公司合同专用章 --es-id 91510100MA61ABCDE30001 --picture seal.png \
         --valid-days 365 --registry reg.db --out seal.esl",
    );
    assert!(made.contains("status"), "{made}");
    let seal = std::fs::read(d.join("seal.esl")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&run_ok(d, "seal inspect seal.esl --json")).unwrap();
    assert_eq!(v["picture"]["type"], "PNG");
    // Never over an existing file without --force.
    let again = yinxin(
        d,
        &format!("{make} --picture seal.png --out seal.esl").split_whitespace().collect::<Vec<_>>(),
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).starts_with("error[io.exists]: "));
    assert_eq!(std::fs::read(d.join("seal.esl")).unwrap(), seal, "untouched");
    // The maker's key with the holder's certificate: a signing code that says what is wrong.
    let wrong_key = yinxin(
        d,
        &"seal sign --seal seal.esl --key maker.key --cert holder.pem --data contract.txt --out x.dat"
            .split(' ')
            .collect::<Vec<_>>(),
    );
    let e = String::from_utf8_lossy(&wrong_key.stderr);
    assert!(
        e.starts_with("error[seal.key_mismatch]: the signer certificate is not for the signer key"),
        "{e}"
    );
    run_ok(
        d,
        "seal sign --seal seal.esl --key holder.key --cert holder.pem --data contract.txt --out sv.dat",
    );
    // The seal carries a status reference: without a list its status is unknown.
    let unknown = seal_verify(d, "contract.txt", &[]);
    assert_eq!(unknown.status.code(), Some(1));
    assert_eq!(json_lines(&unknown)[0]["error"], "seal.status_unknown");
    run_ok(d, "status publish --registry reg.db --authority a --out lists");
    let list =
        std::fs::read_dir(d.join("lists")).unwrap().next().unwrap().unwrap().path().display().to_string();
    let good = seal_verify(d, "contract.txt", &["--status-list", &list]);
    let v = &json_lines(&good)[0];
    assert_eq!(good.status.code(), Some(0), "{v}");
    assert_eq!((v["valid"].as_bool(), v["maker_trusted"].as_bool()), (Some(true), Some(true)));
    assert_eq!(v["seal_name"], "成都天府示例科技有限公司合同专用章");
    // No trust anchors: still verified, and the report says the maker was not checked.
    let untrusted = yinxin(
        d,
        &["seal", "verify", "sv.dat", "--data", "contract.txt", "--accept-unknown-status", "--json"],
    );
    assert_eq!(untrusted.status.code(), Some(0));
    let v = &json_lines(&untrusted)[0];
    assert!(v["maker_trusted"].is_null());
    assert_eq!(v["not_checked"], serde_json::json!(["maker_trusted"]));
    let text = run_ok(d, "seal verify sv.dat --data contract.txt --accept-unknown-status");
    assert!(text.starts_with("VALID\t") && text.contains("maker_trusted\tnot checked\n"), "{text}");
    assert!(text.contains("not checked\tmaker_trusted: no --trust given"), "{text}");
    // Without the intermediate the maker does not chain to the root.
    let no_chain =
        yinxin(d, &["seal", "verify", "sv.dat", "--data", "contract.txt", "--trust", "a/root.pem", "--json"]);
    assert_eq!(json_lines(&no_chain)[0]["error"], "seal.maker_untrusted");
    assert!(String::from_utf8_lossy(&no_chain.stderr).contains("add --intermediates"));
    // A changed document.
    std::fs::write(d.join("changed.txt"), "甲方与乙方签订本合同。".repeat(99)).unwrap();
    let changed = seal_verify(d, "changed.txt", &["--status-list", &list]);
    assert_eq!(changed.status.code(), Some(1));
    assert_eq!(json_lines(&changed)[0]["error"], "seal.data_hash_mismatch");
    // Revoked through the registry like a license.
    run_ok(d, "license revoke --registry reg.db --id 91510100MA61ABCDE30001 --reason lost");
    std::fs::remove_dir_all(d.join("lists")).unwrap();
    run_ok(d, "status publish --registry reg.db --authority a --out lists");
    let revoked = seal_verify(d, "contract.txt", &["--status-list", &list]);
    assert_eq!(revoked.status.code(), Some(1));
    assert_eq!(json_lines(&revoked)[0]["error"], "seal.revoked");
    // Someone not in the seal's list cannot sign.
    let stranger = yinxin(
        d,
        &"seal sign --seal seal.esl --key maker.key --cert maker.pem --data contract.txt --out x.dat"
            .split(' ')
            .collect::<Vec<_>>(),
    );
    assert_eq!(stranger.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&stranger.stderr).starts_with("error[seal.signer_not_in_seal]"));
}
