//! `yinxin wallet` (issue 19's CLI contract): init, add, list, show, present, history, remove,
//! backup, restore, with the showing PIN on standard input, wrong PINs and the lock-out.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;
use std::path::Path;

use common::{err, init_authority, json, ok, out, yinxin, yinxin_in};

const PIN: &str = "246810\n";

fn issue(d: &Path, fixture: &str, holder: &str, out_file: &str) {
    ok(&yinxin(d, &["key", "generate", "--alg", "es256", "--out", holder]));
    let fixture = yinxin_test_vectors::fixture_path(fixture);
    ok(&yinxin(
        d,
        &["license", "issue", "--authority", "auth", "--license", fixture.to_str().unwrap()]
            .into_iter()
            .chain(["--holder-key", holder, "--out", out_file])
            .collect::<Vec<_>>(),
    ));
}

fn code(o: &std::process::Output) -> Option<i32> {
    o.status.code()
}

#[test]
fn the_whole_wallet_story() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_authority(d, "auth", "ed25519", "成都市市场监督管理局", "11510000MB0123456W");
    issue(d, "business-license.json", "h1.pem", "business.cbor");

    ok(&yinxin_in(d, &["wallet", "init", "--dir", "w", "--pin-stdin"], PIN));
    // The PIN comes from standard input with or without the flag (the contract's agent `add`
    // line has none); a PIN that is not six digits, no PIN, a second init are refused.
    let o = yinxin_in(d, &["wallet", "list", "--dir", "w", "--json"], PIN);
    assert_eq!(json(&o), serde_json::json!([]));
    let o = yinxin(d, &["wallet", "list", "--dir", "w"]);
    assert_eq!(code(&o), Some(2));
    assert!(err(&o).contains("error[cli.usage]"), "{}", err(&o));
    let o = yinxin_in(d, &["wallet", "list", "--dir", "w", "--pin-stdin"], "1234\n");
    assert!(err(&o).contains("error[wallet.pin_format]"), "{}", err(&o));
    let o = yinxin_in(d, &["wallet", "init", "--dir", "w", "--pin-stdin"], PIN);
    assert!(err(&o).contains("error[wallet.exists]"), "{}", err(&o));

    let o = yinxin_in(
        d,
        &["wallet", "add", "--dir", "w", "business.cbor", "--holder-key", "h1.pem", "--pin-stdin"],
        PIN,
    );
    let id = ok(&o).trim().to_owned();
    assert!(id.starts_with("1.2.156.3005.2."), "{id}");
    // A license with a key it is not bound to.
    ok(&yinxin(d, &["key", "generate", "--alg", "es256", "--out", "other.pem"]));
    let o = yinxin_in(
        d,
        &["wallet", "add", "--dir", "w", "business.cbor", "--holder-key", "other.pem", "--pin-stdin"],
        PIN,
    );
    assert_eq!(code(&o), Some(2));
    assert!(err(&o).contains("error[wallet.holder_key_mismatch]"), "{}", err(&o));

    let o = yinxin_in(d, &["wallet", "list", "--dir", "w", "--pin-stdin", "--json"], PIN);
    assert_eq!(
        json(&o),
        serde_json::json!([{
            "id": id,
            "doc_type": "cn.gov.elicense.11100000000013338W001",
            "holder_name": "成都天府示例科技有限公司",
            "issuer": "成都市市场监督管理局",
            "valid_until": null,
        }])
    );
    let o = yinxin_in(d, &["wallet", "show", "--dir", "w", "--license", &id, "--pin-stdin"], PIN);
    assert!(ok(&o).contains("business_scope: 软件开发"), "{}", out(&o));

    // Present: the code verifies at the counter, and the log says what was shown.
    let o = yinxin_in(
        d,
        &[
            "wallet",
            "present",
            "--dir",
            "w",
            "--license",
            &id,
            "--disclose",
            "holder_name,legal_representative",
            "--pin-stdin",
        ],
        PIN,
    );
    let qr = ok(&o).trim().to_owned();
    let v = yinxin(
        d,
        &[
            "verify",
            &qr,
            "--trust",
            "auth/root.pem",
            "--issuer-cert",
            "auth/issuer.pem",
            "--accept-unknown-status",
            "--json",
        ],
    );
    assert_eq!(code(&v), Some(0), "{}", err(&v));
    assert_eq!(
        json(&v)["disclosed"],
        serde_json::json!({"holder_name": "成都天府示例科技有限公司", "legal_representative": "李四"})
    );
    let o = yinxin_in(d, &["wallet", "history", "--dir", "w", "--pin-stdin", "--json"], PIN);
    let log = json(&o);
    assert_eq!(log.as_array().unwrap().len(), 1);
    assert_eq!(log[0]["license"], id.as_str());
    assert_eq!(log[0]["elements"], serde_json::json!(["holder_name", "legal_representative"]));
    assert_eq!(log[0]["verifier"], serde_json::Value::Null);

    // Backup (PIN, then passphrase), restore (passphrase, then the new PIN).
    let o =
        yinxin_in(d, &["wallet", "backup", "--dir", "w", "--out", "w.bak", "--pin-stdin"], "246810\nshort\n");
    assert!(err(&o).contains("error[wallet.passphrase_too_short]"), "{}", err(&o));
    ok(&yinxin_in(
        d,
        &["wallet", "backup", "--dir", "w", "--out", "w.bak", "--pin-stdin"],
        "246810\n川渝两地 backup words\n",
    ));
    let o = yinxin_in(
        d,
        &["wallet", "restore", "--dir", "r", "--from", "w.bak", "--pin-stdin"],
        "wrong passphrase!!\n111222\n",
    );
    assert!(err(&o).contains("error[wallet.backup_invalid]"), "{}", err(&o));
    ok(&yinxin_in(
        d,
        &["wallet", "restore", "--dir", "r2", "--from", "w.bak", "--pin-stdin"],
        "川渝两地 backup words\n111222\n",
    ));
    let o = yinxin_in(d, &["wallet", "list", "--dir", "r2", "--pin-stdin", "--json"], "111222\n");
    assert_eq!(json(&o)[0]["id"], id.as_str());

    ok(&yinxin_in(d, &["wallet", "remove", "--dir", "w", "--license", &id, "--pin-stdin"], PIN));
    let o = yinxin_in(d, &["wallet", "list", "--dir", "w", "--pin-stdin", "--json"], PIN);
    assert_eq!(json(&o), serde_json::json!([]));
}

