//! Material for the load figures of `POST /v1/verify` (scripts/bench-verify.sh): an Ed25519
//! authority's business license issued to a P-256 holder with a status slot, the root and
//! issuer certificates, a signed status list of 2^20 entries, and N fresh presentation codes
//! (the pre-signed counter_check set, one per line: every request of the load a new code, as
//! the replay guard requires).
//!
//!     cargo run --release -p yinxin-server --example verify_load -- DIR N
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, missing_docs)]

use std::io::Write as _;

use time::{Duration, OffsetDateTime};
use yinxin::authority::ListValidity;
use yinxin::crypto::Algorithm;
use yinxin::license::{IssueOptions, StatusReference};
use yinxin::present::Disclosure;
use yinxin::status::StatusList;
use yinxin_test_vectors::kit;

const URI: &str = "https://status.example.gov.cn/11510000MB0123456W/lists/1";
const COUNTER_CHECK: [&str; 5] =
    ["holder_name", "holder_code", "legal_representative", "valid_until", "license_identifier"];

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().expect("DIR"));
    let n: usize = args.next().expect("N").parse().expect("a number");
    std::fs::create_dir_all(&dir).unwrap();
    let now = OffsetDateTime::now_utc();
    let options = IssueOptions {
        status: Some(StatusReference { index: 654_321, uri: URI.into() }),
        at: Some(now - Duration::minutes(5)),
        ..IssueOptions::default()
    };
    let world = kit::issued_to(Algorithm::Ed25519, Algorithm::Es256, "business-license.json", options);
    std::fs::write(dir.join("root.pem"), world.root.certificate().to_pem()).unwrap();
    std::fs::write(dir.join("issuer.pem"), world.authority.certificate().to_pem()).unwrap();
    let validity = ListValidity { ttl: Duration::hours(1), valid_for: Duration::days(1) };
    let list =
        world.authority.sign_status_list(URI, &StatusList::new(2, 1 << 20).unwrap(), validity, now).unwrap();
    std::fs::write(dir.join("status.cwt"), &list.token).unwrap();
    let id = world.id();
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    let codes: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (world, id) = (&world, &id);
                s.spawn(move || {
                    (t..n)
                        .step_by(threads)
                        .map(|_| {
                            world.wallet.present_qr(id, Disclosure::Elements(&COUNTER_CHECK), now).unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("codes.txt")).unwrap());
    for code in &codes {
        writeln!(out, "{code}").unwrap();
    }
    out.flush().unwrap();
    println!(
        "{} codes of {} characters in {}",
        codes.len(),
        codes.first().map_or(0, String::len),
        dir.display()
    );
}
