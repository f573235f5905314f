//! Reading a QR code from a 1-megapixel camera-like photo (`test-vectors/photos`, JPEG in,
//! text out): the whole photo set, and the photos that the first reader takes (ZXing) and
//! that need the later steps.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use yinxin::present::qr_image::read_image;

fn bench(c: &mut Criterion) {
    let photos = yinxin_test_vectors::photos();
    let mut g = c.benchmark_group("qr-photo");
    g.sample_size(20);
    // Every photo the reader reads, one after another (the mean per photo is this / count).
    let readable: Vec<_> =
        photos.iter().filter(|p| read_image(&p.jpeg).ok().as_deref() == Some(p.text.as_str())).collect();
    g.bench_function(format!("read_image/all {} read", readable.len()), |b| {
        b.iter(|| {
            for p in &readable {
                black_box(read_image(black_box(&p.jpeg)).unwrap());
            }
        })
    });
    for name in ["04.jpg", "05.jpg", "01.jpg"] {
        let p = photos.iter().find(|p| p.name == name).unwrap();
        g.bench_function(format!("read_image/{name}"), |b| {
            b.iter(|| read_image(black_box(&p.jpeg)).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
