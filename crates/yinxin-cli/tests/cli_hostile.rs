//! Hostile input to the `yinxin` command (issue 14): endless and oversized files, times and
//! counts at the ends of their range, and replay caches that cannot be trusted. Every case
//! ends with a code and exit 1 or 2, never a panic (exit 101) or an unbounded read.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;
use std::path::Path;

use common::{err, init_authority, json, ok, out, shared, yinxin};

/// A directory with an SM2 authority (business license issuer), a holder key, a credential with a
/// status entry, its published list, a seal maker certificate pair and a seal.
fn world(d: &Path) {
    init_authority(d, "auth", "sm2", "成都市市场监督管理局", "11510000MB0123456W");
    ok(&yinxin(d, &["key", "generate", "--alg", "es256", "--out", "holder.pem"]));
    std::fs::write(d.join("holder.pub.pem"), ok(&yinxin(d, &["key", "public", "holder.pem"]))).unwrap();
    let fixture = shared("fixtures/business-license.json");
    ok(&yinxin(
        d,
        &[
            "license",
            "issue",
            "--authority",
            "auth",
            "--license",
            &fixture,
            "--holder-key",
            "holder.pem",
            "--out",
            "l.cbor",
            "--registry",
            "r.db",
        ],
    ));
    ok(&yinxin(d, &["status", "publish", "--registry", "r.db", "--authority", "auth", "--out", "lists"]));
    ok(&yinxin(
        d,
        &[
            "authority",
            "cert",
            "--dir",
            "auth",
            "--name",
            "某公司",
            "--code",
            "91510100MA61ABCDE3",
            "--out-cert",
            "h.pem",
            "--out-key",
            "hk.pem",
        ],
    ));
}

/// Exit 1 or 2 with `code` (the last error on stderr: a batch prints its summary first), never
/// a panic.
fn refused(o: &std::process::Output, code: &str, what: &str) {
    assert!(matches!(o.status.code(), Some(1 | 2)), "{what}: exit {:?}: {}", o.status.code(), err(o));
    let last = err(o).lines().rfind(|l| l.starts_with("error[")).unwrap_or_default().to_owned();
    assert!(last.starts_with(&format!("error[{code}]")), "{what}: {}", err(o));
}

#[test]
fn endless_input_is_read_only_up_to_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    world(d);
    let z = "/dev/zero";
    let fixture = shared("fixtures/business-license.json");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["key", "public", z], "limit.key"),
        (vec!["key", "sign", "--key", "holder.pem", z], "limit.document"),
        (vec!["key", "verify", "--pub", "holder.pub.pem", "--sig", z, "l.cbor"], "limit.signature"),
        (vec!["license", "verify", z, "--trust", "auth/root.pem"], "limit.credential"),
        (vec!["license", "verify", "l.cbor", "--trust", z], "limit.certificate"),
        (
            vec!["license", "verify", "l.cbor", "--trust", "auth/root.pem", "--status-list", z],
            "limit.status_list",
        ),
        (
            vec![
                "license",
                "issue",
                "--authority",
                "auth",
                "--license",
                z,
                "--holder-key",
                "holder.pem",
                "--out",
                "x.cbor",
            ],
            "limit.license_json",
        ),
        (
            vec![
                "license",
                "issue",
                "--authority",
                "auth",
                "--license",
                &fixture,
                "--holder-key",
                z,
                "--out",
                "x.cbor",
            ],
            "limit.key",
        ),
        (
            vec![
                "license",
                "issue-batch",
                "--authority",
                "auth",
                "--registry",
                "b.db",
                "--input",
                z,
                "--holder-key",
                "holder.pem",
                "--out-dir",
                "b",
                "--quiet",
            ],
            "limit.license_json",
        ),
        (vec!["mdoc", "verify", z], "limit.credential"),
        (vec!["mdoc", "verify", z, "--hex"], "limit.credential"),
        (vec!["status", "decode", z], "limit.status_list"),
        (vec!["status", "get", z, "1"], "limit.status_list"),
        (
            vec!["present", "--license", z, "--holder-key", "holder.pem", "--disclose", "holder_name"],
            "limit.credential",
        ),
        (vec!["verify", "--image", z, "--trust", "auth/root.pem"], "limit.image"),
        (vec!["seal", "inspect", z], "limit.seal"),
        (vec!["seal", "verify", z, "--data", "l.cbor"], "limit.seal"),
        (vec!["ofd", "verify", "l.cbor", "--trust", z], "limit.certificate"),
        (
            vec![
                "seal",
                "make",
                "--maker-key",
                "auth/issuer.key.pem",
                "--maker-cert",
                "auth/issuer.pem",
                "--holder-cert",
                "h.pem",
                "--name",
                "章",
                "--es-id",
                "1",
                "--picture",
                z,
                "--valid-days",
                "30",
                "--out",
                "s.esl",
            ],
            "limit.seal_picture",
        ),
    ];
    for (args, code) in cases {
        refused(&yinxin(d, &args), code, &args.join(" "));
    }
    // The portrait of a license.
    let o = yinxin(
        d,
        &[
            "license",
            "issue",
            "--authority",
            "auth",
            "--license",
            &fixture,
            "--holder-key",
            "holder.pem",
            "--portrait",
            z,
            "--out",
            "p.cbor",
        ],
    );
    refused(&o, "limit.portrait", "portrait");
    assert!(err(&o).contains("/dev/zero: larger than 1 MiB, the most a portrait may be"), "{}", err(&o));
    assert!(!d.join("p.cbor").exists());
}

