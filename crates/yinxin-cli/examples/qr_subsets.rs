//! QR text length over subset sizes (BENCHMARKS.md, decision 0017): for the business license,
//! each issuer algorithm and a P-256 holder, the longest QR text of any subset of each size
//! (every subset for sizes 1 to 5 and from all-but-four up; a hill climb from many random
//! starts in between), for the form `present` chooses and for the mdoc form.
//!
//! `cargo run --release -p yinxin-cli --example qr_subsets`
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::needless_range_loop
)]

use time::OffsetDateTime;
use yinxin::crypto::Algorithm;
use yinxin::license::{IssueOptions, StatusReference};
use yinxin::present::{Disclosure, present, present_mdoc_form, qr_text};
use yinxin_test_vectors::kit;

/// A small deterministic generator (the search needs no cryptographic randomness).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// The element names whose bits are set in `mask`.
fn chosen(names: &[String], mask: u32) -> Vec<&str> {
    names.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, n)| n.as_str()).collect()
}

fn main() {
    let mdoc = std::env::args().any(|a| a == "--mdoc");
    let mut names: Vec<String> = Vec::new();
    for alg in [Algorithm::Ed25519, Algorithm::Es256, Algorithm::Sm2Sm3] {
        let t = OffsetDateTime::now_utc();
        let options = IssueOptions {
            status: Some(StatusReference {
                index: 654_321,
                uri: "https://status.example.gov.cn/lists/1".into(),
            }),
            ..IssueOptions::default()
        };
        let world = kit::issued_to(alg, Algorithm::Es256, "business-license.json", options);
        let (license, holder) = (&world.license.bytes, world.wallet.signer());
        if names.is_empty() {
            let report = yinxin::license::untrusted::inspect(license, t).unwrap();
            names = report[0].elements.values().flat_map(|m| m.keys().cloned()).collect();
            let all = names.len();
            println!(
                "| issuer | form | {} |",
                (1..=all).map(|k| k.to_string()).collect::<Vec<_>>().join(" | ")
            );
            println!("| --- | --- |{}", " ---: |".repeat(all));
        }
        let all = names.len();
        let len = |mask: u32| -> usize {
            let chosen = chosen(&names, mask);
            let d = Disclosure::Elements(&chosen);
            let p =
                if mdoc { present_mdoc_form(license, holder, d, t) } else { present(license, holder, d, t) };
            qr_text::encode(&p.unwrap()).unwrap().len()
        };
        if std::env::args().any(|a| a == "--singles") {
            for (i, n) in names.iter().enumerate() {
                println!("{n}: {}", len(1 << i));
            }
            return;
        }
        let mut worst = vec![0usize; all + 1];
        let mut rng = Lcg(7);
        for k in 1..=all {
            let exhaustive = k <= 5 || k + 4 >= all;
            if exhaustive {
                for mask in 0u32..(1 << all) {
                    if mask.count_ones() as usize == k {
                        worst[k] = worst[k].max(len(mask));
                    }
                }
                continue;
            }
            for _ in 0..if mdoc { 2 } else { 12 } {
                let mut mask = 0u32;
                while (mask.count_ones() as usize) < k {
                    mask |= 1 << rng.next(all);
                }
                let mut best = len(mask);
                // Swap one element in and one out while that makes the code longer.
                for _ in 0..if mdoc { 20 } else { 120 } {
                    let (i, o) = (rng.next(all), rng.next(all));
                    if mask & (1 << i) == 0 || mask & (1 << o) != 0 {
                        continue;
                    }
                    let next = (mask & !(1 << i)) | (1 << o);
                    let l = len(next);
                    if l >= best {
                        best = l;
                        mask = next;
                    }
                }
                if best > worst[k] && std::env::args().any(|a| a == "--parts") {
                    let chosen = chosen(&names, mask);
                    let p = present(license, holder, Disclosure::Elements(&chosen), t).unwrap();
                    let v: ciborium::Value = ciborium::from_reader(p.as_slice()).unwrap();
                    let parts: Vec<usize> = v
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .map(|x| {
                                    let mut b = Vec::new();
                                    ciborium::into_writer(x, &mut b).unwrap();
                                    b.len()
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    eprintln!("k {k}: {best} chars, {} bytes, parts {parts:?}: {chosen:?}", p.len());
                }
                worst[k] = worst[k].max(best);
            }
        }
        let form = if mdoc { "mdoc" } else { "smallest" };
        println!(
            "| {} | {form} | {} |",
            alg.name(),
            worst[1..].iter().map(|w| w.to_string()).collect::<Vec<_>>().join(" | ")
        );
    }
}
