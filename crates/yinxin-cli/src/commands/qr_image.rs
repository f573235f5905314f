//! QR images: render QR text as PNG, SVG or terminal art (qrcode), and read it back from a
//! photo (rqrr).

use std::path::Path;

use qrcode::{EcLevel, QrCode, Version};

use crate::failure::Failure;

/// Images larger than this (in pixels per side) are refused before decoding.
const MAX_IMAGE_SIDE: u32 = 8000;

/// Output formats of `yinxin present`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// The QR text itself.
    Text,
    /// A PNG image.
    Png,
    /// An SVG image.
    Svg,
    /// Unicode block art for a terminal.
    Terminal,
}

fn code(text: &str) -> Result<QrCode, Failure> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| Failure {
        code: "present.qr_too_long",
        message: format!("no QR code holds this text at level M: {e}"),
        exit: 2,
    })
}

/// The QR version (1–40) the text needs at error correction M.
pub fn version(text: &str) -> Result<i16, Failure> {
    Ok(match code(text)?.version() {
        Version::Normal(v) | Version::Micro(v) => v,
    })
}

/// Renders `text` in `format`: bytes to write (PNG, SVG) or text to print (terminal).
pub fn render(text: &str, format: Format) -> Result<Vec<u8>, Failure> {
    let qr = code(text)?;
    match format {
        Format::Text => Ok(text.as_bytes().to_vec()),
        Format::Terminal => Ok(qr
            .render::<qrcode::render::unicode::Dense1x2>()
            .dark_color(qrcode::render::unicode::Dense1x2::Light)
            .light_color(qrcode::render::unicode::Dense1x2::Dark)
            .build()
            .into_bytes()),
        Format::Svg => {
            Ok(qr.render::<qrcode::render::svg::Color<'_>>().min_dimensions(400, 400).build().into_bytes())
        }
        Format::Png => {
            let img = qr.render::<image::Luma<u8>>().module_dimensions(4, 4).build();
            let mut out = std::io::Cursor::new(Vec::new());
            img.write_to(&mut out, image::ImageFormat::Png).map_err(|e| Failure {
                code: "io.error",
                message: format!("PNG encoding: {e}"),
                exit: 2,
            })?;
            Ok(out.into_inner())
        }
    }
}

/// Reads the QR text out of an image file (a screenshot or a camera photo).
pub fn read_image(path: &Path) -> Result<String, Failure> {
    let unreadable = |message: String| Failure { code: "present.qr_image", message, exit: 2 };
    let mut reader = image::ImageReader::open(path).map_err(|e| Failure::io(&e, path.display()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    reader.limits(limits);
    let img = reader
        .with_guessed_format()
        .map_err(|e| Failure::io(&e, path.display()))?
        .decode()
        .map_err(|e| unreadable(format!("{}: {e}", path.display())))?
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    let grid = grids.first().ok_or_else(|| unreadable(format!("{}: no QR code found", path.display())))?;
    let (_, content) = grid.decode().map_err(|e| unreadable(format!("{}: {e}", path.display())))?;
    Ok(content)
}
