//! QR images (feature `qr-image`): render QR text as PNG, SVG or terminal art (qrcode, error
//! correction M), and read QR text back from a screenshot or a camera photo (rqrr; with the
//! `qr-photo` feature, `present::qr_photo`: ZXing's and quirc's readers with retries), within
//! limits on the image size.

use qrcode::{EcLevel, QrCode, Version};

use super::PresentError;

/// Images larger than this (in pixels per side) are refused before decoding.
pub const MAX_IMAGE_SIDE: u32 = 8000;
/// Encoded images larger than this are refused before decoding.
pub const MAX_IMAGE_BYTES: usize = 32 * 1024 * 1024;

fn code(text: &str) -> Result<QrCode, PresentError> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|_| PresentError::QrTooLong(text.len()))
}

/// The QR version (1–40) the text needs at error correction M.
pub fn version(text: &str) -> Result<i16, PresentError> {
    Ok(match code(text)?.version() {
        Version::Normal(v) | Version::Micro(v) => v,
    })
}

/// A PNG of the QR code, `module_px` pixels per module (4 is a good screen size).
pub fn render_png(text: &str, module_px: u32) -> Result<Vec<u8>, PresentError> {
    let img =
        code(text)?.render::<image::Luma<u8>>().module_dimensions(module_px.max(1), module_px.max(1)).build();
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| PresentError::QrImage(format!("PNG encoding: {e}")))?;
    Ok(out.into_inner())
}

/// An SVG of the QR code, at least 400 × 400.
pub fn render_svg(text: &str) -> Result<String, PresentError> {
    Ok(code(text)?.render::<qrcode::render::svg::Color<'_>>().min_dimensions(400, 400).build())
}

/// Terminal art at most this wide (columns) when the code allows it.
pub const TERMINAL_COLUMNS: usize = 80;
/// Light modules around the code, as the QR standard asks.
const QUIET_ZONE: usize = 4;

/// Unicode block art for a terminal (light on dark). Half blocks (one module per column, two
/// per line: square modules) when that fits [`TERMINAL_COLUMNS`]; otherwise quadrant blocks
/// (two modules per column and per line), so that a version-16 code is 45 columns wide.
pub fn render_terminal(text: &str) -> Result<String, PresentError> {
    let code = code(text)?;
    if code.width() + 2 * QUIET_ZONE <= TERMINAL_COLUMNS {
        return Ok(code
            .render::<qrcode::render::unicode::Dense1x2>()
            .dark_color(qrcode::render::unicode::Dense1x2::Light)
            .light_color(qrcode::render::unicode::Dense1x2::Dark)
            .build());
    }
    Ok(render_quadrants(&code))
}

/// Quadrant glyphs, indexed by the light quadrants: bit 0 upper left, 1 upper right, 2 lower
/// left, 3 lower right.
const GLYPHS: [char; 16] = [' ', '▘', '▝', '▀', '▖', '▌', '▞', '▛', '▗', '▚', '▐', '▜', '▄', '▙', '▟', '█'];

/// Two by two modules per character: a quadrant is drawn (light) where its module is light.
fn render_quadrants(code: &QrCode) -> String {
    let width = code.width();
    let colors = code.to_colors();
    let side = width + 2 * QUIET_ZONE;
    // Light outside the code (the quiet zone) and where the module is light.
    let light = |x: usize, y: usize| -> bool {
        let (Some(cx), Some(cy)) = (x.checked_sub(QUIET_ZONE), y.checked_sub(QUIET_ZONE)) else {
            return true;
        };
        if cx >= width || cy >= width {
            return true;
        }
        colors.get(cy * width + cx).is_none_or(|c| *c == qrcode::Color::Light)
    };
    let mut out = String::with_capacity((side / 2 + 2) * (side / 2 + 1) * 3);
    for y in (0..side).step_by(2) {
        for x in (0..side).step_by(2) {
            let bits = usize::from(light(x, y))
                | usize::from(light(x + 1, y)) << 1
                | usize::from(light(x, y + 1)) << 2
                | usize::from(light(x + 1, y + 1)) << 3;
            out.push(GLYPHS.get(bits).copied().unwrap_or('█'));
        }
        out.push('\n');
    }
    out.pop();
    out
}

/// Reads the QR text out of an encoded image (PNG, JPEG, WebP or GIF; a screenshot or a camera
/// photo), at most [`MAX_IMAGE_BYTES`] bytes and [`MAX_IMAGE_SIDE`] pixels a side.
pub fn read_image(bytes: &[u8]) -> Result<String, PresentError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(PresentError::QrImage(format!("image of {} bytes", bytes.len())));
    }
    #[cfg(feature = "qr-photo")]
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return read_luma(jpeg_luma(bytes)?);
    }
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PresentError::QrImage(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    reader.limits(limits);
    read_luma(reader.decode().map_err(|e| PresentError::QrImage(e.to_string()))?.to_luma8())
}

