//! Golden tests of what a newcomer meets: warnings, hints, and refusals that say what to do
//! (issue 13). Each asserts the exact code and the words that tell the user what happened.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;
use std::path::Path;

use common::{err, init_authority, json, json_lines, ok, out, shared, yinxin};

/// An Ed25519 authority with the business license fixture's issuer code, and a P-256 holder key.
fn authority(d: &Path) {
    init_authority(d, "auth", "ed25519", "成都市市场监督管理局", "11510000MB0123456W");
    ok(&yinxin(d, &["key", "generate", "--alg", "es256", "--out", "holder.pem"]));
}

/// The business license fixture, changed by `edit`, written to `name`.
fn license_json(d: &Path, name: &str, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(shared("fixtures/business-license.json")).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(d.join(name), serde_json::to_vec(&v).unwrap()).unwrap();
}

fn issue(d: &Path, license: &str, out: &str, extra: &[&str]) -> std::process::Output {
    let mut args =
        vec!["license", "issue", "--authority", "auth", "--license", license, "--holder-key", "holder.pem"];
    args.extend_from_slice(&["--out", out]);
    args.extend_from_slice(extra);
    yinxin(d, &args)
}

#[test]
fn issuance_warns_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    authority(d);
    let fixture = shared("fixtures/business-license.json");
    // A long-term license outlives the issuer certificate: issued, with a warning that says so.
    let o = issue(d, &fixture, "l.cbor", &["--json"]);
    ok(&o);
    assert!(
        err(&o).starts_with(
            "warning[license.validity_capped]: the license is long-term (长期), but the credential ends "
        ),
        "{}",
        err(&o)
    );
    assert!(err(&o).contains("when the issuer certificate expires: re-issue it under a renewed certificate"));
    let v = json(&o);
    assert_eq!(v["warnings"][0]["code"], "license.validity_capped");
    assert_eq!(
        v["identifier"],
        "1.2.156.3005.2.11100000000013338W001.11510000MB0123456W.510100202411220001.001.B"
    );
    let until = v["valid_until"].as_str().unwrap();
    assert!(until.ends_with('Z') && !until.contains('.'), "whole seconds, UTC: {until}");
    // Never over an existing file without --force.
    let before = std::fs::read(d.join("l.cbor")).unwrap();
    let o = issue(d, &fixture, "l.cbor", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(err(&o), "error[io.exists]: l.cbor exists; refusing to overwrite it (--force replaces it)\n");
    assert_eq!(std::fs::read(d.join("l.cbor")).unwrap(), before, "untouched");
    ok(&issue(d, &fixture, "l.cbor", &["--force"]));
    assert_ne!(std::fs::read(d.join("l.cbor")).unwrap(), before, "replaced with --force");
    // No disclosure sets: warned, in text and in JSON.
    license_json(d, "no-sets.json", |v| {
        v.as_object_mut().unwrap().remove("disclosure_sets");
    });
    let o = issue(d, "no-sets.json", "no-sets.cbor", &["--json"]);
    ok(&o);
    assert!(err(&o).contains("warning[license.no_disclosure_sets]: no-sets.json has no \"disclosure_sets\""));
    assert!(err(&o).contains("docs/license-json.md"));
    assert_eq!(json(&o)["warnings"][0]["code"], "license.no_disclosure_sets");
    // A UTF-8 byte order mark, as Windows editors write it, is accepted.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(std::fs::read(&fixture).unwrap());
    std::fs::write(d.join("bom.json"), bom).unwrap();
    ok(&issue(d, "bom.json", "bom.cbor", &[]));
    // A holder code of the other kind than holder_code_type says is named as such.
    license_json(d, "mismatch.json", |v| v["meta"]["holder_code_type"] = "111".into());
    let o = issue(d, "mismatch.json", "mismatch.cbor", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o),
        "error[license.holder_code_type_mismatch]: holder_code is a unified social credit code (USCC) \
         but holder_code_type 111 says a resident identity number (111) (mismatch.json)\n"
    );
    assert!(!d.join("mismatch.cbor").exists());
}

