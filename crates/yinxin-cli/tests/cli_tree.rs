//! `yinxin present` of any subset (the tree form, decision 0017), `--disclose-all`, `--mdoc`,
//! and `license verify` of a license file whose tree part was altered.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;
use common::{init_authority, json, ok, yinxin};

#[test]
fn any_subset_and_all_of_it_fit_a_qr_code_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_authority(d, "auth", "sm2", "成都市市场监督管理局", "11510000MB0123456W");
    ok(&yinxin(d, &["key", "generate", "--alg", "es256", "--out", "holder.pem"]));
    let fixture = yinxin_test_vectors::fixture_path("business-license.json");
    ok(&yinxin(
        d,
        &["license", "issue", "--authority", "auth", "--license", fixture.to_str().unwrap()]
            .into_iter()
            .chain(["--holder-key", "holder.pem", "--out", "l.cbor"])
            .collect::<Vec<_>>(),
    ));
    let present = |extra: &[&str]| {
        let mut args = vec!["present", "--license", "l.cbor", "--holder-key", "holder.pem"];
        args.extend_from_slice(extra);
        let o = yinxin(d, &args);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap().trim().to_owned()
    };
    let verify = |text: &str| {
        yinxin(
            d,
            &["verify", text, "--trust", "auth/root.pem", "--issuer-cert", "auth/issuer.pem", "--json"]
                .into_iter()
                .chain(["--accept-unknown-status"])
                .collect::<Vec<_>>(),
        )
    };
    // One element no set was pre-signed for: a small code, exactly that element.
    let one = present(&["--disclose", "domicile"]);
    assert!(one.len() <= 650, "{} characters", one.len());
    let o = verify(&one);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        json(&o)["disclosed"],
        serde_json::json!({"domicile": "四川省成都市高新区天府大道中段1268号1栋5层"})
    );
    // Everything: refused as too long before, now the smallest form holding every element.
    let all = present(&["--disclose-all"]);
    assert!(all.len() <= 1300, "{} characters", all.len());
    let o = verify(&all);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(json(&o)["disclosed"].as_object().unwrap().len(), 22);
    // The mdoc form carries the certificate: the root alone verifies it; it is much larger.
    let mdoc = present(&["--disclose", "domicile", "--mdoc"]);
    assert!(mdoc.len() > 2 * one.len());
    let o = yinxin(d, &["verify", &mdoc, "--trust", "auth/root.pem", "--accept-unknown-status", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    // Without the issuer certificate the tree code says which key it names.
    let o =
        yinxin(d, &["verify", &present(&["--disclose", "domicile"]), "--trust", "auth/root.pem", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["error"], "license.issuer_key_unknown");

    // A license file whose tree part was altered is invalid, and says which part.
    let mut bytes = std::fs::read(d.join("l.cbor")).unwrap();
    let at = bytes.windows(10).position(|w| w == b"yinxinTree").unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01; // the last byte of the tree part (it is written last): a leaf key
    assert!(at < last);
    std::fs::write(d.join("bad.cbor"), &bytes).unwrap();
    let o = yinxin(d, &["license", "verify", "bad.cbor", "--trust", "auth/root.pem", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stdout));
    assert_eq!(json(&o)["error"], "license.tree_invalid", "{}", String::from_utf8_lossy(&o.stdout));
}
