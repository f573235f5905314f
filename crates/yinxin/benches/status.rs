//! Status lists of 2^20 entries: encode, decode, single lookups. Sizes come from
//! `cargo run --release -p yinxin --example status_sizes`. Figures in BENCHMARKS.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use yinxin::status::StatusList;

/// A deterministic pseudo-random list with `per_million` entries set to 1 (revoked).
pub fn list(bits: u8, size: u64, per_million: u64) -> StatusList {
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

fn status(c: &mut Criterion) {
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
