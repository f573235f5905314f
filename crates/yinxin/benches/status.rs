//! Status lists of 2^20 entries: encode, decode, single lookups; before measuring, the bench
//! prints the compressed sizes at the draft's revocation rates. Figures in BENCHMARKS.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use yinxin::status::StatusList;

/// A deterministic pseudo-random list with `per_million` entries set to 1 (revoked).
fn list(bits: u8, size: u64, per_million: u64) -> StatusList {
    let mut l = StatusList::new(bits, size).unwrap();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let target = size * per_million / 1_000_000;
    let mut set = 0;
    while set < target {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let i = x % size;
        if l.get(i).unwrap() == 0 {
            l.set(i, 1).unwrap();
            set += 1;
        }
    }
    l
}

/// The size table of BENCHMARKS.md: CBOR StatusList bytes for 1- and 2-bit lists.
fn print_sizes() {
    let rates = [
        (100u64, "0.01%"),
        (1_000, "0.1%"),
        (10_000, "1%"),
        (20_000, "2%"),
        (50_000, "5%"),
        (100_000, "10%"),
    ];
    println!("| entries, bits | {} |", rates.iter().map(|(_, l)| *l).collect::<Vec<_>>().join(" | "));
    for bits in [1u8, 2] {
        for size in [100_000u64, 1_000_000, 10_000_000] {
            let cells: Vec<String> = rates
                .iter()
                .map(|(pm, _)| {
                    let n = list(bits, size, *pm).to_cbor().unwrap().len();
                    if n >= 1024 { format!("{:.1} KB", n as f64 / 1024.0) } else { format!("{n} B") }
                })
                .collect();
            println!("| {size}, {bits}-bit | {} |", cells.join(" | "));
        }
    }
}

fn status(c: &mut Criterion) {
    print_sizes();
    let mut g = c.benchmark_group("status-list-1M-2bit");
    for (label, per_million) in [("0.1%", 1_000), ("1%", 10_000)] {
        let l = list(2, 1 << 20, per_million);
        let cbor = l.to_cbor().unwrap();
        g.bench_function(BenchmarkId::new("encode", label), |b| b.iter(|| black_box(&l).to_cbor().unwrap()));
        g.bench_function(BenchmarkId::new("decode", label), |b| {
            b.iter(|| StatusList::from_cbor(black_box(&cbor)).unwrap())
        });
        let mut i = 0u64;
        g.bench_function(BenchmarkId::new("lookup", label), |b| {
            b.iter(|| {
                i = (i + 7919) % (1 << 20);
                black_box(&l).get(i).unwrap()
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = status
}
criterion_main!(benches);
