//! Camera-like photos of presentation codes (`test-vectors/photos`: drawn by segno, an
//! encoder independent of ours, then tilted, rotated, dimmed, unevenly lit, blurred, noised
//! and JPEG-compressed) are read, and never misread. zbarimg 0.23 reads 14 of the 36 (the
//! `photo_rates` example measures both).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use yinxin::ErrorCode as _;
use yinxin::present::qr_image::read_image;

#[test]
fn the_photo_set_is_read_better_than_zbar_and_never_misread() {
    let photos = yinxin_test_vectors::photos();
    assert_eq!(photos.len(), 36);
    let mut read = Vec::new();
    for photo in &photos {
        match read_image(&photo.jpeg) {
            Ok(text) => {
                assert_eq!(text, photo.text, "{} misread", photo.name);
                read.push(photo.name.as_str());
            }
            Err(e) => assert_eq!(e.code(), "present.qr_image", "{}", photo.name),
        }
    }
    // 25 when measured (BENCHMARKS.md); zbar: 14.
    assert!(read.len() >= 25, "read only {}: {read:?}", read.len());
}

#[test]
fn damaged_and_oversized_photos_are_refused_not_panicked_on() {
    let photo = &yinxin_test_vectors::photos()[0];
    for cut in [3, 100, photo.jpeg.len() / 2, photo.jpeg.len() - 2] {
        let e = read_image(&photo.jpeg[..cut]);
        assert!(e.is_err() || e.as_deref() == Ok(photo.text.as_str()), "cut at {cut}");
    }
    let mut flipped = photo.jpeg.clone();
    for i in (200..flipped.len()).step_by(997) {
        flipped[i] ^= 0x55;
    }
    let _ = read_image(&flipped);
    // A JPEG header claiming 60,000 x 60,000 pixels is refused before any pixel is decoded.
    let mut huge = photo.jpeg.clone();
    let sof = huge.windows(2).position(|w| w == [0xFF, 0xC0]).expect("a baseline JPEG");
    huge[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
    assert_eq!(read_image(&huge).unwrap_err().code(), "present.qr_image");
}
