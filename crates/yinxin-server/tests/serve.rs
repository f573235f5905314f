//! `yinxin serve` as a client sees it: media types, ETags and 304, Cache-Control, HEAD,
//! replaced files, and the requests it must survive (traversal, hidden files, huge heads, slow
//! clients, garbage, methods other than GET).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use yinxin::crypto::Algorithm;
use yinxin::status::{StatusList, StatusListToken, TokenClaims};
use yinxin_server::{Limits, ServeOptions, Server};
use yinxin_test_vectors::kit;

struct Running {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), yinxin_server::ServeError>>,
}

async fn start(dir: &Path, limits: Limits) -> Running {
    let options = ServeOptions {
        dir: dir.to_path_buf(),
        addr: "127.0.0.1:0".into(),
        tls: None,
        limits,
        verifier: None,
        status_list_files: Vec::new(),
    };
    let server = Server::bind(&options).await.unwrap();
    let addr = server.local_addr().unwrap();
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async move {
        let _ = rx.await;
    }));
    Running { addr, stop, task }
}

impl Running {
    async fn stop(self) {
        self.stop.send(()).unwrap();
        self.task.await.unwrap().unwrap();
    }
}

/// Sends `request` as is and reads until the server closes the connection.
async fn raw(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    out
}

async fn get(addr: SocketAddr, path: &str, extra: &str) -> (String, Vec<u8>) {
    let req = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{extra}\r\n");
    let resp = raw(addr, req.as_bytes()).await;
    let split = resp.windows(4).position(|w| w == b"\r\n\r\n").map_or(resp.len(), |p| p + 4);
    (String::from_utf8_lossy(&resp[..split]).to_lowercase(), resp[split..].to_vec())
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| l.strip_prefix(&format!("{name}: "))).map(str::trim)
}

fn status_token(ttl: u64) -> Vec<u8> {
    let now = OffsetDateTime::now_utc();
    let root = kit::root(Algorithm::Ed25519, "root", now);
    let (key, cert) = kit::signer(&root, Algorithm::Ed25519, "issuer", kit::ISSUER_CODE, now, 30);
    let mut list = StatusList::new(2, 1 << 16).unwrap();
    list.set(7, 1).unwrap();
    let claims = TokenClaims {
        sub: "http://127.0.0.1/sc/lists/1".into(),
        iat: now,
        exp: Some(now + time::Duration::hours(2)),
        ttl: Some(ttl),
    };
    StatusListToken::sign(&list, &claims, &key, &[cert]).unwrap()
}

fn publication() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("pub/sc/lists")).unwrap();
    std::fs::create_dir_all(dir.path().join("pub/trust")).unwrap();
    std::fs::write(dir.path().join("pub/sc/lists/1.cwt"), status_token(600)).unwrap();
    let now = OffsetDateTime::now_utc();
    let op = kit::operator(Algorithm::Es256, "四川", kit::ISSUER_CODE, now);
    let authority = kit::root(Algorithm::Es256, "sc", now);
    let list = op.list("510000", 1, now, &[(authority.certificate(), &["11100000000013338W001"])]);
    std::fs::write(dir.path().join("pub/trust/sc.cbor"), list).unwrap();
    std::fs::write(dir.path().join("secret.txt"), b"outside the publication directory").unwrap();
    dir
}

