//! Golden tests of `yinxin trust-list make|verify` (the CLI contract of issue 16): the JSON
//! verdict, exit codes, and the operator's mistakes the command refuses.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;
use std::path::Path;

use common::{err, init_authority, json, ok, out, yinxin};

const BUSINESS: &str = "11100000000013338W001";

/// A Sichuan authority (`sc`), the Sichuan list operator (`op`) and a stranger operator.
fn setup(d: &Path) {
    init_authority(d, "sc", "es256", "成都市市场监督管理局", "11510000MB0123456W");
    init_authority(d, "op", "sm2", "四川省大数据中心", "11510000MB1C2D3E45");
    init_authority(d, "stranger", "ed25519", "某运营方", "11430000006122244L");
}

fn make(d: &Path, issue: &str, entry: &str, out_file: &str) -> std::process::Output {
    yinxin(
        d,
        &[
            "trust-list",
            "make",
            "--signer-key",
            "op/issuer.key.pem",
            "--signer-cert",
            "op/issuer.pem",
            "--chain",
            "op/root.pem",
            "--provider",
            "四川省电子证照信任列表",
            "--region",
            "510000",
            "--issue-id",
            issue,
            "--next-update-days",
            "7",
            "--entry",
            entry,
            "--out",
            out_file,
        ],
    )
}

#[test]
fn make_and_verify_a_list_with_the_json_contract() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    let made = ok(&make(d, "3", &format!("sc/root.pem:{BUSINESS},11100000000013338W002"), "list.cbor"));
    assert!(made.starts_with("list.cbor\tissue 3\t1 authorities\tnext update 20"), "{made}");

    let o = yinxin(d, &["trust-list", "verify", "list.cbor", "--anchor", "op/root.pem", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let v = json(&o);
    assert_eq!(v["valid"], true);
    assert!(v.get("error").is_none());
    assert_eq!(v["provider"], "四川省电子证照信任列表");
    assert_eq!(v["region"], "510000");
    assert_eq!(v["issue_id"], 3);
    assert!(v["date"].as_str().unwrap().ends_with('Z'));
    assert!(v["next_update"].as_str().unwrap() > v["date"].as_str().unwrap());
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert!(entries[0]["subject"].as_str().unwrap().contains("成都市市场监督管理局"), "{v}");
    assert_eq!(entries[0]["uscc"], "11510000MB0123456W");
    assert_eq!(entries[0]["types"], serde_json::json!([BUSINESS, "11100000000013338W002"]));

    // Text form.
    let text = ok(&yinxin(d, &["trust-list", "verify", "list.cbor", "--anchor", "op/root.pem"]));
    assert!(
        text.starts_with("VALID\ttrust list from 四川省电子证照信任列表 (region 510000), issue 3\n"),
        "{text}"
    );
    assert!(
        text.contains("authority\t") && text.contains(&format!("11510000MB0123456W\t{BUSINESS},")),
        "{text}"
    );
}

#[test]
fn invalid_lists_exit_1_and_unreadable_ones_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    ok(&make(d, "1", &format!("sc/root.pem:{BUSINESS}"), "list.cbor"));
    // Another operator's root.
    let o = yinxin(d, &["trust-list", "verify", "list.cbor", "--anchor", "stranger/root.pem", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(
        (v["valid"].as_bool(), v["error"].as_str()),
        (Some(false), Some("trust_list.operator_untrusted"))
    );
    assert_eq!(v["provider"], "四川省电子证照信任列表", "what the list says is still shown");
    assert!(err(&o).starts_with("error[trust_list.operator_untrusted]"), "{}", err(&o));
    // Stale: eight days on (next update after seven), and within a grace period.
    let later = (time::OffsetDateTime::now_utc() + time::Duration::days(8))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let o = yinxin(
        d,
        &["trust-list", "verify", "list.cbor", "--anchor", "op/root.pem", "--at", &later, "--json"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["error"], "trust_list.stale");
    let o = yinxin(
        d,
        &[
            "trust-list",
            "verify",
            "list.cbor",
            "--anchor",
            "op/root.pem",
            "--at",
            &later,
            "--grace-hours",
            "48",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    // Not a list at all; a missing file; an empty one.
    std::fs::write(d.join("junk.cbor"), b"\xa1\x01\x02").unwrap();
    let o = yinxin(d, &["trust-list", "verify", "junk.cbor", "--anchor", "op/root.pem", "--json"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(json(&o)["error"], "trust_list.malformed");
    let o = yinxin(d, &["trust-list", "verify", "missing.cbor", "--anchor", "op/root.pem"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).starts_with("error[io.error]"), "{}", err(&o));
}

#[test]
fn make_refuses_an_operators_mistakes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    let entry = format!("sc/root.pem:{BUSINESS}");
    ok(&make(d, "5", &entry, "list.cbor"));
    // The same or a lower issue id over a published list would be a rollback.
    let before = std::fs::read(d.join("list.cbor")).unwrap();
    for issue in ["5", "4"] {
        let o = make(d, issue, &entry, "list.cbor");
        assert_eq!(o.status.code(), Some(2));
        assert!(err(&o).starts_with("error[trust_list.issue_id_not_increasing]"), "{}", err(&o));
    }
    assert_eq!(std::fs::read(d.join("list.cbor")).unwrap(), before, "the published list is kept");
    ok(&make(d, "6", &entry, "list.cbor"));
    // Bad entries.
    for (bad, code) in [
        ("sc/root.pem:NOTATYPE", "error[trust_list.doc_type]"),
        ("sc/root.pem", "error[cli.usage]"),
        ("sc/root.pem:", "error[cli.usage]"),
        ("sc/issuer.key.pem:11100000000013338W001", "error[trust.not_a_certificate]"),
    ] {
        let o = make(d, "9", bad, "other.cbor");
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(err(&o).starts_with(code), "{bad}: {}", err(&o));
    }
    // A region that is not a GB/T 2260 code; a signer certificate that is not the key's.
    let o = yinxin(
        d,
        &[
            "trust-list",
            "make",
            "--signer-key",
            "op/issuer.key.pem",
            "--signer-cert",
            "sc/issuer.pem",
            "--provider",
            "x",
            "--region",
            "510000",
            "--issue-id",
            "1",
            "--next-update-days",
            "1",
            "--entry",
            &entry,
            "--out",
            "x.cbor",
        ],
    );
    assert!(err(&o).starts_with("error[trust_list.signer_certificate]"), "{}", err(&o));
    let o = yinxin(
        d,
        &[
            "trust-list",
            "make",
            "--signer-key",
            "op/issuer.key.pem",
            "--signer-cert",
            "op/issuer.pem",
            "--provider",
            "x",
            "--region",
            "5100",
            "--issue-id",
            "1",
            "--next-update-days",
            "1",
            "--entry",
            &entry,
            "--out",
            "x.cbor",
        ],
    );
    assert!(err(&o).starts_with("error[trust_list.region]"), "{}", err(&o));
    assert!(!d.join("x.cbor").exists());
}