/// The QR text in a grey picture: the photo readers with the `qr-photo` feature, rqrr alone
/// without it (screenshots).
fn read_luma(img: image::GrayImage) -> Result<String, PresentError> {
    #[cfg(feature = "qr-photo")]
    let text = super::qr_photo::read_luma(img);
    #[cfg(not(feature = "qr-photo"))]
    let text = rqrr::PreparedImage::prepare(img)
        .detect_grids()
        .iter()
        .find_map(|g| g.decode().ok().map(|(_, text)| text));
    text.ok_or_else(|| PresentError::QrImage("no readable QR code found".into()))
}

#[cfg(feature = "qr-photo")]
/// A JPEG (a camera photo) decoded straight to grey: the colour conversion a full decode
/// would do is a fifth of the reading time of a 1-megapixel photo.
fn jpeg_luma(bytes: &[u8]) -> Result<image::GrayImage, PresentError> {
    use zune_core::{bytestream::ZCursor, colorspace::ColorSpace, options::DecoderOptions};
    let side = MAX_IMAGE_SIDE as usize;
    let options = DecoderOptions::default()
        .set_max_width(side)
        .set_max_height(side)
        .jpeg_set_out_colorspace(ColorSpace::Luma);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    let error = |e: zune_jpeg::errors::DecodeErrors| PresentError::QrImage(format!("JPEG: {e}"));
    decoder.decode_headers().map_err(error)?;
    let unreadable = || PresentError::QrImage("JPEG: no picture size".into());
    let (width, height) = decoder.dimensions().ok_or_else(unreadable)?;
    let size = decoder.output_buffer_size().ok_or_else(unreadable)?;
    if Some(size) != width.checked_mul(height) {
        return Err(PresentError::QrImage(format!("JPEG: {size} bytes for {width} x {height} grey pixels")));
    }
    let mut pixels = vec![0; size];
    decoder.decode_into(&mut pixels).map_err(error)?;
    let (w, h) =
        (u32::try_from(width).map_err(|_| unreadable())?, u32::try_from(height).map_err(|_| unreadable())?);
    image::GrayImage::from_raw(w, h, pixels).ok_or_else(unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode as _;

    /// Turns terminal art back into an image (light glyph parts white), `px` pixels per
    /// quadrant or half block, and reads it.
    fn read_terminal_art(art: &str, px: u32) -> String {
        let lines: Vec<Vec<char>> = art.lines().map(|l| l.chars().collect()).collect();
        let cols = lines.iter().map(Vec::len).max().unwrap_or(0) as u32;
        let rows = lines.len() as u32;
        let quadrant = art.chars().any(|c| "▘▝▖▌▞▛▗▚▐▜▙▟".contains(c));
        let (cw, ch) = if quadrant { (2, 2) } else { (1, 2) };
        let mut img = image::GrayImage::from_pixel(cols * cw * px, rows * ch * px, image::Luma([255]));
        for (r, line) in lines.iter().enumerate() {
            for (c, glyph) in line.iter().enumerate() {
                let parts: [bool; 4] = if quadrant {
                    let bits = GLYPHS.iter().position(|g| g == glyph).expect("a quadrant glyph");
                    [bits & 1 != 0, bits & 2 != 0, bits & 4 != 0, bits & 8 != 0]
                } else {
                    let (top, bottom) = match glyph {
                        '█' => (true, true),
                        '▀' => (true, false),
                        '▄' => (false, true),
                        _ => (false, false),
                    };
                    [top, false, bottom, false]
                };
                for (i, is_light) in parts.iter().enumerate() {
                    let (qx, qy) = if quadrant { (i as u32 % 2, i as u32 / 2) } else { (0, i as u32 / 2) };
                    if quadrant || i % 2 == 0 {
                        for dy in 0..px {
                            for dx in 0..px {
                                let x = (c as u32 * cw + qx) * px + dx;
                                let y = (r as u32 * ch + qy) * px + dy;
                                img.put_pixel(x, y, image::Luma([if *is_light { 255 } else { 0 }]));
                            }
                        }
                    }
                }
            }
        }
        let mut prepared = rqrr::PreparedImage::prepare(img);
        let grids = prepared.detect_grids();
        grids.first().expect("a QR code in the art").decode().expect("decodes").1
    }

    #[test]
    fn terminal_art_fits_80_columns_and_reads_back() {
        // The longest text of a version-16 code (as long as a reference QR gets), and a small one.
        let long = (1..2000)
            .map(|n| format!("YX1:{}", "A1B2C3D4E5".repeat(n)))
            .take_while(|t| version(t).unwrap() <= 16)
            .last()
            .unwrap();
        assert_eq!(version(&long).unwrap(), 16);
        for text in [long.as_str(), "YX1:ABC123"] {
            let art = render_terminal(text).unwrap();
            let widest = art.lines().map(|l| l.chars().count()).max().unwrap();
            assert!(widest <= TERMINAL_COLUMNS, "{widest} columns");
            assert_eq!(read_terminal_art(&art, 4), text);
        }
        let art = render_terminal(&long).unwrap();
        assert_eq!(art.lines().next().unwrap().chars().count(), 45, "quadrants: (81 + 8) / 2");
    }

    #[test]
    fn png_round_trips_and_junk_is_refused() {
        let text = "YX1:ABC123 $%*+-./:";
        let png = render_png(text, 4).expect("png");
        assert_eq!(read_image(&png).expect("decoded"), text);
        assert!(render_svg(text).expect("svg").starts_with("<?xml"));
        assert!(!render_terminal(text).expect("art").is_empty());
        assert_eq!(read_image(b"not an image").unwrap_err().code(), "present.qr_image");
        assert_eq!(render_png(&"A".repeat(5000), 4).unwrap_err().code(), "present.qr_too_long");
    }

    /// A code photographed or screenshotted arrives as JPEG or WebP: read like a PNG (issue 20
    /// found JPEG refused). Made by the image crate's own encoders, JPEG at camera-like quality.
    #[test]
    fn jpeg_pictures_are_read() {
        let text = format!("YX1:{}", "ABC123$%*+-./:".repeat(40));
        let png = render_png(&text, 6).expect("png");
        let img = image::load_from_memory(&png).expect("decode").to_luma8();
        for quality in [95u8, 75, 50] {
            let mut jpeg = std::io::Cursor::new(Vec::new());
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, quality)
                .encode_image(&img)
                .expect("jpeg");
            let jpeg = jpeg.into_inner();
            assert_eq!(&jpeg[..3], &[0xFF, 0xD8, 0xFF], "a JPEG");
            assert_eq!(read_image(&jpeg).expect("read"), text, "quality {quality}");
        }
        // WebP (what Android screenshots and some camera apps write).
        let mut webp = std::io::Cursor::new(Vec::new());
        image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
            .encode(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::L8)
            .expect("webp");
        assert_eq!(read_image(&webp.into_inner()).expect("read webp"), text);
    }
}
