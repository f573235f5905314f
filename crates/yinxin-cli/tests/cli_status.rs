//! Golden tests of the status and registry commands: `status decode|get|publish`,
//! `license issue --registry`, `license issue-batch`, `license revoke|suspend|reinstate`,
//! `registry list|check`, `license verify --status-list`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;
use common::{err, init_authority, ok, out, yinxin};

fn vectors() -> serde_json::Value {
    serde_json::from_slice(
        &std::fs::read(yinxin_test_vectors::vector_path("ietf-status-list/status-list-vectors.json"))
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn status_decode_and_get_on_the_draft_vectors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let v = vectors();
    let two_bit = &v["vectors"][1];
    std::fs::write(d.join("list.hex"), two_bit["status_list_cbor_hex"].as_str().unwrap()).unwrap();
    std::fs::write(
        d.join("list.cbor"),
        hex::decode(two_bit["status_list_cbor_hex"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    let o = yinxin(d, &["status", "decode", "list.cbor", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(json["bits"], 2);
    assert_eq!(json["size"], 1_048_576);
    let expected: serde_json::Map<String, serde_json::Value> =
        two_bit["non_zero_statuses"].as_object().unwrap().clone();
    assert_eq!(json["non_zero"].as_object().unwrap(), &expected);
    assert_eq!(ok(&yinxin(d, &["status", "decode", "list.hex", "--hex", "--json"])), ok(&o));
    assert_eq!(ok(&yinxin(d, &["status", "get", "list.cbor", "1993"])), "SUSPENDED\n");
    assert_eq!(ok(&yinxin(d, &["status", "get", "list.cbor", "0"])), "INVALID\n");
    assert_eq!(ok(&yinxin(d, &["status", "get", "list.cbor", "1"])), "VALID\n");
    assert_eq!(ok(&yinxin(d, &["status", "get", "list.cbor", "1000345"])), "3\n");
    let o = yinxin(d, &["status", "get", "list.cbor", "1048576"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).starts_with("error[status.index]"));

    // The signed example token is detected and read (its signature is not checked here).
    std::fs::write(
        d.join("token.cwt"),
        hex::decode(v["signed_examples"]["status_list_cwt_hex"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&ok(&yinxin(d, &["status", "decode", "token.cwt", "--json"]))).unwrap();
    assert_eq!(json["bits"], 1);
    assert_eq!(json["token"]["sub"], "https://example.com/statuslists/1");
    assert_eq!(json["token"]["signature_checked"], false);

    // Malformed input: exit 2 with the code.
    std::fs::write(d.join("junk"), b"\xa1\x64bits\x05").unwrap();
    let o = yinxin(d, &["status", "decode", "junk"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).starts_with("error[status."), "{}", err(&o));
}

#[test]
fn registry_lifecycle_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_authority(d, "auth", "es256", "成都市市场监督管理局", "11510000MB0123456W");
    ok(&yinxin(d, &["key", "generate", "--alg", "es256", "--out", "holder.pem"]));
    let fixture = yinxin_test_vectors::fixture_path("business-license.json");
    let fixture = fixture.to_str().unwrap();

    // One license through the registry.
    let line = ok(&yinxin(
        d,
        &[
            "license",
            "issue",
            "--authority",
            "auth",
            "--license",
            fixture,
            "--holder-key",
            "holder.pem",
            "--out",
            "one.cbor",
            "--registry",
            "reg.db",
        ],
    ));
    let (first_id, first_idx) = line.trim().split_once(' ').unwrap();
    assert_eq!(first_id, "1.2.156.3005.2.11100000000013338W001.11510000MB0123456W.510100202411220001.001.B");
    let first_idx: u64 = first_idx.parse().unwrap();
    // The same identifier again is refused.
    let o = yinxin(
        d,
        &[
            "license",
            "issue",
            "--authority",
            "auth",
            "--license",
            fixture,
            "--holder-key",
            "holder.pem",
            "--out",
            "two.cbor",
            "--registry",
            "reg.db",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).starts_with("error[registry.duplicate]"));

    // A batch of 20 with one duplicate of the first license and one repeated line.
    let base: serde_json::Value = serde_json::from_slice(&std::fs::read(fixture).unwrap()).unwrap();
    let (t, i) = ("11100000000013338W001", "11510000MB0123456W");
    let mut lines = Vec::new();
    for n in 0..20 {
        let serial = format!("BATCH{n:05}");
        let mut v = base.clone();
        v["meta"]["license_identifier"] = yinxin_test_vectors::license_identifier(t, i, &serial).into();
        lines.push(serde_json::to_string(&v).unwrap());
    }
    lines.push(serde_json::to_string(&base).unwrap());
    lines.push(lines[3].clone());
    std::fs::write(d.join("batch.jsonl"), lines.join("\n")).unwrap();
    let o = yinxin(
        d,
        &[
            "license",
            "issue-batch",
            "--authority",
            "auth",
            "--registry",
            "reg.db",
            "--input",
            "batch.jsonl",
            "--holder-key",
            "holder.pem",
            "--out-dir",
            "out",
            "--quiet",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "two lines refused");
    let acks: Vec<String> = out(&o).lines().map(str::to_owned).collect();
    assert_eq!(acks.len(), 20);
    assert_eq!(err(&o).matches("error[registry.duplicate]").count(), 2, "{}", err(&o));
    for ack in &acks {
        let (id, idx) = ack.split_once(' ').unwrap();
        assert!(d.join("out").join(format!("{id}.cbor")).exists());
        idx.parse::<u64>().unwrap();
    }

    // Revoke one, suspend and reinstate another; refused transitions.
    let revoked = acks[0].split(' ').next().unwrap();
    let suspended = acks[1].split(' ').next().unwrap();
    assert!(
        ok(&yinxin(
            d,
            &["license", "revoke", "--registry", "reg.db", "--id", revoked, "--reason", "cancelled"]
        ))
        .starts_with(&format!("{revoked}\tINVALID\t"))
    );
    ok(&yinxin(d, &["license", "suspend", "--registry", "reg.db", "--id", suspended, "--reason", "review"]));
    let o = yinxin(d, &["license", "reinstate", "--registry", "reg.db", "--id", revoked, "--reason", "undo"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).starts_with("error[registry.transition]"));
    let o = yinxin(
        d,
        &["license", "revoke", "--registry", "reg.db", "--id", "1.2.156.3005.2.nope", "--reason", "x"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).starts_with("error[registry.not_found]"));

    // registry list --json.
    let listed: Vec<serde_json::Value> =
        ok(&yinxin(d, &["registry", "list", "--registry", "reg.db", "--json"]))
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    assert_eq!(listed.len(), 21);
    assert_eq!(listed[0]["license_identifier"], first_id);
    assert_eq!(listed[0]["index"], first_idx);
    assert_eq!(listed[0]["status"], "VALID");
    assert_eq!(listed[0]["status_list"], "https://status.example.gov.cn/11510000MB0123456W/lists/1");
    let status_of =
        |id: &str| listed.iter().find(|v| v["license_identifier"] == id).unwrap()["status"].clone();
    assert_eq!(status_of(revoked), "INVALID");
    assert_eq!(status_of(suspended), "SUSPENDED");
    assert_eq!(ok(&yinxin(d, &["registry", "check", "--registry", "reg.db"])), "consistent\n");

    // Publish, then verify with the signed list.
    let published = ok(&yinxin(
        d,
        &["status", "publish", "--registry", "reg.db", "--authority", "auth", "--out", "lists"],
    ));
    assert!(
        published.starts_with("https://status.example.gov.cn/11510000MB0123456W/lists/1\t"),
        "{published}"
    );
    assert_eq!(ok(&yinxin(d, &["status", "get", "lists/1.cwt", &first_idx.to_string()])), "VALID\n");
    let verify = |file: &str| {
        yinxin(
            d,
            &[
                "license",
                "verify",
                file,
                "--trust",
                "auth/root.pem",
                "--status-list",
                "lists/1.cwt",
                "--json",
            ],
        )
    };
    let v = verify("one.cbor");
    assert_eq!(v.status.code(), Some(0), "{}", err(&v));
    let o = verify(&format!("out/{revoked}.cbor"));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out(&o)).unwrap()["error"], "license.revoked");
    let o = verify(&format!("out/{suspended}.cbor"));
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out(&o)).unwrap()["error"], "license.suspended");
    // Without a status list a license that names one is refused: its status is unknown, and
    // the verdict says so (the revoked one is never reported valid).
    let no_list = |file: &str, extra: &[&str]| {
        let mut args = vec!["license", "verify", file, "--trust", "auth/root.pem", "--json"];
        args.extend_from_slice(extra);
        yinxin(d, &args)
    };
    let o = no_list(&format!("out/{revoked}.cbor"), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    let verdict = serde_json::from_str::<serde_json::Value>(&out(&o)).unwrap();
    assert_eq!(verdict["error"], "license.status_unknown");
    assert_eq!(verdict["status"], "unknown");
    let o = no_list(&format!("out/{revoked}.cbor"), &["--accept-unknown-status"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let verdict = serde_json::from_str::<serde_json::Value>(&out(&o)).unwrap();
    assert_eq!(verdict["status"], "unknown", "accepted, and still said");
    // The same rule in text form: a status line, never a bare VALID.
    let o =
        yinxin(d, &["license", "verify", "one.cbor", "--trust", "auth/root.pem", "--accept-unknown-status"]);
    assert!(out(&o).contains("status\tunknown"), "{}", out(&o));
    let o = yinxin(
        d,
        &["license", "verify", "one.cbor", "--trust", "auth/root.pem", "--status-list", "lists/1.cwt"],
    );
    assert!(out(&o).contains("status\tvalid"), "{}", out(&o));
    // A license issued without the registry has no status reference: accepted, status "none".
    ok(&yinxin(
        d,
        &[
            "license",
            "issue",
            "--authority",
            "auth",
            "--license",
            fixture,
            "--holder-key",
            "holder.pem",
            "--out",
            "plain.cbor",
        ],
    ));
    let o = verify("plain.cbor");
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out(&o)).unwrap()["status"], "none");
    let o = no_list("plain.cbor", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out(&o)).unwrap()["status"], "none");
    let v = verify("one.cbor");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out(&v)).unwrap()["status"], "valid");
    let o = verify(&format!("out/{revoked}.cbor"));
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out(&o)).unwrap()["status"], "revoked");
    let o = verify(&format!("out/{suspended}.cbor"));
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out(&o)).unwrap()["status"], "suspended");
    // A list signed by another authority is refused as input.
    init_authority(d, "other", "es256", "x", "11430000006122244L");
    let o = yinxin(
        d,
        &["license", "verify", "one.cbor", "--trust", "other/root.pem", "--status-list", "lists/1.cwt"],
    );
    assert_eq!(o.status.code(), Some(2));
}