#[test]
fn wrong_pins_lock_the_wallet_and_say_until_when() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&yinxin_in(d, &["wallet", "init", "--dir", "w", "--gm", "--pin-stdin"], PIN));
    let at = "2026-12-07T10:00:00+08:00";
    for left in [4, 3, 2, 1] {
        let o = yinxin_in(d, &["wallet", "list", "--dir", "w", "--pin-stdin", "--at", at], "000000\n");
        assert_eq!(code(&o), Some(1));
        assert!(err(&o).contains("error[wallet.pin_wrong]"), "{}", err(&o));
        assert!(err(&o).contains(&format!("{left} more wrong attempts")), "{}", err(&o));
    }
    let o = yinxin_in(d, &["wallet", "list", "--dir", "w", "--pin-stdin", "--at", at], "000000\n");
    assert_eq!(code(&o), Some(1));
    assert!(err(&o).contains("error[wallet.locked]"), "{}", err(&o));
    assert!(err(&o).contains("until 2026-12-07T02:01:00Z"), "{}", err(&o));
    // The right PIN is refused until then, and works after.
    let o = yinxin_in(
        d,
        &["wallet", "list", "--dir", "w", "--pin-stdin", "--at", "2026-12-07T10:00:30+08:00"],
        PIN,
    );
    assert!(err(&o).contains("error[wallet.locked]"), "{}", err(&o));
    ok(&yinxin_in(
        d,
        &["wallet", "list", "--dir", "w", "--pin-stdin", "--at", "2026-12-07T10:01:01+08:00"],
        PIN,
    ));
}

