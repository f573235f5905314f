//! Golden tests of `yinxin authority`, `yinxin license` and `yinxin mdoc`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;
use common::{init_authority, json, ok, shared, yinxin};

#[test]
fn authority_issue_verify_for_each_algorithm() {
    for alg in ["ed25519", "es256", "sm2"] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        init_authority(d, "auth", alg, "成都市市场监督管理局", "11510000MB0123456W");
        for f in ["root.pem", "root.key.pem", "issuer.pem", "issuer.key.pem"] {
            assert!(d.join("auth").join(f).exists(), "{f}");
        }
        // Refuses to overwrite an authority.
        let o = yinxin(
            d,
            &[
                "authority",
                "init",
                "--dir",
                "auth",
                "--alg",
                alg,
                "--name",
                "x",
                "--code",
                "11510000MB0123456W",
            ],
        );
        assert_eq!(o.status.code(), Some(2));

        ok(&yinxin(d, &["key", "generate", "--alg", "es256", "--out", "holder.pem"]));
        std::fs::write(d.join("holder.pub.pem"), ok(&yinxin(d, &["key", "public", "holder.pem"]))).unwrap();
        let out = ok(&yinxin(
            d,
            &[
                "license",
                "issue",
                "--authority",
                "auth",
                "--license",
                &shared("fixtures/business-license.json"),
                "--holder-key",
                "holder.pub.pem",
                "--out",
                "license.cbor",
            ],
        ));
        assert!(
            out.starts_with(
                "1.2.156.3005.2.11100000000013338W001.11510000MB0123456W.510100202411220001.001.B\t"
            ),
            "{out}"
        );

        let o = yinxin(d, &["license", "verify", "license.cbor", "--trust", "auth/root.pem", "--json"]);
        assert_eq!(o.status.code(), Some(0), "{alg}: {}", String::from_utf8_lossy(&o.stderr));
        let v = json(&o);
        assert_eq!(v["valid"], true);
        assert!(v.get("error").is_none());
        assert_eq!(v["doc_type"], "cn.gov.elicense.11100000000013338W001");
        assert_eq!(v["elements"]["cn.gov.elicense.meta.1"]["holder_code"], "91510100MA61ABCDE3");
        assert_eq!(v["elements"]["cn.gov.elicense.meta.1"]["valid_until"], serde_json::Value::Null);
        assert_eq!(v["elements"]["cn.gov.elicense.11100000000013338W001.1"]["legal_representative"], "李四");

        // Expired (after the issuer certificate), and a tampered copy.
        let o = yinxin(
            d,
            &[
                "license",
                "verify",
                "license.cbor",
                "--trust",
                "auth/root.pem",
                "--json",
                "--at",
                "2050-01-01T00:00:00Z",
            ],
        );
        assert_eq!(o.status.code(), Some(1));
        assert_eq!(json(&o)["error"], "trust.cert_expired");
        let mut bytes = std::fs::read(d.join("license.cbor")).unwrap();
        let pos = bytes.windows("李四".len()).position(|w| w == "李四".as_bytes()).unwrap();
        bytes[pos + 2] ^= 1;
        std::fs::write(d.join("tampered.cbor"), &bytes).unwrap();
        let o = yinxin(d, &["license", "verify", "tampered.cbor", "--trust", "auth/root.pem", "--json"]);
        assert_eq!(o.status.code(), Some(1));
        assert_eq!(json(&o)["valid"], false);
        assert_eq!(json(&o)["error"], "license.digest_mismatch");
        assert!(String::from_utf8_lossy(&o.stderr).starts_with("error[license.digest_mismatch]"));

        // Unreadable input and untrusted roots.
        std::fs::write(d.join("junk.cbor"), b"not cbor").unwrap();
        let o = yinxin(d, &["license", "verify", "junk.cbor", "--trust", "auth/root.pem", "--json"]);
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(json(&o)["error"], "license.malformed");
        let o = yinxin(d, &["license", "verify", "license.cbor", "--trust", "auth/issuer.key.pem"]);
        assert_eq!(o.status.code(), Some(2));

        // An end-entity certificate under the authority.
        ok(&yinxin(
            d,
            &[
                "authority",
                "cert",
                "--dir",
                "auth",
                "--name",
                "张三",
                "--code",
                "510104199003071237",
                "--out-cert",
                "p.pem",
                "--out-key",
                "pk.pem",
            ],
        ));
        let cert = std::fs::read_to_string(d.join("p.pem")).unwrap();
        assert!(cert.starts_with("-----BEGIN CERTIFICATE-----"));
    }
}

#[test]
fn license_issue_refuses_inconsistent_data() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_authority(d, "auth", "ed25519", "某局", "11510000MB0123456W");
    ok(&yinxin(d, &["key", "generate", "--alg", "ed25519", "--out", "holder.pem"]));
    // The driving license names another issuer_code than this authority's certificate.
    let o = yinxin(
        d,
        &[
            "license",
            "issue",
            "--authority",
            "auth",
            "--license",
            &shared("fixtures/driving-license.json"),
            "--holder-key",
            "holder.pem",
            "--out",
            "l.cbor",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).starts_with("error[license.issuer_code_mismatch]"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!d.join("l.cbor").exists());
}

#[test]
fn mdoc_verify_annex_d() {
    let dir = tempfile::tempdir().unwrap();
    let o = yinxin(
        dir.path(),
        &[
            "mdoc",
            "verify",
            &shared("vectors/mdoc/issuer_signed.cbor.hex"),
            "--hex",
            "--json",
            "--at",
            "2020-10-02T00:00:00Z",
        ],
    );
    let v = json(&o);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(v["doc_type"], "org.iso.18013.5.1.mDL");
    assert_eq!(v["issuer_signature"], true);
    assert_eq!(v["digests"], true);
    assert_eq!(v["validity"]["valid_at"], true);
    assert_eq!(v["elements"]["org.iso.18013.5.1"]["family_name"], "Doe");
    // Text for people: checks as yes/NO, the validity period and whether it held then, values
    // as they read (no JSON quotes, a portrait as its size and kind, not base64).
    let o = yinxin(
        dir.path(),
        &["mdoc", "verify", &shared("vectors/mdoc/issuer_signed.cbor.hex"), "--hex", "--at", "2026-12-02"],
    );
    let text = ok(&o);
    for line in [
        "issuer_signature\tyes\n",
        "digests\tyes\n",
        "validity\t2020-10-01T13:30:02Z to 2021-10-01T13:30:02Z (NOT valid then: 2026-12-01T16:00:00Z)\n",
        "org.iso.18013.5.1\tfamily_name\tDoe\n",
        "org.iso.18013.5.1\tportrait\t1042 bytes (JPEG)\n",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }
    // The same bytes in binary form.
    let hex_text = std::fs::read_to_string(shared("vectors/mdoc/issuer_signed.cbor.hex")).unwrap();
    std::fs::write(dir.path().join("d.cbor"), hex::decode(hex_text.trim()).unwrap()).unwrap();
    let o = yinxin(dir.path(), &["mdoc", "verify", "d.cbor", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(json(&o)["validity"]["valid_at"], false, "expired today");
    // Not hex, not CBOR.
    std::fs::write(dir.path().join("x"), "zz").unwrap();
    assert_eq!(yinxin(dir.path(), &["mdoc", "verify", "x", "--hex"]).status.code(), Some(2));
    assert_eq!(yinxin(dir.path(), &["mdoc", "verify", "x"]).status.code(), Some(2));
}
