//! Reading a QR code out of a camera photo (feature `qr-image`): the code on a phone screen
//! photographed at a counter, at an angle, in uneven light, blurred and JPEG-compressed.
//!
//! No single reader gets them all, so the readers are tried in order of cost and the first
//! text wins (chosen by measurement on `test-vectors/photos`, see BENCHMARKS.md and the
//! `photo_rates` example):
//!
//! 1. ZXing's reader (the `rxing` port) over its local-average ("hybrid") binariser: a few
//!    milliseconds on one megapixel, and it reads codes at strong perspective.
//! 2. quirc's reader (the `rqrr` port) over the whole picture.
//! 3. Where quirc found a code it could not decode: that region cut out, enlarged twice and
//!    read again by both (small modules sampled at a finer scale).
//! 4. Where quirc found nothing: the whole picture enlarged by half and read by quirc again.
//!
//! Photos larger than [`WORK_PIXELS`] are first reduced to it (a 12-megapixel phone photo
//! has modules large enough for that), so every step works on a bounded number of pixels
//! whatever the input; enlargements are bounded too ([`ENLARGE_PIXELS`]).

use fast_image_resize as fr;
use image::GrayImage;
use rxing::{BinaryBitmap, DecodeHints, Luma8LuminanceSource, Reader as _};

/// Pictures larger than this many pixels are reduced to it before reading (2.5 megapixels).
pub const WORK_PIXELS: u64 = 2_500_000;
/// Enlarged pictures (the retries) are at most this many pixels (3 megapixels).
pub const ENLARGE_PIXELS: u64 = 3_000_000;

/// The QR text in a grey picture, or `None` when no reader found one.
pub fn read_luma(img: GrayImage) -> Option<String> {
    let img = bounded(img);
    if let Some(text) = zxing(&img) {
        return Some(text);
    }
    let mut prepared = rqrr::PreparedImage::prepare(img.clone());
    let grids = prepared.detect_grids();
    for grid in &grids {
        if let Ok((_, text)) = grid.decode() {
            return Some(text);
        }
    }
    for grid in &grids {
        if let Some(region) = region(&img, &grid.bounds).and_then(|r| scaled(&r, 2.0)) {
            if let Some(text) = quirc(region.clone()).or_else(|| zxing(&region)) {
                return Some(text);
            }
        }
    }
    if grids.is_empty() {
        return scaled(&img, 1.5).and_then(quirc);
    }
    None
}

/// ZXing's QR reader, hybrid binariser.
fn zxing(img: &GrayImage) -> Option<String> {
    let source = Luma8LuminanceSource::new(img.as_raw().clone(), img.width(), img.height()).ok()?;
    let mut bitmap = BinaryBitmap::new(rxing::common::HybridBinarizer::new(source));
    let hints = DecodeHints { CharacterSet: Some("UTF-8".into()), ..DecodeHints::default() };
    rxing::qrcode::QRCodeReader.decode_with_hints(&mut bitmap, &hints).ok().map(|r| r.getText().to_owned())
}

/// quirc's reader: the first grid that decodes.
fn quirc(img: GrayImage) -> Option<String> {
    let mut prepared = rqrr::PreparedImage::prepare(img);
    prepared.detect_grids().iter().find_map(|g| g.decode().ok().map(|(_, text)| text))
}

/// The picture, reduced to at most [`WORK_PIXELS`] when larger.
fn bounded(img: GrayImage) -> GrayImage {
    let pixels = u64::from(img.width()) * u64::from(img.height());
    if pixels <= WORK_PIXELS {
        return img;
    }
    let factor = (WORK_PIXELS as f64 / pixels as f64).sqrt();
    scaled(&img, factor).unwrap_or(img)
}

/// The part of the picture inside `corners` (a found code), with a margin of an eighth of its
/// size for the quiet zone.
fn region(img: &GrayImage, corners: &[rqrr::Point; 4]) -> Option<GrayImage> {
    let xs = corners.iter().map(|p| p.x);
    let ys = corners.iter().map(|p| p.y);
    let (x0, x1) = (xs.clone().min()?, xs.max()?);
    let (y0, y1) = (ys.clone().min()?, ys.max()?);
    let margin = (x1.checked_sub(x0)?.max(y1.checked_sub(y0)?) / 8).max(8);
    let clamp = |v: i32, max: u32| u32::try_from(v.max(0)).unwrap_or(0).min(max);
    let (left, top) =
        (clamp(x0.saturating_sub(margin), img.width()), clamp(y0.saturating_sub(margin), img.height()));
    let (right, bottom) =
        (clamp(x1.saturating_add(margin), img.width()), clamp(y1.saturating_add(margin), img.height()));
    let (w, h) = (right.checked_sub(left)?, bottom.checked_sub(top)?);
    if w < 21 || h < 21 {
        return None;
    }
    Some(image::imageops::crop_imm(img, left, top, w, h).to_image())
}

/// The picture resampled by `factor` (bilinear), or `None` when the result would be empty or
/// larger than [`ENLARGE_PIXELS`].
fn scaled(img: &GrayImage, factor: f64) -> Option<GrayImage> {
    let side = |v: u32| -> Option<u32> {
        let s = (f64::from(v) * factor).round();
        (s >= 1.0 && s <= f64::from(u32::MAX)).then_some(s as u32)
    };
    let (w, h) = (side(img.width())?, side(img.height())?);
    if u64::from(w) * u64::from(h) > ENLARGE_PIXELS.max(WORK_PIXELS) {
        return None;
    }
    let src = fr::images::ImageRef::new(img.width(), img.height(), img.as_raw(), fr::PixelType::U8).ok()?;
    let mut dst = fr::images::Image::new(w, h, fr::PixelType::U8);
    let options = fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Bilinear));
    fr::Resizer::new().resize(&src, &mut dst, &options).ok()?;
    GrayImage::from_raw(w, h, dst.into_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_bounded() {
        let big = GrayImage::from_pixel(4000, 3000, image::Luma([200]));
        let b = bounded(big);
        assert!(u64::from(b.width()) * u64::from(b.height()) <= WORK_PIXELS);
        assert!(b.width() > 1700, "reduced, not shrunk to nothing: {}", b.width());
        let small = GrayImage::from_pixel(10, 10, image::Luma([0]));
        assert!(scaled(&small, 0.01).is_none(), "an empty result is refused");
        assert!(scaled(&GrayImage::new(2000, 1500), 1.5).is_none(), "4.5 megapixels");
        assert!(read_luma(GrayImage::new(1, 1)).is_none());
        assert!(read_luma(GrayImage::new(0, 0)).is_none());
    }

    #[test]
    fn regions_stay_inside_the_picture() {
        let img = GrayImage::from_pixel(100, 80, image::Luma([255]));
        let p = |x, y| rqrr::Point { x, y };
        let r = region(&img, &[p(-50, -50), p(300, -10), p(300, 300), p(-5, 200)]).expect("clamped");
        assert_eq!((r.width(), r.height()), (100, 80));
        assert_eq!(
            region(&img, &[p(10, 10), p(20, 10), p(20, 20), p(10, 20)]).map(|r| r.width()),
            Some(26),
            "margin 8"
        );
        assert!(
            region(&img, &[p(10, 10), p(12, 10), p(12, 12), p(10, 12)]).is_none(),
            "too small for a code"
        );
        assert!(region(&img, &[p(i32::MIN, 0), p(i32::MAX, 0), p(0, 1), p(0, 2)]).is_none(), "no overflow");
    }
}
