//! The CLI contract of issue 21: every `--registry` takes `postgres://user@host:port/db` as
//! well as a file, and `registry migrate --from REG.db --to URL` copies a SQLite registry
//! (refusing a non-empty target). Runs on the server `YINXIN_TEST_POSTGRES` names
//! (`scripts/test-all.sh` starts one; `YINXIN_REQUIRE_POSTGRES=1` makes its absence a failure).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;
use common::{init_authority, json, json_lines, ok, out, yinxin};

/// A fresh database on the test server.
fn fresh_database() -> Option<String> {
    let Some(base) = std::env::var("YINXIN_TEST_POSTGRES").ok().filter(|u| !u.is_empty()) else {
        assert!(
            std::env::var("YINXIN_REQUIRE_POSTGRES").map_or(true, |v| v != "1"),
            "YINXIN_REQUIRE_POSTGRES=1 but no YINXIN_TEST_POSTGRES"
        );
        eprintln!("note: YINXIN_TEST_POSTGRES not set: postgres:// registries not tested here");
        return None;
    };
    let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).unwrap();
    let name = format!("yx_cli_{}", hex::encode(b));
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    Some(format!("{}/{name}", &base[..base.rfind('/').unwrap()]))
}

#[test]
fn registries_on_postgresql_issue_revoke_publish_and_migrate() {
    let (Some(url), Some(target)) = (fresh_database(), fresh_database()) else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init_authority(d, "auth", "ed25519", "发证机关", "11510000MB0123456W");
    ok(&yinxin(d, &["key", "generate", "--alg", "es256", "--out", "holder.pem"]));
    let fixture = yinxin_test_vectors::fixture_path("business-license.json");
    let fixture = fixture.to_str().unwrap();
    let issue = |registry: &str, out: &str| {
        let args = [
            "license",
            "issue",
            "--authority",
            "auth",
            "--license",
            fixture,
            "--holder-key",
            "holder.pem",
            "--out",
            out,
            "--registry",
            registry,
        ];
        ok(&yinxin(d, &args))
    };
    issue(&url, "l.cbor");
    let listed = json_lines(&yinxin(d, &["registry", "list", "--registry", &url, "--json"]));
    assert_eq!(listed.len(), 1);
    let id = listed[0]["license_identifier"].as_str().unwrap().to_owned();
    let revoked = json(&yinxin(
        d,
        &["license", "revoke", "--registry", &url, "--id", &id, "--reason", "吊销", "--json"],
    ));
    assert_eq!(revoked["status"], "INVALID");
    assert_eq!(out(&yinxin(d, &["registry", "check", "--registry", &url])).trim(), "consistent");
    let log = json_lines(&yinxin(d, &["registry", "log", "--registry", &url, "--json"]));
    assert_eq!(log.iter().map(|e| e["reason"].as_str().unwrap()).collect::<Vec<_>>(), ["issued", "吊销"]);
    ok(&yinxin(d, &["status", "publish", "--registry", &url, "--authority", "auth", "--out", "lists"]));
    // The published list says revoked: the license no longer verifies.
    let o = yinxin(
        d,
        &[
            "license",
            "verify",
            "l.cbor",
            "--trust",
            "auth/root.pem",
            "--status-list",
            "lists/1.cwt",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["error"], "license.revoked");

    // A SQLite registry moved to PostgreSQL: same license, index, status and log.
    issue("reg.db", "s.cbor");
    let sqlite = json_lines(&yinxin(d, &["registry", "list", "--registry", "reg.db", "--json"]));
    ok(&yinxin(d, &["license", "suspend", "--registry", "reg.db", "--id", &id, "--reason", "核查"]));
    let moved = json(&yinxin(d, &["registry", "migrate", "--from", "reg.db", "--to", &target, "--json"]));
    assert_eq!(moved["copied"], 1);
    assert_eq!(moved["problems"], serde_json::json!([]));
    let there = json_lines(&yinxin(d, &["registry", "list", "--registry", &target, "--json"]));
    assert_eq!(there[0]["index"], sqlite[0]["index"]);
    assert_eq!(there[0]["status"], "SUSPENDED");
    let log = json_lines(&yinxin(d, &["registry", "log", "--registry", &target, "--json"]));
    assert_eq!(log.iter().map(|e| e["reason"].as_str().unwrap()).collect::<Vec<_>>(), ["issued", "核查"]);
    // Not into a registry that holds licenses.
    let o = yinxin(d, &["registry", "migrate", "--from", "reg.db", "--to", &url]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not empty"));
    // Without --from: the schema only, already current.
    let schema = json(&yinxin(d, &["registry", "migrate", "--to", &target, "--json"]));
    assert_eq!(schema["schema_versions_applied"], serde_json::json!([]));
}
