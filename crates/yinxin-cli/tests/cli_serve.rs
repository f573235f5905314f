//! `yinxin serve` and verifying from trust lists, as scripts use them: the bound address on
//! the first line, status lists published under an http://127.0.0.1 base and fetched by the
//! URIs in the licenses, both regions' lists, the cache when the server is gone, and a clean
//! stop on SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::{err, init_authority, json, ok, out, yinxin};

const BUSINESS: &str = "11100000000013338W001";

struct Serve {
    child: Option<Child>,
    addr: String,
}

/// A test that fails midway must not leave the server running.
impl Drop for Serve {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn serve(d: &Path, dir: &str) -> Serve {
    serve_with(d, &["--dir", dir])
}

/// `yinxin serve --addr 127.0.0.1:0` with `args`, once it printed its address.
fn serve_with(d: &Path, args: &[&str]) -> Serve {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yinxin"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .current_dir(d)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().to_owned();
    assert!(addr.starts_with("127.0.0.1:") && addr.len() > 10, "first line: {line:?}");
    Serve { child: Some(child), addr }
}

impl Serve {
    /// SIGTERM, then the exit status and what it said on stderr.
    fn stop(mut self) -> (Option<i32>, String) {
        let child = self.child.take().unwrap();
        let pid = child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let o = child.wait_with_output().unwrap();
        (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
    }
}

/// An authority with a registry whose lists are published under the server, one license
/// issued to `holder.pem`, its lists published into `pub/<name>/lists`.
fn authority(d: &Path, addr: &str, name: &str, code: &str) {
    init_authority(d, name, "es256", name, code);
    std::fs::write(d.join(format!("{name}.json")), yinxin_test_vectors::business_license_for(code)).unwrap();
    ok(&yinxin(
        d,
        &[
            "license",
            "issue",
            "--authority",
            name,
            "--license",
            &format!("{name}.json"),
            "--holder-key",
            "holder.pem",
            "--out",
            &format!("{name}.cbor"),
            "--registry",
            &format!("{name}.db"),
            "--status-uri-base",
            &format!("http://{addr}/{name}/lists"),
        ],
    ));
    publish(d, name);
}

fn publish(d: &Path, name: &str) {
    ok(&yinxin(
        d,
        &[
            "status",
            "publish",
            "--registry",
            &format!("{name}.db"),
            "--authority",
            name,
            "--out",
            &format!("pub/{name}/lists"),
        ],
    ));
}

fn trust_list(d: &Path, op: &str, region: &str, issue: &str, entry: &str) {
    ok(&yinxin(
        d,
        &[
            "trust-list",
            "make",
            "--signer-key",
            &format!("{op}/issuer.key.pem"),
            "--signer-cert",
            &format!("{op}/issuer.pem"),
            "--provider",
            op,
            "--region",
            region,
            "--issue-id",
            issue,
            "--next-update-days",
            "7",
            "--entry",
            entry,
            "--out",
            &format!("pub/trust/{op}.cbor"),
        ],
    ));
}

fn verify(d: &Path, addr: &str, license: &str, extra: &[&str]) -> std::process::Output {
    let sc = format!("http://{addr}/trust/op-sc.cbor");
    let cq = format!("http://{addr}/trust/op-cq");
    let mut args = vec![
        "license",
        "verify",
        license,
        "--trust-list",
        &sc,
        "--trust-list",
        &cq,
        "--list-anchor",
        "op-sc/root.pem",
        "--list-anchor",
        "op-cq/root.pem",
        "--json",
    ];
    args.extend_from_slice(extra);
    yinxin(d, &args)
}

#[test]
fn verify_licenses_of_both_regions_from_served_lists_then_offline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("pub/trust")).unwrap();
    let server = serve(d, "pub");
    let addr = server.addr.clone();
    ok(&yinxin(d, &["key", "generate", "--alg", "es256", "--out", "holder.pem"]));
    let cq_code = yinxin_test_vectors::uscc_with_check("11500000MB1600001");
    authority(d, &addr, "sc", "11510000MB0123456W");
    authority(d, &addr, "cq", &cq_code);
    init_authority(d, "op-sc", "sm2", "四川省大数据中心", "11510000MB1C2D3E45");
    init_authority(
        d,
        "op-cq",
        "ed25519",
        "重庆市大数据应用发展管理局",
        &yinxin_test_vectors::uscc_with_check("11500000MB1700001"),
    );
    trust_list(d, "op-sc", "510000", "1", &format!("sc/root.pem:{BUSINESS}"));
    trust_list(d, "op-cq", "500000", "1", &format!("cq/root.pem:{BUSINESS}"));

