//! Writing an e-license file: the one-page OFD package (text, portrait, a vector QR code of the
//! license identifier, the credential as an attachment), then sealed with
//! [`sign_ofd`](super::super::sign_ofd).

use std::io::{Cursor, Write as _};

use time::OffsetDateTime;

use super::layout::{self, PAGE_H, PAGE_W, PORTRAIT_BOX, Page, QR_BOX};
use super::{ATTACHMENT_FORMAT, LicenseFileError};
use crate::crypto::DigestAlgorithm;
use crate::license::{META_NAMESPACE, untrusted};
use crate::seal::SealHolder;
use crate::seal::ofd::sign::{beijing_time, escape, mm};
use crate::seal::ofd::{OfdLimits, SignedOfd, Stamp, sign_ofd};

const NS: &str = "http://www.ofdspec.org/2016";

/// Renders a license credential (IssuerSigned CBOR) as a sealed one-page OFD file (GB/T 36905):
/// the license name, every surface field as text, the license identifier and a QR code of it,
/// the portrait when the license has one, the credential attached (`license.cbor`), sealed by
/// `holder` (the issuing authority's seal: its signer certificate must name the license's
/// issuer) at `at`.
pub fn render_license(
    credential: &[u8],
    holder: &SealHolder,
    at: OffsetDateTime,
) -> Result<SignedOfd, LicenseFileError> {
    // What is rendered must be what the issuer signed: its signature (with the key of the
    // certificate it carries) and every digest are checked first.
    let report = untrusted::inspect(credential, at)
        .map_err(LicenseFileError::License)?
        .into_iter()
        .next()
        .ok_or_else(|| LicenseFileError::Unreadable("the credential holds no document".into()))?;
    if !report.issuer_signature || !report.digests {
        return Err(LicenseFileError::Unreadable(
            report.message.unwrap_or_else(|| "the issuer signature or a digest does not verify".into()),
        ));
    }
    let issuer_code = report
        .elements
        .get(META_NAMESPACE)
        .and_then(|m| m.get("issuer_code"))
        .and_then(layout::value_text)
        .unwrap_or_default();
    let signer = holder.certificate().party().map(|p| p.code().to_owned());
    if signer.as_deref() != Some(issuer_code.as_str()) {
        return Err(LicenseFileError::NotIssuersSeal {
            issuer: issuer_code,
            signer: signer.unwrap_or_else(|| "no USCC".into()),
        });
    }
    let page = layout::page(&report.elements);
    let package = package(&page, credential, at)?;
    let (x, y, size) = page.seal;
    let stamp = Stamp { page: 1, x_mm: Some(x), y_mm: Some(y), size_mm: Some(size) };
    Ok(sign_ofd(&package, holder, &stamp, at, OfdLimits::default())?)
}