#[tokio::test]
async fn files_are_served_with_their_media_type_etag_and_freshness() {
    let dir = publication();
    let s = start(&dir.path().join("pub"), Limits::default()).await;
    // The URI a license names (no suffix) finds the file status publish wrote.
    let (head, body) = get(s.addr, "/sc/lists/1", "").await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert_eq!(header(&head, "content-type"), Some("application/statuslist+cwt"));
    assert_eq!(body, std::fs::read(dir.path().join("pub/sc/lists/1.cwt")).unwrap());
    assert_eq!(header(&head, "cache-control"), Some("public, max-age=600"), "the token's ttl");
    let etag = header(&head, "etag").unwrap().to_owned();
    // Conditional: 304 with no body; another tag: 200.
    let (head, body) = get(s.addr, "/sc/lists/1", &format!("If-None-Match: {etag}\r\n")).await;
    assert!(head.starts_with("http/1.1 304"), "{head}");
    assert!(body.is_empty());
    assert_eq!(header(&head, "etag"), Some(etag.as_str()));
    let (head, _) = get(s.addr, "/sc/lists/1", "If-None-Match: \"other\"\r\n").await;
    assert!(head.starts_with("http/1.1 200"));
    // HEAD: the headers of GET, no body. Range: ignored, the whole file.
    let resp = raw(s.addr, b"HEAD /sc/lists/1.cwt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
    let text = String::from_utf8_lossy(&resp).to_lowercase();
    assert!(text.starts_with("http/1.1 200") && text.ends_with("\r\n\r\n"), "{text}");
    let (head, body) = get(s.addr, "/sc/lists/1", "Range: bytes=0-9\r\n").await;
    assert!(head.starts_with("http/1.1 200") && body.len() > 10);
    // A trust list.
    let (head, _) = get(s.addr, "/trust/sc.cbor", "").await;
    assert_eq!(header(&head, "content-type"), Some("application/cose"));
    let max_age: u64 =
        header(&head, "cache-control").unwrap().trim_start_matches("public, max-age=").parse().unwrap();
    assert!(max_age <= 3600 && max_age > 3000, "{max_age}");
    let (head, body) = get(s.addr, "/health", "").await;
    assert!(head.starts_with("http/1.1 200") && body == b"{\"status\":\"ok\"}\n");

    // Replaced atomically (as status publish does): the new file, a new ETag.
    let path = dir.path().join("pub/sc/lists/1.cwt");
    let tmp = dir.path().join("pub/sc/lists/.tmp1");
    std::fs::write(&tmp, status_token(60)).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    let (head, body) = get(s.addr, "/sc/lists/1", &format!("If-None-Match: {etag}\r\n")).await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert_ne!(header(&head, "etag"), Some(etag.as_str()));
    assert_eq!(header(&head, "cache-control"), Some("public, max-age=60"));
    assert_eq!(body, std::fs::read(&path).unwrap());
    s.stop().await;
}

#[tokio::test]
async fn hostile_requests_are_answered_and_the_server_keeps_serving() {
    let dir = publication();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), dir.path().join("pub/link")).unwrap();
    std::fs::write(dir.path().join("pub/.hidden"), b"x").unwrap();
    let limits = Limits { header_timeout: Duration::from_millis(300), ..Limits::default() };
    let s = start(&dir.path().join("pub"), limits).await;
    for (path, status) in [
        ("/../secret.txt", "400"),
        ("/sc/../../secret.txt", "400"),
        ("/%2e%2e/secret.txt", "400"),
        ("/.hidden", "400"),
        ("/sc/lists/.tmp1", "400"),
        ("/link", "404"),
        ("/sc/lists", "404"),
        ("/nothing", "404"),
        ("//etc/passwd", "400"),
    ] {
        let (head, body) = get(s.addr, path, "").await;
        assert!(head.starts_with(&format!("http/1.1 {status}")), "{path}: {head}");
        assert!(!String::from_utf8_lossy(&body).contains("outside"), "{path}");
    }
    // Other methods.
    let resp = raw(
        s.addr,
        b"POST /sc/lists/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
    )
    .await;
    let text = String::from_utf8_lossy(&resp).to_lowercase();
    assert!(text.starts_with("http/1.1 405") && text.contains("allow: get, head"), "{text}");
    // A head larger than the limit: refused, not buffered without end.
    let huge = format!("GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "a".repeat(64 * 1024));
    let resp = raw(s.addr, huge.as_bytes()).await;
    assert!(
        resp.is_empty() || String::from_utf8_lossy(&resp).starts_with("HTTP/1.1 431"),
        "{}",
        String::from_utf8_lossy(&resp)
    );
    // Garbage.
    let resp = raw(s.addr, b"\x16\x03\x01\x02\x00garbage\r\n\r\n").await;
    assert!(resp.is_empty() || resp.starts_with(b"HTTP/1.1 400"));
    // A slow client that never finishes its head is cut off (the read ends when it is).
    let mut slow = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    slow.write_all(b"GET /sc/lists/1 HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest).await;
    // Still serving.
    let (head, _) = get(s.addr, "/health", "").await;
    assert!(head.starts_with("http/1.1 200"));
    s.stop().await;
}

#[tokio::test]
async fn a_missing_directory_or_a_taken_port_is_a_clear_error() {
    let dir = publication();
    let missing = ServeOptions {
        dir: dir.path().join("nope"),
        addr: "127.0.0.1:0".into(),
        tls: None,
        limits: Limits::default(),
        verifier: None,
        status_list_files: Vec::new(),
    };
    let err = Server::bind(&missing).await.err().unwrap();
    assert_eq!(yinxin::ErrorCode::code(&err), "serve.directory");
    let s = start(&dir.path().join("pub"), Limits::default()).await;
    let taken = ServeOptions {
        dir: dir.path().join("pub"),
        addr: s.addr.to_string(),
        tls: None,
        limits: Limits::default(),
        verifier: None,
        status_list_files: Vec::new(),
    };
    assert_eq!(yinxin::ErrorCode::code(&Server::bind(&taken).await.err().unwrap()), "serve.bind");
    s.stop().await;
}

#[tokio::test]
async fn https_with_a_rustls_certificate() {
    use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
    use tokio_rustls::rustls::{ClientConfig, RootCertStore};

    let dir = publication();
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let cert =
        rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap().self_signed(&key).unwrap();
    std::fs::write(dir.path().join("tls.pem"), cert.pem()).unwrap();
    std::fs::write(dir.path().join("tls.key"), key.serialize_pem()).unwrap();
    let options = ServeOptions {
        dir: dir.path().join("pub"),
        addr: "127.0.0.1:0".into(),
        tls: Some(yinxin_server::TlsFiles {
            cert: dir.path().join("tls.pem"),
            key: dir.path().join("tls.key"),
        }),
        limits: Limits::default(),
        verifier: None,
        status_list_files: Vec::new(),
    };
    let server = Server::bind(&options).await.unwrap();
    assert!(server.is_tls());
    let addr = server.local_addr().unwrap();
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async move {
        let _ = rx.await;
    }));

    let mut roots = RootCertStore::empty();
    roots.add(CertificateDer::from(cert.der().to_vec())).unwrap();
    #[allow(deprecated)]
    let provider = std::sync::Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut tls = connector.connect(ServerName::try_from("localhost").unwrap(), tcp).await.unwrap();
    tls.write_all(b"GET /sc/lists/1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut resp = Vec::new();
    let _ = tls.read_to_end(&mut resp).await;
    let text = String::from_utf8_lossy(&resp).to_lowercase();
    assert!(text.starts_with("http/1.1 200") && text.contains("application/statuslist+cwt"), "{text}");
    // Plain HTTP to the HTTPS port gets nothing served.
    let plain = raw(addr, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
    assert!(!String::from_utf8_lossy(&plain).contains("200 OK"));
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();

    // A key that is not one is refused at start, with the reason.
    std::fs::write(
        dir.path().join("bad.key"),
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let bad = ServeOptions {
        tls: Some(yinxin_server::TlsFiles {
            cert: dir.path().join("tls.pem"),
            key: dir.path().join("bad.key"),
        }),
        ..options
    };
    assert_eq!(yinxin::ErrorCode::code(&Server::bind(&bad).await.err().unwrap()), "serve.tls");
}
