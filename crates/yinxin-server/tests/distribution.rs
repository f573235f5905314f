//! The whole distribution path: authorities publish status lists and operators publish trust
//! lists into a directory, `yinxin serve` serves it, and a verifier in the other region fetches
//! over HTTP, keeps copies, and carries on offline; the server going down, sending garbage or
//! a 2 GB body, or serving an older list never makes it trust more than it should.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use time::{Duration, OffsetDateTime};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use yinxin::ErrorCode;
use yinxin::authority::ListValidity;
use yinxin::crypto::Algorithm;
use yinxin::fetch::SourceOutcome;
use yinxin::license::IssueOptions;
use yinxin::status::{Status, StatusList, StatusOutcome, StatusReference};
use yinxin::trust::Certificate;
use yinxin_server::{Limits, ServeOptions, Server};
use yinxin_test_vectors::kit::{self, Issued, Operator};

const BUSINESS: &str = "11100000000013338W001";

struct Region {
    operator: Operator,
    issued: Issued,
    code: &'static str,
    uri: String,
    list_path: PathBuf,
}

struct World {
    dir: tempfile::TempDir,
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), yinxin_server::ServeError>>>,
    sc: Region,
    cq: Region,
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn publish(region: &Region, dir: &Path, revoked: &[u64], ttl: Duration) {
    let mut list = StatusList::new(2, 1024).unwrap();
    for &i in revoked {
        list.set(i, 1).unwrap();
    }
    let validity = ListValidity { valid_for: Duration::hours(2), ttl };
    let signed = region.issued.authority.sign_status_list(&region.uri, &list, validity, now()).unwrap();
    let path = dir.join(&region.list_path);
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, &signed.token).unwrap();
    std::fs::rename(tmp, path).unwrap();
}

fn write_list(dir: &Path, region: &Region, issue: u64, entries: &[(&Certificate, &[&str])]) {
    let bytes =
        region.operator.list(if region.code == "sc" { "510000" } else { "500000" }, issue, now(), entries);
    std::fs::write(dir.join(format!("trust/{}.cbor", region.code)), bytes).unwrap();
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let public = dir.path().join("pub");
    std::fs::create_dir_all(public.join("trust")).unwrap();
    let server = Server::bind(&ServeOptions {
        dir: public.clone(),
        addr: "127.0.0.1:0".into(),
        tls: None,
        limits: Limits::default(),
        verifier: None,
        status_list_files: Vec::new(),
    })
    .await
    .unwrap();
    let addr = server.local_addr().unwrap();
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async move {
        let _ = rx.await;
    }));
    let region = |code: &'static str, operator_code: String| {
        std::fs::create_dir_all(public.join(code).join("lists")).unwrap();
        let uri = format!("http://{addr}/{code}/lists/1");
        let options = IssueOptions {
            status: Some(StatusReference { index: 7, uri: uri.clone() }),
            ..IssueOptions::default()
        };
        Region {
            operator: kit::operator(Algorithm::Es256, code, &operator_code, now()),
            issued: kit::issued(Algorithm::Es256, "business-license.json", options),
            code,
            uri,
            list_path: PathBuf::from(format!("{code}/lists/1.cwt")),
        }
    };
    let sc = region("sc", kit::ISSUER_CODE.to_owned());
    let cq = region("cq", yinxin_test_vectors::uscc_with_check("11500000MB1600001"));
    for r in [&sc, &cq] {
        publish(r, &public, &[], Duration::seconds(60));
        write_list(&public, r, 1, &[(r.issued.root.certificate(), &[BUSINESS])]);
    }
    World { dir, addr, stop: Some(stop), task: Some(task), sc, cq }
}

impl World {
    fn public(&self) -> PathBuf {
        self.dir.path().join("pub")
    }

    fn cache(&self) -> PathBuf {
        self.dir.path().join("cache")
    }

    /// A verifier in either region: both operators' roots, both lists by URL, the cache.
    fn verifier_with(&self, urls: &[String]) -> Result<yinxin::Verifier, yinxin::VerifierError> {
        let mut b = yinxin::Verifier::builder()
            .list_operator(self.sc.operator.root.certificate().clone())
            .list_operator(self.cq.operator.root.certificate().clone())
            .fetch_over_http()
            .cache_dir(self.cache());
        for u in urls {
            b = b.trust_list_url(u.clone());
        }
        b.build()
    }

