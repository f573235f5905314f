//! Golden tests of the `yinxin` command: stdout, stderr and exit codes of the CLI contract.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

fn yinxin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yinxin")).args(args).output().unwrap()
}

fn yinxin_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yinxin"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn id_check_json_contract() {
    let o = yinxin(&[
        "id",
        "check",
        "--json",
        "91350100M000100Y43",
        "11010519491231002X",
        "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> =
        stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0], serde_json::json!({"value": "91350100M000100Y43", "kind": "uscc", "valid": true}));
    assert_eq!(
        lines[1],
        serde_json::json!({"value": "11010519491231002X", "kind": "resident_id", "valid": true})
    );
    assert_eq!(lines[2]["kind"], "license_id");
    assert_eq!(lines[2]["valid"], true);

    let o = yinxin(&["id", "check", "--json", "91350100M000100Y43", "91350100M000100Y44", "nonsense"]);
    assert_eq!(o.status.code(), Some(1));
    let lines: Vec<serde_json::Value> =
        stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["valid"], true);
    assert!(lines[0].get("error").is_none());
    assert_eq!(lines[1]["kind"], "uscc");
    assert_eq!(lines[1]["valid"], false);
    assert_eq!(lines[1]["error"], "id.uscc.check");
    assert_eq!(lines[2]["kind"], "unknown");
    assert_eq!(lines[2]["error"], "id.unknown_kind");
}

