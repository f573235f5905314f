//! QR images for the CLI: the formats of `yinxin present`, over `yinxin::present::qr_image`.

use std::path::Path;

use yinxin::present::qr_image;

use crate::failure::Failure;
use crate::input::Input;

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

/// The QR version (1–40) the text needs at error correction M.
pub fn version(text: &str) -> Result<i16, Failure> {
    qr_image::version(text).map_err(|e| Failure::unreadable(&e, "QR code"))
}

/// Writes `text` as a QR code in `format` to `out` (a new file, or replacing one with `force`),
/// or prints it on stdout when there is no `out`; text and terminal forms end with a newline.
/// A PNG needs `out`.
pub fn emit(text: &str, format: Format, out: Option<&Path>, force: bool) -> Result<(), Failure> {
    let mut bytes = render(text, format)?;
    if matches!(format, Format::Text | Format::Terminal) {
        bytes.push(b'\n');
    }
    match out {
        Some(path) => crate::commands::output::write_new(path, &bytes, force, false),
        None if matches!(format, Format::Png) => Err(Failure::usage("--format png needs --out FILE")),
        None => {
            out!("{}", String::from_utf8_lossy(&bytes));
            Ok(())
        }
    }
}

/// Renders `text` in `format`: bytes to write (PNG, SVG) or text to print (terminal).
pub fn render(text: &str, format: Format) -> Result<Vec<u8>, Failure> {
    let err = |e: yinxin::present::PresentError| Failure::unreadable(&e, "QR code");
    Ok(match format {
        Format::Text => text.as_bytes().to_vec(),
        Format::Terminal => qr_image::render_terminal(text).map_err(err)?.into_bytes(),
        Format::Svg => qr_image::render_svg(text).map_err(err)?.into_bytes(),
        Format::Png => qr_image::render_png(text, 4).map_err(err)?,
    })
}

/// Reads the QR text out of an image file (a screenshot or a camera photo).
pub fn read_image(path: &Path) -> Result<String, Failure> {
    let bytes = Input::Image.read(&path.display().to_string())?;
    qr_image::read_image(&bytes).map_err(|e| Failure::unreadable(&e, path.display()))
}
