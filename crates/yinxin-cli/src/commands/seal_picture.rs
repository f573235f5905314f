//! The picture of a new seal (`seal make --picture`): its type is recognised from its content,
//! never from the file name, and it must be a picture that opens: a PNG, JPEG or GIF that
//! decodes, an SVG whose root is `<svg>`, or an OFD package with an `OFD.xml`.

use std::io::Read as _;

use crate::failure::{EXIT_UNREADABLE, Failure};

/// Pictures larger than this are refused before they are opened.
pub const MAX_PICTURE_BYTES: u64 = 4 * 1024 * 1024;
/// Raster pictures wider or higher than this (pixels) are refused before decoding.
const MAX_SIDE: u32 = 8000;

/// The seal picture type (GB/T 38540 `type`): `PNG`, `JPG`, `GIF`, `SVG` or `OFD`, after
/// checking that `data` is such a picture.
pub fn picture_type(data: &[u8], path: &str) -> Result<&'static str, Failure> {
    let refuse = |why: String| Failure {
        code: "seal.picture_invalid",
        message: format!(
            "{path}: {why}; a seal picture is a PNG, JPEG, GIF, SVG or OFD file (the seal's image)"
        ),
        exit: EXIT_UNREADABLE,
    };
    let raster = |format: image::ImageFormat, kind: &'static str| -> Result<&'static str, Failure> {
        let mut reader = image::ImageReader::with_format(std::io::Cursor::new(data), format);
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(MAX_SIDE);
        limits.max_image_height = Some(MAX_SIDE);
        reader.limits(limits);
        reader.decode().map_err(|e| refuse(format!("the {kind} image does not decode ({e})")))?;
        Ok(kind)
    };
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        raster(image::ImageFormat::Png, "PNG")
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        raster(image::ImageFormat::Jpeg, "JPG")
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        raster(image::ImageFormat::Gif, "GIF")
    } else if data.starts_with(b"PK\x03\x04") {
        ofd(data).map_err(refuse)
    } else if let Some(text) = std::str::from_utf8(data).ok().filter(|t| t.contains("<svg")) {
        svg(text).map_err(refuse)
    } else {
        Err(refuse(if std::str::from_utf8(data).is_ok() {
            "the file holds text, not a picture".into()
        } else {
            "the file is not a picture of a known type".into()
        }))
    }
}

fn svg(text: &str) -> Result<&'static str, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let options = roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: 200_000, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| format!("the SVG is not well-formed XML ({e})"))?;
    let root = doc.root_element().tag_name();
    if root.name() != "svg" || root.namespace().is_some_and(|ns| ns != "http://www.w3.org/2000/svg") {
        return Err("the XML file is not an SVG image (its root is not <svg>)".into());
    }
    Ok("SVG")
}

fn ofd(data: &[u8]) -> Result<&'static str, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(data))
        .map_err(|e| format!("the ZIP file is not readable ({e})"))?;
    let mut names = std::collections::HashSet::new();
    for name in zip.file_names() {
        let name = name.map_err(|e| format!("the ZIP file is not readable ({e})"))?.into_owned();
        if !names.insert(name.clone()) {
            return Err(format!("the OFD package holds {name} twice"));
        }
    }
    let mut entry =
        zip.by_name("OFD.xml").map_err(|_| "a ZIP file without OFD.xml is not an OFD".to_owned())?;
    let mut xml = Vec::new();
    entry
        .by_ref()
        .take(1024 * 1024)
        .read_to_end(&mut xml)
        .map_err(|e| format!("OFD.xml is not readable ({e})"))?;
    let text = std::str::from_utf8(&xml).map_err(|_| "OFD.xml is not UTF-8".to_owned())?;
    let options = roxmltree::ParsingOptions { allow_dtd: false, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(text.strip_prefix('\u{feff}').unwrap_or(text), options)
        .map_err(|e| format!("OFD.xml is not well-formed ({e})"))?;
    if doc.root_element().tag_name().name() != "OFD" {
        return Err("OFD.xml has no OFD root element".into());
    }
    Ok("OFD")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png() -> Vec<u8> {
        let img = image::GrayImage::from_pixel(8, 8, image::Luma([0]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn pictures_are_recognised_by_content_and_must_open() {
        assert_eq!(picture_type(&png(), "p").unwrap(), "PNG");
        let mut jpeg = std::io::Cursor::new(Vec::new());
        image::RgbImage::from_pixel(8, 8, image::Rgb([200, 0, 0]))
            .write_to(&mut jpeg, image::ImageFormat::Jpeg)
            .unwrap();
        assert_eq!(picture_type(jpeg.get_ref(), "p").unwrap(), "JPG");
        let mut gif = std::io::Cursor::new(Vec::new());
        image::RgbaImage::from_pixel(8, 8, image::Rgba([200, 0, 0, 255]))
            .write_to(&mut gif, image::ImageFormat::Gif)
            .unwrap();
        assert_eq!(picture_type(gif.get_ref(), "p").unwrap(), "GIF");
        let svg = r#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle r="20"/></svg>"#;
        assert_eq!(picture_type(svg.as_bytes(), "p").unwrap(), "SVG");
        let ofd = std::fs::read(yinxin_test_vectors::vector_path("ofd/1.ofd")).unwrap();
        assert_eq!(picture_type(&ofd, "p").unwrap(), "OFD");

        let mut truncated = png();
        truncated.truncate(truncated.len() / 2);
        for (bad, why) in [
            ("甲方与乙方签订本合同。".as_bytes().to_vec(), "holds text"),
            (b"\x89PNG\r\n\x1a\n picture".to_vec(), "does not decode"),
            (truncated, "does not decode"),
            (b"<html><svg/></html>".to_vec(), "not an SVG"),
            (b"<svg><unclosed></svg>".to_vec(), "not well-formed"),
            (b"PK\x03\x04 junk".to_vec(), "ZIP"),
            (vec![0, 1, 2, 3], "not a picture"),
        ] {
            let e = picture_type(&bad, "p").unwrap_err();
            assert_eq!(e.code, "seal.picture_invalid");
            assert!(e.message.contains(why), "{}", e.message);
        }
    }
}
