//! Prints the compressed sizes of status lists at the draft's revocation rates, for the table
//! in BENCHMARKS.md: `cargo run --release -p yinxin --example status_sizes`.
#![allow(missing_docs, clippy::unwrap_used)]

use yinxin::status::StatusList;

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

fn main() {
    let rates = [
        (100u64, "0.01%"),
        (1_000, "0.1%"),
        (10_000, "1%"),
        (20_000, "2%"),
        (50_000, "5%"),
        (100_000, "10%"),
    ];
    for bits in [1u8, 2] {
        for size in [100_000u64, 1_000_000, 10_000_000] {
            let cells: Vec<String> = rates
                .iter()
                .map(|(pm, _)| {
                    let n = list(bits, size, *pm).to_cbor().unwrap().len();
                    if n >= 1024 { format!("{:.1} KB", n as f64 / 1024.0) } else { format!("{n} B") }
                })
                .collect();
            println!("| {bits}-bit {size} | {} |", cells.join(" | "));
        }
    }
    println!("rates: {}", rates.iter().map(|(_, l)| *l).collect::<Vec<_>>().join(", "));
}
