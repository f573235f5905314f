//! CLI contract of `yinxin ofd sign` and `ofd verify --strict` (issue 17): a real producer's
//! invoice signed with a seal made by the CLI, verified with its warnings, signed again.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::io::{Read as _, Write as _};
use std::path::Path;

use common::{err, json_lines, ok, yinxin};

fn run_ok(d: &Path, line: &str) -> String {
    ok(&yinxin(d, &line.split_whitespace().collect::<Vec<_>>()))
}

/// The real tax e-invoice `1.ofd` without its signature.
fn unsigned_invoice() -> Vec<u8> {
    let bytes = yinxin_test_vectors::read_vector("ofd/1.ofd");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        if name.starts_with("Doc_0/Signs/") || name.ends_with('/') {
            continue;
        }
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == "OFD.xml" {
            data = String::from_utf8(data)
                .unwrap()
                .replace("<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>", "")
                .into_bytes();
        }
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn ofd_sign_then_verify_with_warnings_strict_and_a_second_signature() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_ok(d, "authority init --dir a --alg sm2 --name 四川省印章制作中心 --code 11510000MB0123456W");
    run_ok(
        d,
        "authority cert --dir a --name 印章制作系统 --code 11510000MB0123456W --out-cert maker.pem --out-key maker.key",
    );
    run_ok(
        d,
        "authority cert --dir a --name 国家税务总局四川省税务局 --code 11510000MB0123456W --out-cert holder.pem --out-key holder.key",
    );
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbaImage::from_pixel(32, 32, image::Rgba([220, 0, 0, 255]))
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    std::fs::write(d.join("seal.png"), png.get_ref()).unwrap();
    // Created a year ago, before the maker's certificate (made today) was valid.
    let created = time::OffsetDateTime::now_utc() - time::Duration::days(365);
    let created = created.format(&time::format_description::well_known::Rfc3339).unwrap();
    run_ok(
        d,
        &format!(
            "seal make --maker-key maker.key --maker-cert maker.pem --holder-cert holder.pem \
             --name 国家税务总局四川省税务局发票专用章 --es-id 51000020260001 --picture seal.png \
             --valid-days 3650 --at {created} --out seal.esl"
        ),
    );
    std::fs::write(d.join("invoice.ofd"), unsigned_invoice()).unwrap();

    let sign = "ofd sign invoice.ofd --seal seal.esl --key holder.key --cert holder.pem";
    let text = run_ok(d, &format!("{sign} --page 1 --x 150 --y 80 --size 40 --out signed.ofd"));
    assert!(text.starts_with("signed.ofd\t"), "{text}");
    assert!(
        text.contains(
            "signature\t/Doc_0/Signs/Sign_0/Signature.xml (page 1, 1 signature(s) in the document)"
        ),
        "{text}"
    );
    let verify = "ofd verify signed.ofd --trust a/root.pem --intermediates a/issuer.pem --json";
    let o = yinxin(d, &verify.split(' ').collect::<Vec<_>>());
    let v = &json_lines(&o)[0];
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(v["valid"], true);
    assert_eq!(v["signer_trusted"], true);
    assert_eq!(v["warnings"][0]["code"], "seal.maker_certificate_at_creation");
    assert_eq!(v["unprotected_files"], serde_json::json!([]));
    assert_eq!(v["time_stamp"], serde_json::Value::Null, "no time stamp attached");
    // TSA anchors change nothing for a signature without a time stamp.
    let tsa = yinxin(d, &format!("{verify} --tsa-trust a/root.pem").split(' ').collect::<Vec<_>>());
    assert_eq!(tsa.status.code(), Some(0), "{}", err(&tsa));
    // The same in words, and refused under --strict.
    let words = run_ok(d, "ofd verify signed.ofd --trust a/root.pem --intermediates a/issuer.pem");
    assert!(words.contains("  warning[seal.maker_certificate_at_creation]\tthe seal maker's certificate was not valid when the seal was made"), "{words}");
    let strict = yinxin(d, &format!("{verify} --strict").split(' ').collect::<Vec<_>>());
    assert_eq!(strict.status.code(), Some(1));
    assert_eq!(json_lines(&strict)[0]["error"], "seal.maker_certificate_at_creation");

    // Never over an existing file; a second signature keeps the first valid.
    let again = yinxin(d, &format!("{sign} --out signed.ofd").split(' ').collect::<Vec<_>>());
    assert_eq!(again.status.code(), Some(2));
    assert!(err(&again).starts_with("error[io.exists]: "));
    let j: serde_json::Value = serde_json::from_str(&run_ok(
        d,
        "ofd sign signed.ofd --seal seal.esl --key holder.key --cert holder.pem --x 10 --y 10 --out twice.ofd --json",
    ))
    .unwrap();
    assert_eq!(j["signature"], "/Doc_0/Signs/Sign_1/Signature.xml");
    assert_eq!(j["signatures"], 2);
    assert_eq!(j["seal_name"], "国家税务总局四川省税务局发票专用章");
    let both = yinxin(d, &verify.replace("signed.ofd", "twice.ofd").split(' ').collect::<Vec<_>>());
    assert_eq!(both.status.code(), Some(0), "{}", err(&both));
    assert_eq!(json_lines(&both).len(), 2);

    // A file added afterwards: every verdict names it.
    let mut bytes = std::fs::read(d.join("twice.ofd")).unwrap();
    {
        let mut zip = zip::ZipWriter::new_append(std::io::Cursor::new(&mut bytes)).unwrap();
        zip.start_file("Doc_0/Res/added.xml", zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(b"<x/>").unwrap();
        zip.finish().unwrap();
    }
    std::fs::write(d.join("added.ofd"), &bytes).unwrap();
    let added = yinxin(d, &verify.replace("signed.ofd", "added.ofd").split(' ').collect::<Vec<_>>());
    assert_eq!(added.status.code(), Some(1));
    for v in json_lines(&added) {
        assert_eq!(v["unprotected_files"], serde_json::json!(["/Doc_0/Res/added.xml"]));
    }

    // What cannot be signed: no such page, off the page, --x without --y, not an OFD.
    for (extra, code) in [
        ("--page 3", "error[ofd.no_page]: the document has no page 3 (it has 1)"),
        ("--x 500 --y 0", "error[ofd.stamp_position]: "),
        ("--x -5 --y 0", "error[ofd.stamp_position]: "),
        ("--size 0", "error[ofd.stamp_position]: "),
    ] {
        let o = yinxin(d, &format!("{sign} {extra} --out no.ofd").split(' ').collect::<Vec<_>>());
        assert_eq!(o.status.code(), Some(2), "{extra}");
        assert!(err(&o).starts_with(code), "{extra}: {}", err(&o));
        assert!(!d.join("no.ofd").exists());
    }
    let o = yinxin(d, &format!("{sign} --x 5 --out no.ofd").split(' ').collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--y"), "{}", err(&o));
    let o = yinxin(
        d,
        &"ofd sign seal.png --seal seal.esl --key holder.key --cert holder.pem --out no.ofd"
            .split(' ')
            .collect::<Vec<_>>(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).starts_with("error[ofd.zip]: "), "{}", err(&o));
}
