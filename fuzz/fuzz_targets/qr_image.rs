//! QR codes read from pictures (PNG, JPEG, GIF bytes from a camera or a screenshot): the image
//! decoders and the QR reader within their size limits, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = yinxin::present::qr_image::read_image(data);
});