    fn urls(&self) -> Vec<String> {
        vec![format!("http://{}/trust/sc.cbor", self.addr), format!("http://{}/trust/cq", self.addr)]
    }

    fn verifier(&self) -> yinxin::Verifier {
        self.verifier_with(&self.urls()).unwrap()
    }

    async fn stop_server(&mut self) {
        self.stop.take().unwrap().send(()).unwrap();
        self.task.take().unwrap().await.unwrap().unwrap();
    }
}

fn outcomes(v: &yinxin::Verifier, at: OffsetDateTime) -> Vec<SourceOutcome> {
    v.refresh_trust_lists(at, true).into_iter().map(|r| r.outcome).collect()
}

// The verifier blocks on the network (its transport is synchronous): run it off the runtime.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn both_regions_over_http_then_offline_from_the_cache() {
    let mut w = world().await;
    let v = w.verifier();
    let t = now();
    let (v, out) = blocking(move || {
        let out = outcomes(&v, t);
        (v, out)
    })
    .await;
    assert!(out.iter().all(|o| matches!(o, SourceOutcome::Updated { issue_id: Some(1), .. })), "{out:?}");
    let (sc_bytes, cq_bytes) = (w.sc.issued.license.bytes.clone(), w.cq.issued.license.bytes.clone());
    let (v, a, b) = blocking(move || {
        let a = v.verify_license(&sc_bytes, t).map(|l| l.status_outcome().cloned());
        let b = v.verify_license(&cq_bytes, t).map(|l| l.status_outcome().cloned());
        (v, a, b)
    })
    .await;
    assert_eq!(a.unwrap(), Some(StatusOutcome::Known(Status::Valid)), "fetched by the URI in the license");
    assert_eq!(b.unwrap(), Some(StatusOutcome::Known(Status::Valid)));
    // Revoked and republished: seen once the list's ttl (60 s) has run out.
    publish(&w.sc, &w.public(), &[7], Duration::seconds(60));
    let sc = w.sc.issued.license.bytes.clone();
    let (v, before, after) = blocking(move || {
        let before = v.verify_license(&sc, t + Duration::seconds(30)).map(|_| ()).map_err(|e| e.code());
        let after = v.verify_license(&sc, t + Duration::seconds(61)).map(|_| ()).map_err(|e| e.code());
        (v, before, after)
    })
    .await;
    assert_eq!(before, Ok(()), "within its ttl the list held is used");
    assert_eq!(after, Err("license.revoked"));
    drop(v);

    // The server goes down: a verifier started afterwards works from the cache.
    w.stop_server().await;
    let offline = w.verifier();
    let (sc, cq) = (w.sc.issued.license.bytes.clone(), w.cq.issued.license.bytes.clone());
    let (out, a, b, late) = blocking(move || {
        let out = outcomes(&offline, t);
        let a = offline.verify_license(&sc, t + Duration::seconds(90)).map(|_| ()).map_err(|e| e.code());
        let b = offline.verify_license(&cq, t + Duration::seconds(90)).map(|_| ()).map_err(|e| e.code());
        // Past the cached lists' exp (two hours): status unknown, refused.
        let late = offline.verify_license(&cq, t + Duration::hours(3)).map(|_| ()).map_err(|e| e.code());
        (out, a, b, late)
    })
    .await;
    assert!(
        out.iter().all(|o| matches!(o, SourceOutcome::Failed { code: "fetch.network", cached: true, .. })),
        "{out:?}"
    );
    assert_eq!(a, Err("license.revoked"), "the revocation seen before is kept offline");
    assert_eq!(b, Ok(()));
    assert_eq!(late, Err("license.status_unknown"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_older_list_on_the_server_is_refused_and_the_newer_one_kept() {
    let w = world().await;
    let kept = w.sc.issued.root.certificate().clone();
    let dropped = kit::issued(Algorithm::Es256, "business-license.json", IssueOptions::default());
    let dropped_root = dropped.root.certificate().clone();
    write_list(&w.public(), &w.sc, 2, &[(&kept, &[BUSINESS]), (&dropped_root, &[BUSINESS])]);
    let v = w.verifier();
    let t = now();
    let (v, out) = blocking(move || (outcomes(&v, t), v)).await.swap();
    assert!(matches!(out[0], SourceOutcome::Updated { issue_id: Some(2), .. }));
    let d = dropped.license.bytes.clone();
    let (v, ok) = blocking(move || {
        let ok = v.verify_license(&d, t).map(|_| ()).map_err(|e| e.code());
        (v, ok)
    })
    .await;
    assert_eq!(ok, Ok(()));
    // Issue 3 drops the authority; then the server is rolled back to issue 2.
    write_list(&w.public(), &w.sc, 3, &[(&kept, &[BUSINESS])]);
    let (v, out) = blocking(move || (outcomes(&v, t), v)).await.swap();
    assert!(matches!(out[0], SourceOutcome::Updated { issue_id: Some(3), .. }), "{out:?}");
    write_list(&w.public(), &w.sc, 2, &[(&kept, &[BUSINESS]), (&dropped_root, &[BUSINESS])]);
    let d = dropped.license.bytes.clone();
    let (out, refused) = blocking(move || {
        let out = outcomes(&v, t);
        (out, v.verify_license(&d, t).map(|_| ()).map_err(|e| e.code()))
    })
    .await;
    assert!(
        matches!(&out[0], SourceOutcome::Failed { code: "trust_list.rollback", cached: true, .. }),
        "{out:?}"
    );
    assert_eq!(refused, Err("trust.untrusted_root"));
    // A verifier started later, from the same cache directory, remembers issue 3.
    let later = w.verifier();
    let d = dropped.license.bytes.clone();
    let refused = blocking(move || {
        let _ = outcomes(&later, t);
        later.verify_license(&d, t).map(|_| ()).map_err(|e| e.code())
    })
    .await;
    assert_eq!(refused, Err("trust.untrusted_root"));
    // Its record of accepted lists corrupted: the verifier refuses to start.
    std::fs::write(w.cache().join("trust-lists.state.json"), b"{not json").unwrap();
    assert_eq!(w.verifier_with(&w.urls()).err().unwrap().code(), "trust_list.state_unreadable");
}

trait Swap<A, B> {
    fn swap(self) -> (B, A);
}

impl<A, B> Swap<A, B> for (A, B) {
    fn swap(self) -> (B, A) {
        (self.1, self.0)
    }
}

/// A server that answers every request with `head` and then `body_len` bytes of `fill`
/// (streamed, never held), until the client goes away.
async fn hostile_server(head: String, body_len: u64, fill: u8) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else { return };
            let head = head.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                if s.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![fill; 64 * 1024];
                let mut sent = 0u64;
                while sent < body_len {
                    let n = chunk.len().min(usize::try_from(body_len - sent).unwrap_or(chunk.len()));
                    if s.write_all(&chunk[..n]).await.is_err() {
                        return;
                    }
                    sent += n as u64;
                }
            });
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_and_a_two_gigabyte_body_cost_one_failed_fetch() {
    let w = world().await;
    // First fill the cache from the real server.
    let v = w.verifier();
    let t = now();
    let sc = w.sc.issued.license.bytes.clone();
    blocking(move || {
        let _ = outcomes(&v, t);
        v.verify_license(&sc, t).unwrap();
    })
    .await;
    let two_gb = 2u64 << 30;
    let huge =
        hostile_server(format!("HTTP/1.1 200 OK\r\nContent-Length: {two_gb}\r\n\r\n"), two_gb, 0).await;
    let junk = hostile_server("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n".into(), 9, b'x').await;
    let not_http = hostile_server("\x00\x01garbage\r\n\r\n".into(), 0, 0).await;
    let cases = [(huge, "fetch.too_large"), (junk, "trust_list.malformed"), (not_http, "fetch.network")];
    for (addr, code) in cases {
        let url = format!("http://{addr}/trust/sc.cbor");
        // No copy of this URL: the failure is all there is.
        let v = w.verifier_with(std::slice::from_ref(&url)).unwrap();
        let out = blocking(move || outcomes(&v, t)).await;
        assert!(
            matches!(&out[0], SourceOutcome::Failed { code: c, cached: false, .. } if *c == code),
            "{addr}: {out:?}"
        );
    }
    // A status list URI that answers with 2 GB: status unknown, not memory exhaustion.
    let v = w.verifier();
    let out = blocking(move || {
        let _ = outcomes(&v, t);
        let fetcher = yinxin::fetch::StatusFetcher::new(
            std::sync::Arc::new(yinxin::fetch::HttpTransport::default()),
            None,
            v.trust().clone(),
        );
        let bad = format!("http://{huge}/sc/lists/1");
        yinxin::status::StatusSource::fetch(&fetcher, None, &bad, t).map(|_| ()).unwrap_err()
    })
    .await;
    assert!(out.contains("longer than"), "{out}");
}