#[test]
fn a_damaged_license_file_is_named_and_the_others_listed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_authority(d, "auth", "es256", "成都市市场监督管理局", "11510000MB0123456W");
    issue(d, "business-license.json", "h1.pem", "business.cbor");
    ok(&yinxin_in(d, &["wallet", "init", "--dir", "w", "--pin-stdin"], PIN));
    ok(&yinxin_in(
        d,
        &["wallet", "add", "--dir", "w", "business.cbor", "--holder-key", "h1.pem", "--pin-stdin"],
        PIN,
    ));
    let file = std::fs::read_dir(d.join("w/licenses")).unwrap().next().unwrap().unwrap().path();
    let mut bytes = std::fs::read(&file).unwrap();
    let n = bytes.len() / 2;
    bytes[n] ^= 1;
    std::fs::write(&file, &bytes).unwrap();
    let o = yinxin_in(d, &["wallet", "list", "--dir", "w", "--pin-stdin", "--json"], PIN);
    assert_eq!(json(&o), serde_json::json!([]));
    assert!(err(&o).contains("warning[wallet.record_damaged]"), "{}", err(&o));
    std::fs::write(d.join("w/wallet.yx"), b"garbage").unwrap();
    let o = yinxin_in(d, &["wallet", "list", "--dir", "w", "--pin-stdin"], PIN);
    assert_eq!(code(&o), Some(2));
    assert!(err(&o).contains("error[wallet.damaged]"), "{}", err(&o));
}

#[test]
fn a_counter_request_is_answered_for_that_counter_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_authority(d, "auth", "sm2", "成都市市场监督管理局", "11510000MB0123456W");
    issue(d, "business-license.json", "h1.pem", "business.cbor");
    // The region's platform certifies its counters (its own authority directory).
    init_authority(d, "platform", "es256", "四川省政务服务平台", "11510000MB0123456W");
    let o = yinxin(
        d,
        &[
            "authority",
            "verifier-cert",
            "--dir",
            "platform",
            "--name",
            "成都市政务服务中心",
            "--code",
            "91510100MA61ABCDE3",
        ]
        .into_iter()
        .chain(["--may-request", "holder_name,legal_representative,valid_until"])
        .chain(["--out-cert", "counter.pem", "--out-key", "counter.key.pem"])
        .collect::<Vec<_>>(),
    );
    assert!(ok(&o).contains("may request holder_name,legal_representative,valid_until"));
    ok(&yinxin_in(
        d,
        &["wallet", "init", "--dir", "w", "--verifier-anchor", "platform/root.pem", "--pin-stdin"],
        PIN,
    ));
    let id = ok(&yinxin_in(
        d,
        &["wallet", "add", "--dir", "w", "business.cbor", "--holder-key", "h1.pem", "--pin-stdin"],
        PIN,
    ))
    .trim()
    .to_owned();
    let request = |elements: &str, out_file: &str| {
        yinxin(
            d,
            &["request", "make", "--verifier-key", "counter.key.pem", "--verifier-cert", "counter.pem"]
                .into_iter()
                .chain(["--elements", elements, "--purpose", "办理变更登记", "--out", out_file])
                .collect::<Vec<_>>(),
        )
    };
    ok(&request("holder_name,legal_representative", "req.txt"));
    assert!(std::fs::read_to_string(d.join("req.txt")).unwrap().starts_with("YXR1:"));
    let o = yinxin_in(
        d,
        &["wallet", "present", "--dir", "w", "--license", &id, "--request", "req.txt", "--pin-stdin"],
        PIN,
    );
    let qr = ok(&o).trim().to_owned();
    let shown = err(&o);
    assert!(shown.contains("request from 成都市政务服务中心 (91510100MA61ABCDE3) (verified)"), "{shown}");
    assert!(shown.contains("asks for: holder_name, legal_representative"), "{shown}");
    assert!(shown.contains("purpose: 办理变更登记"), "{shown}");

    let verify = |extra: &[&str]| {
        let mut args =
            vec!["verify", qr.as_str(), "--trust", "auth/root.pem", "--issuer-cert", "auth/issuer.pem"];
        args.extend_from_slice(&["--accept-unknown-status", "--json"]);
        args.extend_from_slice(extra);
        yinxin(d, &args)
    };
    // Without the request: refused; with it and the counter's key: bound.
    let o = verify(&[]);
    assert_eq!(code(&o), Some(1));
    assert_eq!(json(&o)["error"], "present.request_bound");
    let o = verify(&["--request", "req.txt", "--verifier-key", "counter.key.pem"]);
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    assert_eq!(json(&o)["request_bound"], true);
    assert_eq!(
        json(&o)["disclosed"],
        serde_json::json!({"holder_name": "成都天府示例科技有限公司", "legal_representative": "李四"})
    );
    // Another request of the same counter: mismatch.
    ok(&request("holder_name", "req2.txt"));
    let o = verify(&["--request", "req2.txt", "--verifier-key", "counter.key.pem"]);
    assert_eq!(json(&o)["error"], "present.request_mismatch");

    // Beyond the certificate's authorisation: the wallet refuses, nothing is shown.
    ok(&request("holder_name,business_scope", "greedy.txt"));
    let o = yinxin_in(
        d,
        &["wallet", "present", "--dir", "w", "--license", &id, "--request", "greedy.txt", "--pin-stdin"],
        PIN,
    );
    assert_eq!(code(&o), Some(2));
    assert!(err(&o).contains("error[request.not_authorised]"), "{}", err(&o));
    assert!(out(&o).is_empty());

    // The consent log names the counter and the purpose.
    let log = json(&yinxin_in(d, &["wallet", "history", "--dir", "w", "--pin-stdin", "--json"], PIN));
    assert_eq!(log.as_array().unwrap().len(), 1);
    assert_eq!(log[0]["verifier"]["name"], "成都市政务服务中心");
    assert_eq!(log[0]["purpose"], "办理变更登记");
}

