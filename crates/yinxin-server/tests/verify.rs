//! `POST /v1/verify`, `/openapi.json` and the counter page as a client sees them: verdicts
//! valid and not (replayed, expired, tampered, untrusted), photos, and the inputs it must
//! refuse (other media types, oversized and endless bodies, junk, text that is not UTF-8).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::net::SocketAddr;
use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use yinxin::crypto::Algorithm;
use yinxin::present::{Disclosure, ReplayGuard};
use yinxin_server::{Limits, ServeOptions, Server};
use yinxin_test_vectors::kit;

const COUNTER_CHECK: [&str; 5] =
    ["holder_name", "holder_code", "legal_representative", "valid_until", "license_identifier"];

async fn start(
    dir: &std::path::Path,
    verifier: Option<yinxin::Verifier>,
) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let options = ServeOptions {
        dir: dir.to_path_buf(),
        addr: "127.0.0.1:0".into(),
        tls: None,
        limits: Limits::default(),
        verifier: verifier.map(Arc::new),
        status_list_files: Vec::new(),
    };
    let server = Server::bind(&options).await.unwrap();
    let addr = server.local_addr().unwrap();
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async move {
        let _ = rx.await;
    }));
    (addr, stop)
}

/// Sends `head` (request line and headers, without the blank line) and `body`; the status
/// and the body of the answer.
async fn send(addr: SocketAddr, head: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("{head}\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let _ = s.write_all(body).await;
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").expect("a response head") + 4;
    let status = String::from_utf8_lossy(&out[9..12]).parse().unwrap();
    (status, out[split..].to_vec())
}

async fn post(addr: SocketAddr, content_type: &str, body: &[u8]) -> (u16, serde_json::Value) {
    let head =
        format!("POST /v1/verify HTTP/1.1\r\nContent-Type: {content_type}\r\nContent-Length: {}", body.len());
    let (status, body) = send(addr, &head, body).await;
    (
        status,
        serde_json::from_slice(&body).unwrap_or_else(|_| panic!("JSON: {}", String::from_utf8_lossy(&body))),
    )
}

fn verifier(world: &kit::Issued) -> yinxin::Verifier {
    yinxin::Verifier::builder()
        .trust_anchor(world.root.certificate().clone())
        .issuer_certificate(world.authority.certificate().clone())
        .accept_unknown_status(true)
        .replay_guard(Arc::new(ReplayGuard::new(Duration::minutes(10), 1000)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn verdicts_as_the_cli_gives_them_with_one_replay_guard_for_all_requests() {
    let world = kit::issued(Algorithm::Ed25519, "business-license.json", Default::default());
    let dir = tempfile::tempdir().unwrap();
    let (addr, stop) = start(dir.path(), Some(verifier(&world))).await;
    let id = world.id();
    let now = OffsetDateTime::now_utc();
    let code = world.wallet.present_qr(&id, Disclosure::Elements(&COUNTER_CHECK), now).unwrap();

    let (status, v) = post(addr, "text/plain; charset=utf-8", format!("{code}\n").as_bytes()).await;
    assert_eq!(status, 200);
    assert_eq!(v["valid"], true);
    assert_eq!(v["verdict"], "VALID");
    assert_eq!(v["disclosed"]["holder_name"], "成都天府示例科技有限公司");
    assert_eq!(v["disclosed"]["legal_representative"], "李四");
    assert_eq!(v["issuer"]["code"], "11510000MB0123456W");
    assert_eq!(v["doc_type"], "cn.gov.elicense.11100000000013338W001");
    // The same code again, on another connection: the guard every request shares refuses it.
    let (status, v) = post(addr, "text/plain", code.as_bytes()).await;
    assert_eq!(
        (status, v["valid"].as_bool(), v["error"].as_str()),
        (200, Some(false), Some("present.replayed"))
    );

    // Too old for the window (five minutes by default).
    let old = world
        .wallet
        .present_qr(&id, Disclosure::Elements(&COUNTER_CHECK), now - Duration::minutes(20))
        .unwrap();
    let (status, v) = post(addr, "text/plain", old.as_bytes()).await;
    assert_eq!((status, v["error"].as_str()), (200, Some("present.expired")));

    // A code of an issuer this server does not trust.
    let other = kit::issued(Algorithm::Ed25519, "business-license.json", Default::default());
    let foreign = other.wallet.present_qr(&other.id(), Disclosure::Elements(&["holder_name"]), now).unwrap();
    let (status, v) = post(addr, "text/plain", foreign.as_bytes()).await;
    assert_eq!(status, 200);
    assert_eq!(v["valid"], false);
    assert!(
        v["error"].as_str().unwrap().starts_with("license.")
            || v["error"].as_str().unwrap().starts_with("trust.")
    );

    // A photo of a fresh code (PNG and JPEG), read by the server.
    let fresh = world.wallet.present_qr(&id, Disclosure::Elements(&["holder_name"]), now).unwrap();
    let png = yinxin::present::qr_image::render_png(&fresh, 4).unwrap();
    let (status, v) = post(addr, "image/png", &png).await;
    assert_eq!((status, v["valid"].as_bool()), (200, Some(true)), "{v}");
    let photo = yinxin_test_vectors::photos().into_iter().find(|p| p.name == "04.jpg").unwrap();
    let (status, v) = post(addr, "image/jpeg", &photo.jpeg).await;
    assert_eq!(status, 200, "a code read from the photo is verified (made long ago: not valid now)");
    assert_eq!(v["valid"], false);
    let _ = stop.send(());
}

#[tokio::test]
async fn unreadable_oversized_and_foreign_bodies_are_refused_with_a_code() {
    let world = kit::issued(Algorithm::Ed25519, "business-license.json", Default::default());
    let dir = tempfile::tempdir().unwrap();
    let (addr, stop) = start(dir.path(), Some(verifier(&world))).await;
    let code = world
        .wallet
        .present_qr(&world.id(), Disclosure::Elements(&COUNTER_CHECK), OffsetDateTime::now_utc())
        .unwrap();

    let (status, v) = post(addr, "text/plain", b"hello").await;
    assert_eq!((status, v["error"].as_str()), (400, Some("present.qr_prefix")));
    assert!(v["message"].as_str().unwrap().contains("YX1:"));
    // Cut short, and one character changed in the middle.
    let (status, v) = post(addr, "text/plain", &code.as_bytes()[..code.len() / 2]).await;
    assert_eq!(status, 400, "{v}");
    let mut tampered = code.clone().into_bytes();
    let mid = tampered.len() / 2;
    tampered[mid] = if tampered[mid] == b'A' { b'B' } else { b'A' };
    let (status, v) = post(addr, "text/plain", &tampered).await;
    assert!(status == 400 || (status == 200 && v["valid"] == false), "{status} {v}");
    assert!(v["error"].is_string());
    let (status, v) = post(addr, "text/plain", &[0xff, 0xfe, 0x00]).await;
    assert_eq!((status, v["error"].as_str()), (400, Some("serve.not_text")));
    let (status, v) = post(addr, "image/png", b"not a picture").await;
    assert_eq!((status, v["error"].as_str()), (400, Some("present.qr_image")));
    let (status, v) = post(addr, "application/json", b"{}").await;
    assert_eq!((status, v["error"].as_str()), (415, Some("serve.unsupported_media_type")));
    let (status, v) = send(addr, "POST /v1/verify HTTP/1.1", b"").await;
    assert_eq!(status, 415, "{}", String::from_utf8_lossy(&v));

    // Over the limit: by Content-Length (nothing read), and chunked without a length.
    let (status, v) = post(addr, "text/plain", &vec![b'A'; 16 * 1024 + 1]).await;
    assert_eq!((status, v["error"].as_str()), (413, Some("serve.body_too_large")));
    let head = "POST /v1/verify HTTP/1.1\r\nContent-Type: image/jpeg\r\nContent-Length: 8388609";
    assert_eq!(send(addr, head, b"").await.0, 413);
    let mut chunked = Vec::new();
    for _ in 0..40 {
        chunked.extend_from_slice(b"400\r\n");
        chunked.extend_from_slice(&[b'A'; 0x400]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let (status, _) = send(
        addr,
        "POST /v1/verify HTTP/1.1\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked",
        &chunked,
    )
    .await;
    assert_eq!(status, 413);
    let (status, body) = send(addr, "GET /v1/verify HTTP/1.1", b"").await;
    assert_eq!(status, 405, "{}", String::from_utf8_lossy(&body));
    // The server still answers properly after all that.
    let (status, v) = post(addr, "text/plain", code.as_bytes()).await;
    assert_eq!((status, v["valid"].as_bool()), (200, Some(true)));
    let _ = stop.send(());
}

#[tokio::test]
async fn the_page_and_the_api_description_are_served_only_with_a_verifier() {
    let world = kit::issued(Algorithm::Ed25519, "business-license.json", Default::default());
    let dir = tempfile::tempdir().unwrap();
    let (addr, stop) = start(dir.path(), Some(verifier(&world))).await;
    let (status, html) = send(addr, "GET / HTTP/1.1", b"").await;
    assert_eq!(status, 200);
    let html = String::from_utf8(html).unwrap();
    for contract in ["id=\"verdict\"", "id=\"elements\"", "lang=\"zh-CN\"", "/counter/app.js"] {
        assert!(html.contains(contract), "{contract}");
    }
    let (status, js) = send(addr, "GET /counter/app.js HTTP/1.1", b"").await;
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&js).contains("/v1/verify"));
    let (status, api) = send(addr, "GET /openapi.json HTTP/1.1", b"").await;
    assert_eq!(status, 200);
    let api: serde_json::Value = serde_json::from_slice(&api).unwrap();
    assert_eq!(api["openapi"], "3.1.0");
    assert!(api["paths"]["/v1/verify"]["post"]["requestBody"]["content"]["text/plain"].is_object());
    let _ = stop.send(());

    // Distribution only: no page, no verification.
    let (addr, stop) = start(dir.path(), None).await;
    assert_eq!(send(addr, "GET / HTTP/1.1", b"").await.0, 400, "not a file path (as before)");
    assert_eq!(send(addr, "GET /openapi.json HTTP/1.1", b"").await.0, 404);
    let head = "POST /v1/verify HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 4";
    assert_eq!(send(addr, head, b"YX1:").await.0, 405);
    let _ = stop.send(());
}