#[test]
fn oversized_regular_files_are_refused_before_they_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A sparse file of 2 GiB: its size is known before reading.
    let big = d.join("big.ofd");
    std::fs::File::create(&big).unwrap().set_len(2 << 30).unwrap();
    let o = yinxin(d, &["ofd", "verify", "big.ofd"]);
    refused(&o, "limit.ofd", "ofd");
    assert_eq!(err(&o), "error[limit.ofd]: big.ofd: larger than 512 MiB, the most an OFD package may be\n");
    // A batch line longer than any license: the batch stops there.
    std::fs::write(d.join("one-long-line.jsonl"), vec![b'{'; 3 << 20]).unwrap();
    init_authority(d, "auth", "ed25519", "局", "11510000MB0123456W");
    ok(&yinxin(d, &["key", "generate", "--alg", "ed25519", "--out", "holder.pem"]));
    let o = yinxin(
        d,
        &[
            "license",
            "issue-batch",
            "--authority",
            "auth",
            "--registry",
            "b.db",
            "--input",
            "one-long-line.jsonl",
            "--holder-key",
            "holder.pem",
            "--out-dir",
            "b",
            "--quiet",
        ],
    );
    refused(&o, "limit.license_json", "batch");
    assert!(err(&o).contains("one-long-line.jsonl line 1: larger than 2 MiB"), "{}", err(&o));
}