#[test]
fn an_agent_shows_the_business_license_for_the_company() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_authority(d, "auth", "es256", "成都市市场监督管理局", "11510000MB0123456W");
    issue(d, "business-license.json", "company.pem", "business.cbor");
    ok(&yinxin_in(d, &["wallet", "init", "--dir", "company", "--pin-stdin"], PIN));
    let id = ok(&yinxin_in(
        d,
        &["wallet", "add", "--dir", "company", "business.cbor", "--holder-key", "company.pem", "--pin-stdin"],
        PIN,
    ))
    .trim()
    .to_owned();
    ok(&yinxin(d, &["key", "generate", "--alg", "es256", "--out", "agent.pem"]));
    std::fs::write(d.join("agent.pub.pem"), ok(&yinxin(d, &["key", "public", "agent.pem"]))).unwrap();
    let o = yinxin_in(
        d,
        &["wallet", "delegate", "--dir", "company", "--license", &id, "--agent-key", "agent.pub.pem"]
            .into_iter()
            .chain([
                "--agent-name",
                "王五",
                "--agent-id",
                "510104199003071237",
                "--elements",
                "holder_name,legal_representative",
            ])
            .chain(["--days", "30", "--pin-stdin", "--out", "delegation.cbor"])
            .collect::<Vec<_>>(),
        PIN,
    );
    ok(&o);
    ok(&yinxin_in(d, &["wallet", "init", "--dir", "agent", "--pin-stdin"], "135790\n"));
    ok(&yinxin_in(
        d,
        &[
            "wallet",
            "add",
            "--dir",
            "agent",
            "business.cbor",
            "--delegation",
            "delegation.cbor",
            "--holder-key",
            "agent.pem",
        ],
        // Exactly the contract's line for the agent's wallet (the PIN still on standard input).
        "135790\n",
    ));
    let qr = ok(&yinxin_in(
        d,
        &[
            "wallet",
            "present",
            "--dir",
            "agent",
            "--license",
            &id,
            "--disclose",
            "holder_name",
            "--pin-stdin",
        ],
        "135790\n",
    ))
    .trim()
    .to_owned();
    let o = yinxin(
        d,
        &[
            "verify",
            &qr,
            "--trust",
            "auth/root.pem",
            "--issuer-cert",
            "auth/issuer.pem",
            "--accept-unknown-status",
            "--json",
        ],
    );
    assert_eq!(code(&o), Some(0), "{}", err(&o));
    let v = json(&o);
    assert_eq!(v["agent"], serde_json::json!({"name": "王五", "id": "510104199003071237"}));
    assert_eq!(v["on_behalf_of"], "成都天府示例科技有限公司");
    // Outside the delegation: refused by the agent's wallet.
    let o = yinxin_in(
        d,
        &[
            "wallet",
            "present",
            "--dir",
            "agent",
            "--license",
            &id,
            "--disclose",
            "business_scope",
            "--pin-stdin",
        ],
        "135790\n",
    );
    assert!(err(&o).contains("error[present.delegation_scope]"), "{}", err(&o));
    // The wrong agent key: refused at import.
    let o = yinxin_in(
        d,
        &[
            "wallet",
            "add",
            "--dir",
            "agent",
            "business.cbor",
            "--delegation",
            "delegation.cbor",
            "--holder-key",
            "company.pem",
            "--pin-stdin",
        ],
        "135790\n",
    );
    assert!(err(&o).contains("error[wallet.holder_key_mismatch]"), "{}", err(&o));
}