/// Regression (issue 16): two authorities created with default settings both published
/// `https://status.example.gov.cn/lists/1`, and a verifier given both lists answered
/// `license.status_unknown` for one of them. Now each publishes under its own USCC, and the
/// verifier keeps lists by issuer and URI.
#[test]
fn two_authorities_with_default_settings_never_share_a_status_uri() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&yinxin(d, &["key", "generate", "--alg", "es256", "--out", "holder.pem"]));
    let mut uris = Vec::new();
    for (name, code) in [("sc", "11510000MB0123456W"), ("cq", "11500000MB1600001X")] {
        let code = yinxin_test_vectors::uscc_with_check(&code[..17]);
        init_authority(d, name, "es256", name, &code);
        std::fs::write(d.join(format!("{name}.json")), yinxin_test_vectors::business_license_for(&code))
            .unwrap();
        let (db, out_file) = (format!("{name}.db"), format!("{name}.cbor"));
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
                &out_file,
                "--registry",
                &db,
            ],
        ));
        let published = ok(&yinxin(
            d,
            &["status", "publish", "--registry", &db, "--authority", name, "--out", &format!("{name}-lists")],
        ));
        let uri = published.split('\t').next().unwrap().to_owned();
        assert_eq!(uri, format!("https://status.example.gov.cn/{code}/lists/1"));
        uris.push(uri);
    }
    assert_ne!(uris[0], uris[1]);
    // One verifier, both roots and both lists: both licenses valid.
    for name in ["sc", "cq"] {
        let o = yinxin(
            d,
            &[
                "license",
                "verify",
                &format!("{name}.cbor"),
                "--trust",
                "sc/root.pem",
                "--trust",
                "cq/root.pem",
                "--status-list",
                "sc-lists/1.cwt",
                "--status-list",
                "cq-lists/1.cwt",
                "--json",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{name}: {}{}", out(&o), err(&o));
        assert_eq!(serde_json::from_str::<serde_json::Value>(&out(&o)).unwrap()["status"], "valid");
    }
}