    // Both regions' licenses verify at one counter, their status fetched from the server.
    for name in ["sc", "cq"] {
        let o = verify(d, &addr, &format!("{name}.cbor"), &["--cache", "cache"]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}{}", out(&o), err(&o));
        assert_eq!(json(&o)["status"], "valid");
        let region = if name == "sc" { "510000" } else { "500000" };
        assert_eq!(json(&o)["trust_list"]["region"], region, "trusted through its region's list");
    }
    // Revoked in Sichuan and published: the next verification sees it.
    let id = yinxin_test_vectors::license_identifier(BUSINESS, "11510000MB0123456W", "510100202411220001");
    ok(&yinxin(d, &["license", "revoke", "--registry", "sc.db", "--id", &id, "--reason", "吊销"]));
    publish(d, "sc");
    let o = verify(d, &addr, "sc.cbor", &["--cache", "cache"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert_eq!(json(&o)["error"], "license.revoked");
    // Listed only for another type: refused with its own code.
    trust_list(d, "op-cq", "500000", "2", "cq/root.pem:11100000000013338W002");
    let o = verify(d, &addr, "cq.cbor", &["--cache", "cache"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["error"], "license.type_not_allowed");
    trust_list(d, "op-cq", "500000", "3", &format!("cq/root.pem:{BUSINESS}"));

    // A QR code at the counter, trusted the same way.
    // (Elements of no pre-signed set: the code carries the issuer's certificate.)
    let qr = ok(&yinxin(
        d,
        &[
            "present",
            "--license",
            "cq.cbor",
            "--holder-key",
            "holder.pem",
            "--disclose",
            "holder_name,legal_representative",
        ],
    ));
    let o = yinxin(
        d,
        &[
            "verify",
            qr.trim(),
            "--trust-list",
            &format!("http://{addr}/trust/op-cq"),
            "--list-anchor",
            "op-cq/root.pem",
            "--cache",
            "cache",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));

    // SIGTERM: a clean stop.
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("stopped"), "{stderr}");

    // Offline: from the cache, with a warning; the revocation stays.
    let o = verify(d, &addr, "cq.cbor", &["--cache", "cache"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    assert!(err(&o).contains("warning[fetch.network]"), "{}", err(&o));
    let o = verify(d, &addr, "sc.cbor", &["--cache", "cache"]);
    assert_eq!(json(&o)["error"], "license.revoked");
    // Offline without a cache: nothing to trust, said plainly.
    let o = verify(d, &addr, "cq.cbor", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).starts_with("error[fetch.network]"), "{}", err(&o));
}

/// POST `body` to `/v1/verify` as `content_type`: the status and the JSON answer.
fn post_verify(addr: &str, content_type: &str, body: &[u8]) -> (u16, serde_json::Value) {
    use std::io::{Read as _, Write as _};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST /v1/verify HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    let _ = s.write_all(body);
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).unwrap();
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let status = String::from_utf8_lossy(&answer[9..12]).parse().unwrap();
    (status, serde_json::from_slice(&answer[split..]).unwrap())
}

/// The CLI contract of issue 20: `serve` with verifier options answers `POST /v1/verify` with
/// the verdict `verify --json` prints (text or picture), 4xx with {"error", "message"} for
/// unreadable input, 413 past the limit; one replay guard for all requests.
#[test]
fn serve_verifies_presentations_like_verify_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_authority(d, "auth", "ed25519", "发证机关", "11510000MB0123456W");
    ok(&yinxin(d, &["key", "generate", "--alg", "es256", "--out", "holder.pem"]));
    let fixture = yinxin_test_vectors::fixture_path("business-license.json");
    ok(&yinxin(
        d,
        &[
            "license",
            "issue",
            "--authority",
            "auth",
            "--license",
            fixture.to_str().unwrap(),
            "--holder-key",
            "holder.pem",
            "--out",
            "l.cbor",
        ],
    ));
    std::fs::create_dir(d.join("pub")).unwrap();
    let present = |disclose: &str| {
        ok(&yinxin(
            d,
            &["present", "--license", "l.cbor", "--holder-key", "holder.pem", "--disclose", disclose],
        ))
        .trim()
        .to_owned()
    };
    let s = serve_with(
        d,
        &["--dir", "pub", "--trust", "auth/root.pem", "--issuer-cert", "auth/issuer.pem", "--window", "120"],
    );
    let code = present("holder_name,legal_representative");
    let (status, served) = post_verify(&s.addr, "text/plain", code.as_bytes());
    assert_eq!(status, 200);
    // The same fields as `verify --json` on another fresh code (created and age_s differ).
    let other = present("holder_name,legal_representative");
    let cli = json(&yinxin(
        d,
        &["verify", &other, "--trust", "auth/root.pem", "--issuer-cert", "auth/issuer.pem", "--json"],
    ));
    for field in
        ["valid", "verdict", "doc_type", "status", "issuer", "disclosed", "trust_list", "request_bound"]
    {
        assert_eq!(served[field], cli[field], "{field}");
    }
    assert_eq!(served["valid"], true);
    let (status, again) = post_verify(&s.addr, "text/plain", code.as_bytes());
    assert_eq!((status, again["error"].as_str()), (200, Some("present.replayed")));
    let png_path = d.join("code.png");
    let fresh = present("holder_name");
    std::fs::write(&png_path, yinxin::present::qr_image::render_png(&fresh, 4).unwrap()).unwrap();
    let (status, pictured) = post_verify(&s.addr, "image/png", &std::fs::read(&png_path).unwrap());
    assert_eq!((status, pictured["valid"].as_bool()), (200, Some(true)), "{pictured}");
    let (status, junk) = post_verify(&s.addr, "text/plain", b"YX1:not base45");
    assert_eq!(status, 400);
    assert!(junk["error"].as_str().unwrap().starts_with("present."), "{junk}");
    assert!(junk["message"].is_string());
    let (status, big) = post_verify(&s.addr, "text/plain", &[b'A'; 20_000]);
    assert_eq!((status, big["error"].as_str()), (413, Some("serve.body_too_large")));
    let (code, stderr) = s.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("/v1/verify"), "{stderr}");

    // Verifier options without a trust anchor are a usage error, before binding.
    let o = yinxin(d, &["serve", "--dir", "pub", "--addr", "127.0.0.1:0", "--status-list", "x.cwt"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
}
