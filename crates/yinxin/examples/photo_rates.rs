//! Decode rates on the camera-like photo set (`test-vectors/photos`): each QR reader alone,
//! yinxin's reader (`present::qr_photo`: the readers in turn, with retries), and zbarimg
//! (Debian's zbar-tools) as the reference, when installed. Prints, per reader, how many
//! photos gave exactly the expected text, and the median and slowest time of those read.
//!
//!     cargo run --release -p yinxin --features qr-image --example photo_rates
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::print_stdout,
    missing_docs
)]

use std::process::Command;
use std::time::Instant;

use image::GrayImage;

fn quirc(img: &GrayImage) -> Option<String> {
    let mut prepared = rqrr::PreparedImage::prepare(img.clone());
    prepared.detect_grids().iter().find_map(|g| g.decode().ok().map(|(_, t)| t))
}

fn zxing(img: &GrayImage) -> Option<String> {
    use rxing::Reader as _;
    let source = rxing::Luma8LuminanceSource::new(img.as_raw().clone(), img.width(), img.height()).ok()?;
    let mut bitmap = rxing::BinaryBitmap::new(rxing::common::HybridBinarizer::new(source));
    let hints = rxing::DecodeHints { TryHarder: Some(true), ..Default::default() };
    rxing::qrcode::QRCodeReader.decode_with_hints(&mut bitmap, &hints).ok().map(|r| r.getText().to_owned())
}

fn report(name: &str, total: usize, mut times: Vec<f64>) {
    times.sort_by(f64::total_cmp);
    let median = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);
    let max = times.last().copied().unwrap_or(f64::NAN);
    println!("{name:<34} {:>2}/{total} read   median {median:6.1} ms   slowest {max:6.1} ms", times.len());
}

fn main() {
    let photos = yinxin_test_vectors::photos();
    let dir = yinxin_test_vectors::photos_dir();
    let total = photos.len();
    let grey: Vec<GrayImage> =
        photos.iter().map(|p| image::load_from_memory(&p.jpeg).expect("a JPEG").to_luma8()).collect();
    println!("{total} photos, {} x {} pixels, in {}", grey[0].width(), grey[0].height(), dir.display());
    type Reader = fn(&GrayImage) -> Option<String>;
    let readers: [(&str, Reader); 3] = [
        ("rqrr 0.11 (quirc)", quirc),
        ("rxing 0.9 (ZXing, try harder)", zxing),
        ("yinxin qr_photo (both + retries)", |i| yinxin::present::qr_photo::read_luma(i.clone())),
    ];
    for (name, read) in readers {
        let mut times = Vec::new();
        for (photo, img) in photos.iter().zip(&grey) {
            let start = Instant::now();
            let text = read(img);
            let ms = start.elapsed().as_secs_f64() * 1e3;
            if text.as_deref() == Some(photo.text.as_str()) {
                times.push(ms);
            }
        }
        report(name, total, times);
    }
    // The whole of `read_image`: JPEG decoding included.
    let mut times = Vec::new();
    for photo in &photos {
        let start = Instant::now();
        let text = yinxin::present::qr_image::read_image(&photo.jpeg);
        let ms = start.elapsed().as_secs_f64() * 1e3;
        if text.ok().as_deref() == Some(photo.text.as_str()) {
            times.push(ms);
        }
    }
    report("yinxin read_image (JPEG in)", total, times);
    let mut times = Vec::new();
    for photo in &photos {
        let start = Instant::now();
        let Ok(out) = Command::new("zbarimg").args(["-q", "--raw"]).arg(dir.join(&photo.name)).output()
        else {
            println!("zbarimg: not installed (apt-get install zbar-tools)");
            return;
        };
        let ms = start.elapsed().as_secs_f64() * 1e3;
        if String::from_utf8_lossy(&out.stdout).trim_end() == photo.text {
            times.push(ms);
        }
    }
    report("zbarimg (process, JPEG in)", total, times);
}