#[test]
fn id_check_text_lines() {
    let o = yinxin(&["id", "check", "11010519491231002X", "110101199001011234"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "11010519491231002X\tresident_id\tvalid");
    assert!(
        lines[1].starts_with("110101199001011234\tresident_id\tinvalid\tid.resident_id.check\t"),
        "{out}"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(yinxin(&["id", "check"]).status.code(), Some(2));
    assert_eq!(yinxin(&["id", "check", "--bogus", "x"]).status.code(), Some(2));
    assert_eq!(yinxin(&["nope"]).status.code(), Some(2));
    assert_eq!(yinxin(&["key", "generate", "--alg", "rsa", "--out", "x"]).status.code(), Some(2));
    assert_eq!(yinxin(&["--help"]).status.code(), Some(0));
}

#[test]
fn new_license_id() {
    let o = yinxin(&[
        "id",
        "new-license-id",
        "--type-code",
        "11100000000013338W032",
        "--issuer",
        "11220000013544541J",
        "--serial",
        "2430599",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F\n");
    let o = yinxin(&[
        "id",
        "new-license-id",
        "--type-code",
        "11100000000013338W032",
        "--issuer",
        "11220000013544541K",
        "--serial",
        "2430599",
        "--version",
        "002",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("error[id.uscc.check]: "), "{}", stderr(&o));
}

#[test]
fn digest_known_answers() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("abc");
    std::fs::write(&f, b"abc").unwrap();
    let o = yinxin(&["digest", "--alg", "sm3", f.to_str().unwrap()]);
    assert_eq!(stdout(&o), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0\n");
    let o = yinxin(&["digest", "--alg", "sha256", f.to_str().unwrap()]);
    assert_eq!(stdout(&o), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
    let o = yinxin_stdin(&["digest", "--alg", "sm3", "-"], b"abc");
    assert_eq!(stdout(&o), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0\n");
    let o = yinxin(&["digest", "--alg", "sm3", "/nonexistent/file"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("error[io.error]: "));
}

#[test]
fn key_generate_public_sign_verify() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    std::fs::write(p("doc"), "营业执照").unwrap();
    for alg in ["ed25519", "es256", "sm2"] {
        let key = p(&format!("{alg}.pem"));
        let o = yinxin(&["key", "generate", "--alg", alg, "--out", &key]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let pem = std::fs::read_to_string(&key).unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
        }
        // Refuses to overwrite.
        assert_eq!(yinxin(&["key", "generate", "--alg", alg, "--out", &key]).status.code(), Some(2));

        let o = yinxin(&["key", "public", &key]);
        assert_eq!(o.status.code(), Some(0));
        assert!(stdout(&o).starts_with("-----BEGIN PUBLIC KEY-----\n"));
        let public = p(&format!("{alg}.pub.pem"));
        std::fs::write(&public, stdout(&o)).unwrap();

        for format in ["der", "raw"] {
            let sig = p(&format!("{alg}.{format}.sig"));
            let o = yinxin(&["key", "sign", "--key", &key, "--format", format, "--out", &sig, &p("doc")]);
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            let o =
                yinxin(&["key", "verify", "--pub", &public, "--sig", &sig, "--format", format, &p("doc")]);
            assert_eq!(o.status.code(), Some(0), "{alg} {format}: {}", stderr(&o));
            assert!(stdout(&o).starts_with("valid\t"));

            std::fs::write(p("doc2"), "营业执照.").unwrap();
            let o =
                yinxin(&["key", "verify", "--pub", &public, "--sig", &sig, "--format", format, &p("doc2")]);
            assert_eq!(o.status.code(), Some(1), "{alg} {format}");
            assert_eq!(stdout(&o), "invalid\tcrypto.signature_invalid\n");
            assert!(stderr(&o).starts_with("error[crypto.signature_invalid]: "));
        }
        let o = yinxin(&["key", "sign", "--key", &key, &p("doc")]);
        let hex_sig = stdout(&o);
        let o = yinxin(&["key", "verify", "--pub", &public, "--sig-hex", hex_sig.trim(), &p("doc")]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    // A public key where a private key belongs.
    let o = yinxin(&["key", "public", &p("sm2.pub.pem")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("error[crypto.key_pem_label]: "), "{}", stderr(&o));
    // Garbage key.
    std::fs::write(p("junk"), b"\x30\x82\xff").unwrap();
    let o = yinxin(&["key", "public", &p("junk")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("error[crypto.key_malformed]: "));
}

#[test]
fn demo_runs_the_story() {
    let o = yinxin(&["demo"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.lines()
            .next()
            .unwrap()
            .ends_with(", deleted at the end; `yinxin demo --dir DIR` keeps the files)")
    );
    for needle in [
        "1.2.156.3005.2.11100000000013338W001.11510000MB0123456W.510100202411220001.001.B",
        "invalid: id.license_id.check",
        "sm2      original           valid",
        "sm2      message changed    REFUSED crypto.signature_invalid",
        "es256    signature changed  REFUSED crypto.signature_invalid",
        "VALID  cn.gov.elicense.11100000000013338W001  holder 成都天府示例科技有限公司  valid_until null",
        "VALID  cn.gov.elicense.11510000MB1C2D3E45005  holder 张三  valid_until \"2031-06-01\"",
        "REFUSED license.digest_mismatch",
        "in 2032: REFUSED license.expired",
        "after revoke/suspend   510100202411220001  REFUSED license.revoked",
        "after revoke/suspend   5101002025000077  REFUSED license.suspended",
        "reinstating a revoked license: REFUSED registry.transition",
        "after reinstate        5101002025000077  VALID",
        "scan 1: VALID",
        "scan 2 (same code): REFUSED present.replayed",
        "only the vehicle class: ",
        "VALID (1 shown)",
        "every element: ",
        "a code made 6 minutes ago: REFUSED present.expired",
        "a wrong PIN: REFUSED wallet.pin_wrong",
        "the wallet shows: 成都市车管所第一窗口 asks for holder_name, vehicle_class to 办理驾驶证换证",
        "another counter scans it: REFUSED present.request_bound",
        "the counter that asked: VALID, request bound: true",
        "consent log: ",
        "seal v4 esID 91510100MA61ABCDE30001  \"成都天府示例科技有限公司合同专用章\"",
        "VALID  sealed by 成都天府示例科技有限公司",
        "maker trusted: true",
        "REFUSED seal.data_hash_mismatch",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
}