#[test]
fn times_and_counts_at_the_ends_of_their_range() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    world(d);
    let max = "9999-12-31T23:59:59Z";
    let o = yinxin(d, &["license", "verify", "l.cbor", "--trust", "auth/root.pem", "--at", max]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let o = yinxin(d, &["mdoc", "verify", "l.cbor", "--at", max]);
    assert!(out(&o).contains("(NOT valid then: 9999-12-31T23:59:59Z)"), "{}", out(&o));
    let o = yinxin(
        d,
        &["license", "verify", "l.cbor", "--trust", "auth/root.pem", "--at", "9999-12-31T23:59:59-01:00"],
    );
    refused(&o, "cli.usage", "past 9999 in UTC");
    for days in ["99999999999", "0", "-1", "36501"] {
        let o = yinxin(
            d,
            &[
                "authority",
                "init",
                "--dir",
                "a2",
                "--alg",
                "ed25519",
                "--name",
                "x",
                "--code",
                "11510000MB0123456W",
                "--root-days",
                days,
            ],
        );
        refused(&o, "cli.usage", "--root-days");
        let o = yinxin(
            d,
            &[
                "seal",
                "make",
                "--maker-key",
                "auth/issuer.key.pem",
                "--maker-cert",
                "auth/issuer.pem",
                "--holder-cert",
                "h.pem",
                "--name",
                "章",
                "--es-id",
                "1",
                "--picture",
                "auth/root.pem",
                "--valid-days",
                days,
                "--out",
                "s.esl",
            ],
        );
        refused(&o, "cli.usage", "--valid-days");
    }
    // A seal made far ahead whose validity would pass the year 9999.
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbaImage::from_pixel(8, 8, image::Rgba([200, 0, 0, 255]))
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    std::fs::write(d.join("seal.png"), png.get_ref()).unwrap();
    let o = yinxin(
        d,
        &[
            "seal",
            "make",
            "--maker-key",
            "auth/issuer.key.pem",
            "--maker-cert",
            "auth/issuer.pem",
            "--holder-cert",
            "h.pem",
            "--name",
            "章",
            "--es-id",
            "1",
            "--picture",
            "seal.png",
            "--valid-days",
            "365",
            "--at",
            "9999-06-01T00:00:00Z",
            "--out",
            "s.esl",
        ],
    );
    refused(&o, "cli.usage", "seal make far ahead");
    assert!(err(&o).contains("ends after the year 9999"));
    for window in ["-9223372036854775808", "9223372036854775807", "-1", "0", "86401"] {
        let o = yinxin(d, &["verify", "YX1:ABC", "--trust", "auth/root.pem", "--window", window]);
        refused(&o, "cli.usage", "--window");
    }
}

#[test]
fn a_replay_cache_that_cannot_be_trusted_refuses_verification() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    world(d);
    let set = "holder_name,holder_code,legal_representative,valid_until,license_identifier";
    let code =
        ok(&yinxin(d, &["present", "--license", "l.cbor", "--holder-key", "holder.pem", "--disclose", set]));
    let code = code.trim();
    let verify = |cache: &str| {
        yinxin(
            d,
            &[
                "verify",
                code,
                "--trust",
                "auth/root.pem",
                "--status-list",
                "lists/1.cwt",
                "--replay-cache",
                cache,
                "--json",
            ],
        )
    };
    // Not a regular file: refused, and the device or directory is left as it is.
    std::fs::create_dir(d.join("a-dir")).unwrap();
    for cache in ["/dev/zero", "/dev/null", "a-dir"] {
        let o = verify(cache);
        refused(&o, "cli.usage", cache);
        assert!(err(&o).contains("not a regular file"), "{}", err(&o));
    }
    assert!(d.join("a-dir").is_dir());
    // Bytes that are not the cache's text (a nonce that is not UTF-8 made the old cache start
    // empty): refused, the code not accepted, the file left for someone to look at.
    std::fs::write(d.join("broken.json"), b"[{\"nonce\": \"\xff\xfe\", \"created\": 1}]").unwrap();
    let o = verify("broken.json");
    refused(&o, "present.replay_cache_unreadable", "broken cache");
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read(d.join("broken.json")).unwrap(), b"[{\"nonce\": \"\xff\xfe\", \"created\": 1}]");
    // A cache with an entry it cannot use (an odd hex nonce): refused too.
    std::fs::write(d.join("odd.json"), b"[{\"nonce\": \"abc\", \"created\": 1}]").unwrap();
    refused(&verify("odd.json"), "present.replay_cache_unreadable", "odd nonce");
    // A good cache: accepted once, then replayed, through the file.
    assert_eq!(json(&verify("good.json"))["verdict"], "VALID");
    assert_eq!(json(&verify("good.json"))["error"], "present.replayed");
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("good.json")).unwrap()).unwrap();
    assert_eq!(saved.as_array().unwrap().len(), 1);
}
