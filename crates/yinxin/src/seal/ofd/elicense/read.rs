//! Reading an e-license file: the attached credential, and what its pages show (every text
//! line and image, in order), to compare with what the credential's signed elements say.

use std::collections::BTreeMap;

use super::ATTACHMENT_FORMAT;
use super::layout;
use crate::license::{ElementValue, MAX_CREDENTIAL_SIZE};
use crate::seal::ofd::package::{Package, dir_of};
use crate::seal::ofd::{OfdError, OfdLimits, named, parse_xml, text_of, utf8};

/// What an e-license file carries, read without judging it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseFile {
    /// The attached credential (IssuerSigned CBOR).
    pub credential: Vec<u8>,
    /// Every text line the pages show, in page and drawing order.
    pub texts: Vec<String>,
    /// Every image the pages show (the bytes of its resource), in order.
    pub images: Vec<Vec<u8>>,
}

impl LicenseFile {
    /// Whether the pages show exactly what `elements` (a verified credential's) say, laid out
    /// as yinxin renders them: the same text lines and images, nothing edited, added or left
    /// out.
    pub fn shows(&self, elements: &BTreeMap<String, BTreeMap<String, ElementValue>>) -> bool {
        let page = layout::page(elements);
        let expected: Vec<&str> = page.lines.iter().map(|l| l.text.as_str()).collect();
        self.texts == expected && self.images == page.images
    }
}

/// Reads an e-license file: the credential attached to its first document (the attachment
/// of format `cbor`), and the text and images of every page.
pub fn read_license_file(ofd: &[u8], limits: OfdLimits) -> Result<LicenseFile, OfdError> {
    let mut pkg = Package::open(ofd, limits)?;
    let ofd_xml = pkg.read("OFD.xml")?;
    let ofd_text = utf8(&ofd_xml, "OFD.xml")?;
    let ofd_doc = parse_xml(ofd_text, &limits, "OFD.xml")?;
    let doc_root = named(ofd_doc.root_element(), "DocRoot").next().map(text_of).unwrap_or_default();
    if doc_root.is_empty() {
        return Err(OfdError::Xml("OFD.xml names no DocRoot".into()));
    }
    let doc_path = pkg.locate("", &doc_root)?;
    let doc_dir = dir_of(&doc_path).to_owned();
    let doc_bytes = pkg.read(&doc_path)?;
    let doc_text = utf8(&doc_bytes, &doc_path)?;
    let doc = parse_xml(doc_text, &limits, &doc_path)?;
    let root = doc.root_element();

    // The credential.
    let attachments_loc = named(root, "Attachments").next().map(text_of).unwrap_or_default();
    if attachments_loc.is_empty() {
        return Err(OfdError::Missing("the document has no attachments (no credential)".into()));
    }
    let attachments_path = pkg.locate(&doc_dir, &attachments_loc)?;
    let attachments_bytes = pkg.read(&attachments_path)?;
    let attachments = parse_xml(utf8(&attachments_bytes, &attachments_path)?, &limits, &attachments_path)?;
    let mut credentials = named(attachments.root_element(), "Attachment")
        .filter(|a| a.attribute("Format").is_some_and(|f| f.eq_ignore_ascii_case(ATTACHMENT_FORMAT)));
    let attachment = credentials
        .next()
        .ok_or_else(|| OfdError::Missing("no attachment of format cbor (the credential)".into()))?;
    if credentials.next().is_some() {
        return Err(OfdError::Ambiguous("two credentials attached".into()));
    }
    let loc = named(attachment, "FileLoc").next().map(text_of).unwrap_or_default();
    let credential_path = pkg.locate(dir_of(&attachments_path), &loc)?;
    let credential = pkg.read(&credential_path)?;
    if credential.len() > MAX_CREDENTIAL_SIZE {
        return Err(OfdError::TooLarge(format!("a credential of {} bytes", credential.len())));
    }

    // Images by resource ID, from the document's resource files.
    let mut media = BTreeMap::new();
    for res in named(root, "CommonData").flat_map(|c| {
        c.children()
            .filter(|n| matches!(n.tag_name().name(), "PublicRes" | "DocumentRes"))
            .collect::<Vec<_>>()
    }) {
        let path = pkg.locate(&doc_dir, &text_of(res))?;
        let bytes = pkg.read(&path)?;
        let res_doc = parse_xml(utf8(&bytes, &path)?, &limits, &path)?;
        let base = res_doc.root_element().attribute("BaseLoc").unwrap_or("");
        let res_dir =
            if base.is_empty() { dir_of(&path).to_owned() } else { pkg.locate(dir_of(&path), base)? };
        for m in named(res_doc.root_element(), "MultiMedia") {
            let (Some(id), Some(file)) = (m.attribute("ID"), named(m, "MediaFile").next().map(text_of))
            else {
                continue;
            };
            media.insert(id.trim().to_owned(), pkg.locate(&res_dir, &file)?);
        }
    }

    // What the pages show, in order.
    let mut texts = Vec::new();
    let mut images = Vec::new();
    for page in named(root, "Page") {
        let Some(base) = page.attribute("BaseLoc") else { continue };
        let path = pkg.locate(&doc_dir, base)?;
        let bytes = pkg.read(&path)?;
        let content = parse_xml(utf8(&bytes, &path)?, &limits, &path)?;
        for node in content.root_element().descendants().filter(|n| n.is_element()) {
            match node.tag_name().name() {
                "TextCode" => texts.push(node.text().unwrap_or_default().to_owned()),
                "ImageObject" => {
                    let id = node.attribute("ResourceID").unwrap_or_default().trim();
                    let path =
                        media.get(id).ok_or_else(|| OfdError::Missing(format!("image resource {id}")))?;
                    images.push(pkg.read(path)?);
                }
                _ => {}
            }
        }
    }
    Ok(LicenseFile { credential, texts, images })
}