/// The unsigned package.
fn package(page: &Page, credential: &[u8], at: OffsetDateTime) -> Result<Vec<u8>, LicenseFileError> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let doc_id = hex::encode(DigestAlgorithm::Sm3.digest(credential).get(..16).unwrap_or_default());
    let date = beijing_time(at).get(..10).unwrap_or_default().to_owned();
    let title = page.lines.first().map(|l| l.text.as_str()).unwrap_or_default();
    files.push((
        "OFD.xml".into(),
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{NS}" Version="1.1" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>{doc_id}</ofd:DocID><ofd:Title>{title}</ofd:Title><ofd:CreationDate>{date}</ofd:CreationDate><ofd:Creator>yinxin</ofd:Creator><ofd:CreatorVersion>{version}</ofd:CreatorVersion></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"#,
            title = escape(title),
            version = env!("CARGO_PKG_VERSION"),
        )
        .into_bytes(),
    ));
    // IDs: 1 page, 2 font, 3 layer, 4.. images, then objects.
    let mut media = String::new();
    for (i, image) in page.images.iter().enumerate() {
        let format = layout::image_format(image).unwrap_or("PNG");
        let name = format!("image_{i}.{}", format.to_lowercase());
        media.push_str(&format!(
            r#"<ofd:MultiMedia ID="{id}" Type="Image" Format="{format}"><ofd:MediaFile>{name}</ofd:MediaFile></ofd:MultiMedia>"#,
            id = 4 + i
        ));
        files.push((format!("Doc_0/Res/{name}"), image.clone()));
    }
    let mut next_id = 4 + page.images.len();
    let mut content = String::new();
    for line in &page.lines {
        content.push_str(&format!(
            r#"<ofd:TextObject ID="{id}" Boundary="{x} {y} {w} {h}" Font="2" Size="{size}"><ofd:FillColor Value="0 0 0"/><ofd:TextCode X="0" Y="{base}">{text}</ofd:TextCode></ofd:TextObject>"#,
            id = next_id,
            x = mm(line.x),
            y = mm(line.y),
            w = mm(PAGE_W - line.x),
            h = mm(line.size * 1.4),
            size = mm(line.size),
            base = mm(line.size),
            text = escape(&line.text),
        ));
        next_id += 1;
    }
    for i in 0..page.images.len() {
        let (x, y, w, h) = PORTRAIT_BOX;
        content.push_str(&format!(
            r#"<ofd:ImageObject ID="{next_id}" ResourceID="{res}" Boundary="{x} {y} {w} {h}" CTM="{w} 0 0 {h} 0 0"/>"#,
            res = 4 + i,
            x = mm(x),
            y = mm(y),
            w = mm(w),
            h = mm(h),
        ));
        next_id += 1;
    }
    content.push_str(&qr_path(&page.qr, next_id)?);
    next_id += 1;
    files.push((
        "Doc_0/Pages/Page_0/Content.xml".into(),
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{NS}"><ofd:Content><ofd:Layer ID="3" Type="Body">{content}</ofd:Layer></ofd:Content></ofd:Page>"#
        )
        .into_bytes(),
    ));
    // A font every Chinese reader has (宋体); readers substitute their own for a missing one.
    files.push((
        "Doc_0/PublicRes.xml".into(),
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:Fonts><ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>"#
        )
        .into_bytes(),
    ));
    let document_res = if media.is_empty() {
        String::new()
    } else {
        files.push((
            "Doc_0/DocumentRes.xml".into(),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:MultiMedias>{media}</ofd:MultiMedias></ofd:Res>"#
            )
            .into_bytes(),
        ));
        "<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>".to_owned()
    };
    let size_kb = credential.len().div_ceil(1024);
    files.push((
        "Doc_0/Attachs/Attachments.xml".into(),
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Attachments xmlns:ofd="{NS}"><ofd:Attachment ID="{next_id}" Name="电子证照数据" Format="{ATTACHMENT_FORMAT}" CreationDate="{date}" Size="{size_kb}" Visible="false" Usage="GB/T 36903"><ofd:FileLoc>license.cbor</ofd:FileLoc></ofd:Attachment></ofd:Attachments>"#
        )
        .into_bytes(),
    ));
    files.push(("Doc_0/Attachs/license.cbor".into(), credential.to_vec()));
    files.push((
        "Doc_0/Document.xml".into(),
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{NS}"><ofd:CommonData><ofd:MaxUnitID>{max}</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 {w} {h}</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>{document_res}</ofd:CommonData><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages><ofd:Attachments>Attachs/Attachments.xml</ofd:Attachments></ofd:Document>"#,
            max = next_id,
            w = mm(PAGE_W),
            h = mm(PAGE_H),
        )
        .into_bytes(),
    ));
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        out.start_file(name, options).map_err(|e| LicenseFileError::Write(e.to_string()))?;
        out.write_all(&data).map_err(|e| LicenseFileError::Write(e.to_string()))?;
    }
    Ok(out.finish().map_err(|e| LicenseFileError::Write(e.to_string()))?.into_inner())
}

/// The QR code of `text` as one filled path: a rectangle per run of dark modules in a row.
fn qr_path(text: &str, id: usize) -> Result<String, LicenseFileError> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| LicenseFileError::Write(format!("QR code of the license identifier: {e}")))?;
    let n = code.width();
    let colors = code.to_colors();
    let (x, y, size) = QR_BOX;
    let module = size / f64::from(u32::try_from(n).unwrap_or(1).max(1));
    let mut data = String::new();
    for row in 0..n {
        let mut col = 0;
        while col < n {
            let dark = |c: usize| colors.get(row * n + c).is_some_and(|m| *m == qrcode::Color::Dark);
            if !dark(col) {
                col += 1;
                continue;
            }
            let start = col;
            while col < n && dark(col) {
                col += 1;
            }
            let at = |v: usize| mm(f64::from(u32::try_from(v).unwrap_or(0)) * module);
            let (x0, x1, y0, y1) = (at(start), at(col), at(row), at(row + 1));
            data.push_str(&format!("M {x0} {y0} L {x1} {y0} L {x1} {y1} L {x0} {y1} C "));
        }
    }
    Ok(format!(
        r#"<ofd:PathObject ID="{id}" Boundary="{x} {y} {size} {size}" Stroke="false" Fill="true"><ofd:FillColor Value="0 0 0"/><ofd:AbbreviatedData>{data}</ofd:AbbreviatedData></ofd:PathObject>"#,
        x = mm(x),
        y = mm(y),
        size = mm(size),
        data = data.trim_end(),
    ))
}