#[test]
fn wrong_kinds_of_file_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    authority(d);
    ok(&issue(d, &shared("fixtures/business-license.json"), "l.cbor", &[]));
    std::fs::write(d.join("holder.pub.pem"), ok(&yinxin(d, &["key", "public", "holder.pem"]))).unwrap();
    std::fs::write(d.join("notes.txt"), "root certificate: ask the province\n").unwrap();
    // A public key where a private key is needed.
    let o = yinxin(d, &["key", "sign", "--key", "holder.pub.pem", "notes.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o),
        "error[crypto.key_pem_label]: a private key (PKCS#8 \"PRIVATE KEY\" or SEC1 \"EC PRIVATE KEY\" PEM) \
         is needed here, and this file holds a public key (holder.pub.pem)\n"
    );
    // Not a certificate: said in words, never as parser debug text.
    for (file, holds) in [("notes.txt", "text"), ("holder.pem", "a private key"), ("l.cbor", "binary data")] {
        let o = yinxin(d, &["license", "verify", "l.cbor", "--trust", file]);
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(
            err(&o),
            format!(
                "error[trust.not_a_certificate]: not an X.509 certificate (PEM \"CERTIFICATE\" or DER): \
                 the file holds {holds} ({file})\n"
            )
        );
    }
    // Other outputs are not overwritten either.
    let o = yinxin(d, &["key", "sign", "--key", "holder.pem", "--out", "l.cbor", "notes.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).starts_with("error[io.exists]: l.cbor exists"));
    let o = yinxin(
        d,
        &[
            "present",
            "--license",
            "l.cbor",
            "--holder-key",
            "holder.pem",
            "--disclose",
            "holder_name",
            "--out",
            "l.cbor",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).starts_with("error[io.exists]: l.cbor exists"));
    ok(&yinxin(d, &["license", "verify", "l.cbor", "--trust", "auth/root.pem"]));
}

#[test]
fn times_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    authority(d);
    ok(&issue(d, &shared("fixtures/business-license.json"), "l.cbor", &[]));
    // A date is midnight Beijing time, and the command says so.
    let o = yinxin(d, &["license", "verify", "l.cbor", "--trust", "auth/root.pem", "--at", "2026-12-02"]);
    assert_eq!(
        err(&o).lines().next().unwrap(),
        "note: --at 2026-12-02 is taken as 2026-12-01T16:00:00Z (midnight, Beijing time)"
    );
    // Something else: the expected forms, with examples.
    let o = yinxin(d, &["license", "verify", "l.cbor", "--trust", "auth/root.pem", "--at", "yesterday"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o),
        "error[cli.usage]: --at \"yesterday\" is not a time: give an RFC 3339 time such as \
         2026-12-02T09:30:00+08:00 (or ...Z for UTC), or a date such as 2026-12-02 (taken as midnight, \
         Beijing time)\n"
    );
    // clap's usage errors carry the code too.
    let o = yinxin(d, &["license", "revoke", "--registry", "r.db", "--id"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).starts_with("error[cli.usage]: a value is required for '--id <ID>'"), "{}", err(&o));
}

#[test]
fn status_changes_say_what_they_mean_and_what_comes_next() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    authority(d);
    let o = issue(d, &shared("fixtures/business-license.json"), "l.cbor", &["--registry", "r.db"]);
    let id = "1.2.156.3005.2.11100000000013338W001.11510000MB0123456W.510100202411220001.001.B";
    assert!(ok(&o).starts_with(&format!("{id} ")), "the acknowledgement: {}", out(&o));
    let change = |reason: &str, extra: &[&str]| {
        let mut args = vec!["license", "revoke", "--registry", "r.db", "--id", id, "--reason", reason];
        args.extend_from_slice(extra);
        yinxin(d, &args)
    };
    let o = change(" ", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o),
        "error[registry.reason_missing]: a status change needs a reason for the audit log (--reason)\n"
    );
    let o = change("营业执照被依法吊销", &[]);
    assert_eq!(ok(&o), format!("{id}\tINVALID\t2\n"));
    assert_eq!(
        err(&o),
        format!(
            "recorded as audit log entry 2 (yinxin registry log --registry r.db --id {id}).\nVerifiers see \
             the change only once the status lists are published again: yinxin status publish --registry \
             r.db --authority DIR --out DIR\n"
        )
    );
    // The audit log, in text and JSON.
    let log = ok(&yinxin(d, &["registry", "log", "--registry", "r.db"]));
    let lines: Vec<Vec<&str>> = log.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert_eq!((lines[0][0], lines[0][2], lines[0][3]), ("1", id, "issued VALID"));
    assert_eq!((lines[1][0], lines[1][3], lines[1][5]), ("2", "VALID -> INVALID", "营业执照被依法吊销"));
    let entries = json_lines(&yinxin(d, &["registry", "log", "--registry", "r.db", "--id", id, "--json"]));
    assert_eq!(entries[1]["from"], "VALID");
    assert_eq!(entries[1]["to"], "INVALID");
    assert!(entries[0]["from"].is_null());
    let o = yinxin(d, &["registry", "log", "--registry", "r.db", "--after", "1", "--json"]);
    assert_eq!(json_lines(&o).len(), 1, "entries after sequence 1");
    let o = yinxin(d, &["registry", "log", "--registry", "r.db", "--id", "1.2.156.nothing"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).starts_with("error[registry.not_found]"), "{}", err(&o));
    // Publishing says when the lists expire and that they must be published again.
    let o = yinxin(d, &["status", "publish", "--registry", "r.db", "--authority", "auth", "--out", "lists"]);
    ok(&o);
    let e = err(&o);
    assert!(e.starts_with("the lists expire 20") && e.contains("(48 h from now)"), "{e}");
    assert!(e.contains("Publish again before then, on a schedule (e.g. hourly)"), "{e}");
    for hours in ["-1", "0", "100000"] {
        let o = yinxin(
            d,
            &[
                "status",
                "publish",
                "--registry",
                "r.db",
                "--authority",
                "auth",
                "--out",
                "lists",
                "--valid-hours",
                hours,
            ],
        );
        assert_eq!(o.status.code(), Some(2), "--valid-hours {hours}");
        assert!(
            err(&o).starts_with(&format!("error[cli.usage]: --valid-hours {hours}: give 1 to 8784 hours"))
        );
    }
    // Decoding a token shows times as people read them, never Rust debug text.
    let text = ok(&yinxin(d, &["status", "decode", "lists/1.cwt"]));
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("token\tsub https://status.example.gov.cn/11510000MB0123456W/lists/1\tissued 20"),
        "{first}"
    );
    assert!(
        first.contains("Z\texpires 20") && first.ends_with("Z\tcache for 3600 s\t(signature not checked)")
    );
    assert!(!text.contains("Some(") && !text.contains("+00:00:00"), "{text}");
    // The revoked license, with and without the list.
    let o = yinxin(
        d,
        &["license", "verify", "l.cbor", "--trust", "auth/root.pem", "--status-list", "lists/1.cwt"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(err(&o), "error[license.revoked]: revoked\n");
    let o = yinxin(d, &["license", "verify", "l.cbor", "--trust", "auth/root.pem"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("hint: give the issuer's current status list with --status-list LIST.cwt"));
    // Reinstating a revoked license is refused; --json says the change is not yet published.
    let o = yinxin(d, &["license", "reinstate", "--registry", "r.db", "--id", id, "--reason", "x", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let o = change("again", &["--json"]);
    assert_eq!(o.status.code(), Some(1), "revocation is final");
}

#[test]
fn the_json_of_a_status_change() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    authority(d);
    ok(&issue(d, &shared("fixtures/business-license.json"), "l.cbor", &["--registry", "r.db"]));
    let id = "1.2.156.3005.2.11100000000013338W001.11510000MB0123456W.510100202411220001.001.B";
    let o =
        yinxin(d, &["license", "suspend", "--registry", "r.db", "--id", id, "--reason", "核查", "--json"]);
    assert_eq!(
        json(&o),
        serde_json::json!({"identifier": id, "status": "SUSPENDED", "sequence": 2, "published": false})
    );
}

/// Lines of the driving license fixture with distinct identifiers (one per serial in
/// `serials`), each changed by `edit(line number from 1, value)`.
fn batch_input(
    d: &Path,
    name: &str,
    serials: std::ops::Range<usize>,
    mut edit: impl FnMut(usize, &mut serde_json::Value),
) {
    let fixture: serde_json::Value =
        serde_json::from_slice(&std::fs::read(shared("fixtures/driving-license.json")).unwrap()).unwrap();
    let mut text = String::new();
    for (line, i) in serials.enumerate() {
        let serial = format!("51010020260{i:05}");
        let id = ok(&yinxin(
            d,
            &[
                "id",
                "new-license-id",
                "--type-code",
                "11510000MB1C2D3E45005",
                "--issuer",
                "11510000MB1C2D3E45",
                "--serial",
                &serial,
            ],
        ));
        let mut v = fixture.clone();
        v["meta"]["license_identifier"] = id.trim().into();
        edit(line + 1, &mut v);
        text.push_str(&serde_json::to_string(&v).unwrap());
        text.push('\n');
    }
    std::fs::write(d.join(name), text).unwrap();
}

#[test]
fn batches_take_a_key_per_line_and_say_what_happened() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    authority(d); // issuer code 11510000MB0123456W: not the driving license's issuer
    init_authority(d, "police", "sm2", "交管局", "11510000MB1C2D3E45");
    std::fs::create_dir(d.join("keys")).unwrap();
    ok(&yinxin(d, &["key", "generate", "--alg", "es256", "--out", "keys/510104199003071237.pem"]));
    ok(&yinxin(d, &["key", "generate", "--alg", "sm2", "--out", "line2.pem"]));
    let line3 = ok(&yinxin(d, &["key", "public", "holder.pem"]));
    batch_input(d, "in.jsonl", 0..4, |line, v| match line {
        2 => v["holder_key"] = "line2.pem".into(),
        3 => v["holder_key"] = line3.clone().into(),
        4 => v["meta"]["holder_code"] = "510104199003071230".into(), // wrong check character
        _ => {}
    });
    let batch = |authority: &str, input: &str, out_dir: &str| {
        yinxin(
            d,
            &[
                "license",
                "issue-batch",
                "--authority",
                authority,
                "--registry",
                "r.db",
                "--input",
                input,
                "--holder-key-dir",
                "keys",
                "--out-dir",
                out_dir,
                "--quiet",
            ],
        )
    };
    let o = batch("police", "in.jsonl", "out");
    assert_eq!(o.status.code(), Some(1), "one line refused");
    let acks = out(&o);
    assert_eq!(acks.lines().count(), 3, "{acks}");
    let e = err(&o);
    assert!(
        e.starts_with(
            "error[id.resident_id.check]: line 4: holder_code: check character is '0', expected '7'\n"
        ),
        "checked before its holder key is looked for: {e}"
    );
    assert!(
        e.ends_with(
            "issued 3 licenses, 1 refused (lines 4). Acknowledgements (\"<identifier> <status index>\", one \
             per durable issuance) are on standard output; credentials are in out.\n"
        ),
        "{e}"
    );
    // Each line's credential is bound to its own holder key.
    let keys = ["keys/510104199003071237.pem", "line2.pem", "holder.pem"];
    for (ack, key) in acks.lines().zip(keys) {
        let id = ack.split(' ').next().unwrap();
        let o = yinxin(
            d,
            &[
                "present",
                "--license",
                &format!("out/{id}.cbor"),
                "--holder-key",
                key,
                "--disclose",
                "holder_name",
            ],
        );
        ok(&o);
    }
    // An input issued already: every line is a duplicate; the batch stops early and says why.
    batch_input(d, "twelve.jsonl", 100..112, |_, _| {});
    let o = batch("police", "twelve.jsonl", "out");
    assert_eq!(ok(&o).lines().count(), 12);
    assert!(err(&o).starts_with("issued 12 licenses, none refused."), "{}", err(&o));
    let o = batch("police", "twelve.jsonl", "out");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).ends_with(
            "(was this input issued already? `yinxin registry list` shows what the registry holds); stopped \
             at line 10, nothing was issued\n"
        ),
        "{}",
        err(&o)
    );
    // A wrong authority: the first ten lines fail alike, and the batch stops there.
    batch_input(d, "other.jsonl", 200..230, |_, _| {});
    let o = yinxin(
        d,
        &[
            "license",
            "issue-batch",
            "--authority",
            "auth",
            "--registry",
            "other.db",
            "--input",
            "other.jsonl",
            "--holder-key",
            "holder.pem",
            "--out-dir",
            "other",
            "--quiet",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(out(&o), "", "nothing acknowledged");
    let e = err(&o);
    assert_eq!(e.matches("error[license.issuer_code_mismatch]: line ").count(), 10, "{e}");
    assert!(
        e.contains("error[license.issuer_code_mismatch]: line 1: issuer_code 11510000MB1C2D3E45 is not"),
        "{e}"
    );
    assert!(!e.contains("issuance failed"), "the code is not repeated in the message: {e}");
    assert!(
        e.ends_with(
            "error[license.issuer_code_mismatch]: the first 10 lines all failed with \
             license.issuer_code_mismatch, so the cause is not in single lines (is --authority the one that \
             issues these licenses?); stopped at line 10, nothing was issued\n"
        ),
        "{e}"
    );
}

#[test]
fn counter_codes_cut_short_and_terminal_art() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    authority(d);
    ok(&issue(d, &shared("fixtures/business-license.json"), "l.cbor", &["--registry", "r.db"]));
    ok(&yinxin(d, &["status", "publish", "--registry", "r.db", "--authority", "auth", "--out", "lists"]));
    let set = "holder_name,holder_code,legal_representative,valid_until,license_identifier";
    let present = |format: &str| {
        ok(&yinxin(
            d,
            &[
                "present",
                "--license",
                "l.cbor",
                "--holder-key",
                "holder.pem",
                "--disclose",
                set,
                "--format",
                format,
            ],
        ))
    };
    // The terminal art of a counter code fits an 80-column terminal.
    let art = present("terminal");
    let widest = art.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest <= 80, "{widest} columns");
    // A code copied only in part says that it looks truncated.
    let text = present("text");
    let text = text.trim();
    let verify = |qr: &str| {
        yinxin(d, &["verify", qr, "--trust", "auth/root.pem", "--status-list", "lists/1.cwt", "--json"])
    };
    let o = verify(&text[..text.len() * 2 / 3 / 3 * 3]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(json(&o)["error"], "present.qr_truncated");
    assert!(err(&o).starts_with(
        "error[present.qr_truncated]: the QR text looks truncated (cut off when copied or scanned): scan or \
         copy the whole code"
    ));
    let o = verify(text);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!((json(&o)["verdict"].as_str(), json(&o)["status"].as_str()), (Some("VALID"), Some("valid")));
}

#[test]
fn the_demo_says_where_its_files_are_and_keeps_others_safe() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("mine.txt"), "not the demo's").unwrap();
    let o = yinxin(d, &["demo", "--dir", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).starts_with("error[io.exists]: . is not empty; the demo writes keys"), "{}", err(&o));
    let o = yinxin(d, &["demo", "--dir", "kept"]);
    assert!(ok(&o).starts_with("yinxin demo (working in kept; the files stay there)\n"));
    assert!(d.join("kept/root.pem").exists());
    assert_eq!(std::fs::read_to_string(d.join("mine.txt")).unwrap(), "not the demo's");
}
