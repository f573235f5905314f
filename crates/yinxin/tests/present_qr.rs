//! QR text codec and replay guard of presentations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write as _;
use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode;
use yinxin::present::qr_text::{MAX_PAYLOAD, MAX_QR_TEXT, QR_PREFIX, decode, encode};
use yinxin::present::{PresentError, ReplayGuard};

fn cbor(v: &ciborium::Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(v, &mut out).unwrap();
    out
}

#[test]
fn round_trips_and_compresses_only_when_shorter() {
    // Random-looking bytes do not compress: sent as is.
    let small = cbor(&ciborium::Value::Array(vec![ciborium::Value::Bytes(
        (0u8..64).map(|i| i.wrapping_mul(97) ^ 0x5a).collect(),
    )]));
    let text = encode(&small).unwrap();
    assert!(text.starts_with(QR_PREFIX));
    assert_eq!(
        text.len(),
        QR_PREFIX.len() + small.len().div_ceil(2) * 3 - if small.len() % 2 == 1 { 1 } else { 0 }
    );
    assert_eq!(decode(&text).unwrap(), small);
    // Repetitive text compresses: the compressed form is used and is shorter.
    let big = cbor(&ciborium::Value::Map(vec![(
        ciborium::Value::from(1),
        ciborium::Value::Text("营业执照".repeat(40)),
    )]));
    let text = encode(&big).unwrap();
    assert!(text.len() < QR_PREFIX.len() + big.len() * 3 / 2, "{} vs {}", text.len(), big.len());
    assert_eq!(decode(&text).unwrap(), big);
    // Only QR alphanumeric characters.
    assert!(text.chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase() || " $%*+-./:".contains(c)));
    // A trailing newline from a scanner is tolerated.
    assert_eq!(decode(&format!("{text}\r\n")).unwrap(), big);
}

#[test]
fn malformed_text_is_refused_with_codes() {
    let ok = encode(&cbor(&ciborium::Value::Array(vec![]))).unwrap();
    let code = |t: &str| decode(t).unwrap_err().code();
    assert_eq!(code("HC1:ABC"), "present.qr_prefix");
    assert_eq!(code(&ok.to_lowercase()), "present.qr_prefix");
    assert_eq!(code("YX1:@@@"), "present.qr_encoding");
    assert_eq!(code("YX1:A"), "present.qr_truncated", "a lone last base45 character");
    assert_eq!(code(&format!("YX1:{}", "0".repeat(MAX_QR_TEXT))), "present.qr_too_long");
    // A payload that is not a CBOR array or map (here: a text string).
    assert_eq!(
        code(&format!("YX1:{}", base45::encode(cbor(&ciborium::Value::Text("x".into()))))),
        "present.qr_payload"
    );
    assert_eq!(encode(b"\x61x").unwrap_err(), PresentError::QrPayload);
    // A zlib bomb: about 1.5 K characters of QR text inflating to 1 MiB is stopped at the limit.
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let mut bomb = vec![0x9f_u8];
    bomb.extend(std::iter::repeat_n(0u8, 1 << 20));
    z.write_all(&bomb).unwrap();
    let compressed = z.finish().unwrap();
    let text = format!("YX1:{}", base45::encode(&compressed));
    assert!(text.len() < MAX_QR_TEXT);
    assert_eq!(decode(&text).unwrap_err(), PresentError::QrTooLarge(MAX_PAYLOAD));
    // A compressed text cut off anywhere says that it looks truncated (unless the cut leaves
    // characters that are not base45 at all).
    let long = cbor(&ciborium::Value::Array(vec![ciborium::Value::Text("营业执照 ".repeat(40)); 4]));
    let full = encode(&long).unwrap();
    assert!(base45::decode(&full[4..]).unwrap()[0] == 0x78, "compressed");
    let mut truncated = 0;
    // (Under three characters nothing says yet that it was compressed.)
    for cut in 7..full.len() {
        let c = code(&full[..cut]);
        assert!(c == "present.qr_truncated" || c == "present.qr_encoding", "cut at {cut}: {c}");
        truncated += usize::from(c == "present.qr_truncated");
    }
    assert!(truncated * 3 >= (full.len() - 7) * 2, "{truncated} of {} cuts", full.len() - 7);
    // Corrupt zlib.
    let mut bad = compressed.clone();
    bad[10] ^= 0xff;
    bad.truncate(40);
    assert!(matches!(
        decode(&format!("YX1:{}", base45::encode(&bad))).unwrap_err().code(),
        "present.qr_inflate" | "present.qr_too_large"
    ));
}

#[test]
fn what_decodes_re_encodes_to_what_decodes_the_same() {
    // Found by the qr_text fuzz target: an uncompressed payload that is not one CBOR item, whose
    // compressed re-encoding ends in a two-character group. The truncation check dropped the
    // last byte of the inflated payload (the unsure byte is in the zlib stream) and called the
    // re-encoding truncated.
    let text = "YX1:NLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLDLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLDLLLLLLLLLLLLLLLLLLLLLLLLLLLLGD13CD35";
    let payload = decode(text).unwrap();
    let again = encode(&payload).unwrap();
    assert_eq!(decode(&again).unwrap(), payload);
}

#[test]
fn replay_guard_accepts_each_nonce_once_within_the_window() {
    let now = OffsetDateTime::now_utc();
    let guard = ReplayGuard::new(Duration::seconds(300), 1000);
    guard.check_and_record(b"nonce-1", now, now).unwrap();
    assert_eq!(
        guard.check_and_record(b"nonce-1", now, now + Duration::seconds(10)).unwrap_err().code(),
        "present.replayed"
    );
    guard.check_and_record(b"nonce-2", now, now).unwrap();
    // After the window the nonce is forgotten (the presentation would be stale anyway).
    guard.check_and_record(b"nonce-1", now + Duration::seconds(400), now + Duration::seconds(400)).unwrap();
    assert_eq!(guard.len(), 1, "old nonces purged");
    assert_eq!(guard.check_and_record(b"", now, now).unwrap_err().code(), "present.nonce");
    assert_eq!(guard.check_and_record(&[0; 65], now, now).unwrap_err().code(), "present.nonce");
}

#[test]
fn replay_guard_fails_closed_when_full() {
    let now = OffsetDateTime::now_utc();
    let guard = ReplayGuard::new(Duration::seconds(300), 3);
    for n in [b"a", b"b", b"c"] {
        guard.check_and_record(n, now, now).unwrap();
    }
    assert_eq!(guard.check_and_record(b"d", now, now).unwrap_err(), PresentError::ReplayGuardFull);
    // Once the window has passed there is room again.
    guard.check_and_record(b"d", now + Duration::seconds(301), now + Duration::seconds(301)).unwrap();
}

#[test]
fn replay_guard_is_safe_across_threads() {
    let now = OffsetDateTime::now_utc();
    let guard = Arc::new(ReplayGuard::new(Duration::seconds(300), 10_000));
    let accepted: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let guard = guard.clone();
                s.spawn(move || {
                    (0..100)
                        .filter(|i| guard.check_and_record(format!("n{i}").as_bytes(), now, now).is_ok())
                        .count()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(accepted, 100, "each nonce accepted exactly once across 8 threads");
}
