//! QR images (feature `qr-image`): render QR text as PNG, SVG or terminal art (qrcode, error
//! correction M), and read QR text back from a screenshot or a camera photo (rqrr), within
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

/// Unicode block art for a terminal (light on dark).
pub fn render_terminal(text: &str) -> Result<String, PresentError> {
    Ok(code(text)?
        .render::<qrcode::render::unicode::Dense1x2>()
        .dark_color(qrcode::render::unicode::Dense1x2::Light)
        .light_color(qrcode::render::unicode::Dense1x2::Dark)
        .build())
}

/// Reads the QR text out of an encoded image (PNG; a screenshot or a camera photo).
pub fn read_image(bytes: &[u8]) -> Result<String, PresentError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(PresentError::QrImage(format!("image of {} bytes", bytes.len())));
    }
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PresentError::QrImage(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| PresentError::QrImage(e.to_string()))?.to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    let grid = grids.first().ok_or_else(|| PresentError::QrImage("no QR code found".into()))?;
    let (_, content) = grid.decode().map_err(|e| PresentError::QrImage(e.to_string()))?;
    Ok(content)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode as _;

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
}
