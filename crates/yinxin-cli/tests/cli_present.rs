//! Golden tests of `yinxin present` and `yinxin verify`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;
use common::{init_authority, json, ok, yinxin};

use std::path::Path;

/// An authority in `auth` (the issuer of `code`), a holder key in `holder.pem`, and `fixture`
/// issued to it as `l.cbor` (recorded in `reg.db` when `registry`).
fn issued(d: &Path, alg: &str, code: &str, fixture: &str, registry: bool) {
    init_authority(d, "auth", alg, "发证机关", code);
    ok(&yinxin(d, &["key", "generate", "--alg", "es256", "--out", "holder.pem"]));
    let fixture = yinxin_test_vectors::fixture_path(fixture);
    let mut args = vec!["license", "issue", "--authority", "auth", "--license", fixture.to_str().unwrap()];
    args.extend(["--holder-key", "holder.pem", "--out", "l.cbor"]);
    if registry {
        args.extend(["--registry", "reg.db"]);
    }
    ok(&yinxin(d, &args));
}

#[test]
fn present_and_verify_at_the_counter() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    issued(d, "ed25519", "11510000MB0123456W", "business-license.json", true);
    ok(&yinxin(d, &["status", "publish", "--registry", "reg.db", "--authority", "auth", "--out", "lists"]));

    let text = ok(&yinxin(
        d,
        &[
            "present",
            "--license",
            "l.cbor",
            "--holder-key",
            "holder.pem",
            "--disclose",
            "holder_name,legal_representative",
        ],
    ));
    let text = text.trim();
    assert!(text.starts_with("YX1:"));
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", "--trust", "auth/root.pem", "--status-list", "lists/1.cwt", "--json"];
        args.extend_from_slice(extra);
        yinxin(d, &args)
    };
    let o = verify(&[text, "--replay-cache", "replay.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    assert_eq!(v["valid"], true);
    assert_eq!(v["doc_type"], "cn.gov.elicense.11100000000013338W001");
    assert_eq!(
        v["disclosed"],
        serde_json::json!({"holder_name": "成都天府示例科技有限公司", "legal_representative": "李四"})
    );
    assert!(v["age_s"].as_i64().unwrap() <= 2);
    assert!(v["created"].as_i64().unwrap() > 1_700_000_000);
    // The business license's counter_check set was pre-signed: a compact code of at most 700
    // characters, checked with the issuer certificate learned from the status list.
    let compact = ok(&yinxin(
        d,
        &[
            "present",
            "--license",
            "l.cbor",
            "--holder-key",
            "holder.pem",
            "--disclose",
            "holder_name,holder_code,legal_representative,valid_until,license_identifier",
        ],
    ));
    let compact = compact.trim();
    assert!(compact.len() <= 700, "{} characters", compact.len());
    let o = verify(&[compact]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(json(&o)["disclosed"]["holder_code"], "91510100MA61ABCDE3");
    let o = yinxin(d, &["verify", compact, "--trust", "auth/root.pem", "--json"]);
    let verdict = json(&o);
    assert_eq!(verdict["error"], "license.issuer_key_unknown", "no status list and no --issuer-cert");
    let hint = String::from_utf8_lossy(&o.stderr);
    assert!(hint.contains("--issuer-cert"), "says how to supply the issuer: {hint}");
    let again = ok(&yinxin(
        d,
        &[
            "present",
            "--license",
            "l.cbor",
            "--holder-key",
            "holder.pem",
            "--disclose",
            "holder_name,holder_code,legal_representative,valid_until,license_identifier",
        ],
    ));
    let o = yinxin(
        d,
        &[
            "verify",
            again.trim(),
            "--trust",
            "auth/root.pem",
            "--issuer-cert",
            "auth/issuer.pem",
            "--accept-unknown-status",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    // Second time: replayed (the guard persisted in the file).
    let o = verify(&[text, "--replay-cache", "replay.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["error"], "present.replayed");
    // Expired: verified 10 minutes later.
    let later = (time::OffsetDateTime::now_utc() + time::Duration::minutes(10))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let o = verify(&[text, "--at", &later]);
    assert_eq!(json(&o)["error"], "present.expired");
    // Revoked.
    let id = "1.2.156.3005.2.11100000000013338W001.11510000MB0123456W.510100202411220001.001.B";
    ok(&yinxin(d, &["license", "revoke", "--registry", "reg.db", "--id", id, "--reason", "test"]));
    ok(&yinxin(d, &["status", "publish", "--registry", "reg.db", "--authority", "auth", "--out", "lists"]));
    let fresh = ok(&yinxin(
        d,
        &["present", "--license", "l.cbor", "--holder-key", "holder.pem", "--disclose", "holder_name"],
    ));
    let o = verify(&[fresh.trim()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["error"], "license.revoked");
    // Unreadable QR text: exit 2.
    let o = verify(&["YX1:@@@"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(json(&o)["error"], "present.qr_encoding");
    // Another holder's key cannot present this license.
    ok(&yinxin(d, &["key", "generate", "--alg", "es256", "--out", "thief.pem"]));
    let o = yinxin(d, &["present", "--license", "l.cbor", "--holder-key", "thief.pem", "--disclose-all"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error[present.holder_key_mismatch]"));
}

#[test]
fn qr_images_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    issued(d, "es256", "11510000MB1C2D3E45", "driving-license.json", false);
    ok(&yinxin(
        d,
        &[
            "present",
            "--license",
            "l.cbor",
            "--holder-key",
            "holder.pem",
            "--disclose",
            "vehicle_class",
            "--format",
            "png",
            "--out",
            "qr.png",
        ],
    ));
    ok(&yinxin(
        d,
        &[
            "present",
            "--license",
            "l.cbor",
            "--holder-key",
            "holder.pem",
            "--disclose",
            "vehicle_class",
            "--format",
            "svg",
            "--out",
            "qr.svg",
        ],
    ));
    assert!(std::fs::read_to_string(d.join("qr.svg")).unwrap().contains("<svg"));
    let term = ok(&yinxin(
        d,
        &[
            "present",
            "--license",
            "l.cbor",
            "--holder-key",
            "holder.pem",
            "--disclose",
            "vehicle_class",
            "--format",
            "terminal",
        ],
    ));
    assert!(term.contains('█'));
    let o = yinxin(
        d,
        &[
            "verify",
            "--image",
            "qr.png",
            "--trust",
            "auth/root.pem",
            "--issuer-cert",
            "auth/issuer.pem",
            "--accept-unknown-status",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(json(&o)["disclosed"]["vehicle_class"], "C1");
    // Not an image.
    std::fs::write(d.join("x.png"), b"not a png").unwrap();
    assert_eq!(yinxin(d, &["verify", "--image", "x.png", "--trust", "auth/root.pem"]).status.code(), Some(2));
}

/// A camera-like copy of a QR image: scaled by 1.6, rotated by 4 degrees, on a grey
/// background, with pixel noise. Nearest-neighbour sampling, done here to stay independent of
/// the code under test.
fn photograph(png: &[u8]) -> Vec<u8> {
    let src = image::load_from_memory(png).unwrap().to_luma8();
    let (w, h) = src.dimensions();
    let (scale, angle) = (1.6f32, 4f32.to_radians());
    let (ow, oh) = ((w as f32 * scale * 1.15) as u32, (h as f32 * scale * 1.15) as u32);
    let (cx, cy) = (ow as f32 / 2.0, oh as f32 / 2.0);
    let mut out = image::GrayImage::new(ow, oh);
    let mut noise: u32 = 0x1234_5678;
    for (x, y, px) in out.enumerate_pixels_mut() {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let sx = (dx * angle.cos() + dy * angle.sin()) / scale + w as f32 / 2.0;
        let sy = (-dx * angle.sin() + dy * angle.cos()) / scale + h as f32 / 2.0;
        let base = if sx >= 0.0 && sy >= 0.0 && (sx as u32) < w && (sy as u32) < h {
            src.get_pixel(sx as u32, sy as u32)[0]
        } else {
            200
        };
        noise ^= noise << 13;
        noise ^= noise >> 17;
        noise ^= noise << 5;
        let jitter = (noise % 61) as i32 - 30;
        px[0] = (i32::from(base) + jitter).clamp(0, 255) as u8;
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    out.write_to(&mut buf, image::ImageFormat::Png).unwrap();
    buf.into_inner()
}

#[test]
fn qr_codes_are_read_from_camera_like_photos() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    issued(d, "ed25519", "11510000MB1C2D3E45", "driving-license.json", false);
    ok(&yinxin(
        d,
        &[
            "present",
            "--license",
            "l.cbor",
            "--holder-key",
            "holder.pem",
            "--disclose",
            "holder_name,date_of_birth,vehicle_class,valid_until",
            "--format",
            "png",
            "--out",
            "qr.png",
        ],
    ));
    std::fs::write(d.join("photo.png"), photograph(&std::fs::read(d.join("qr.png")).unwrap())).unwrap();
    let o = yinxin(
        d,
        &[
            "verify",
            "--image",
            "photo.png",
            "--trust",
            "auth/root.pem",
            "--issuer-cert",
            "auth/issuer.pem",
            "--accept-unknown-status",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(json(&o)["disclosed"]["vehicle_class"], "C1");
}

/// Two counters sharing one replay cache file: of many simultaneous scans of one code, exactly
/// one is accepted (the cache is locked from reading it to writing it back).
#[test]
fn counters_sharing_a_replay_cache_accept_a_code_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    issued(d, "ed25519", "11510000MB0123456W", "business-license.json", true);
    ok(&yinxin(d, &["status", "publish", "--registry", "reg.db", "--authority", "auth", "--out", "lists"]));
    let set = "holder_name,holder_code,legal_representative,valid_until,license_identifier";
    for round in 0..3 {
        let text = ok(&yinxin(
            d,
            &["present", "--license", "l.cbor", "--holder-key", "holder.pem", "--disclose", set],
        ));
        let children: Vec<_> = (0..8)
            .map(|_| {
                std::process::Command::new(env!("CARGO_BIN_EXE_yinxin"))
                    .args(["verify", text.trim(), "--trust", "auth/root.pem", "--status-list", "lists/1.cwt"])
                    .args(["--replay-cache", "shared-replay.json", "--json"])
                    .current_dir(d)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outputs: Vec<_> = children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
        let accepted = outputs.iter().filter(|o| o.status.code() == Some(0)).count();
        assert_eq!(accepted, 1, "round {round}: {accepted} of 8 counters accepted the same code");
        for o in outputs.iter().filter(|o| o.status.code() != Some(0)) {
            assert_eq!(json(o)["error"], "present.replayed", "{}", String::from_utf8_lossy(&o.stderr));
        }
    }
}
