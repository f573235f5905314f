//! Adding a seal signature to an OFD package (GB/T 38540 §7, as deployed producers write it).
//!
//! What is added, under the first document's `Signs` directory:
//! * the signature list (`Signatures.xml`, created and linked from `OFD.xml` when missing; a
//!   new `Signature` entry and `MaxSignId` otherwise, edited in place so nothing else changes);
//! * `Sign_N/Seal.esl` (the seal), `Sign_N/Signature.xml` (references: SM3 of every file of the
//!   package but the signature list and this signature's own files, check method
//!   1.2.156.10197.1.401; a `StampAnnot` at the given page position; the seal), and
//!   `Sign_N/SignedValue.dat`: a v4 `SES_Signature` whose `dataHash` is SM3 of the
//!   Signature.xml bytes.
//!
//! The signature list is left out of the references (ofdrw's "continue signing" mode), so a
//! later signature keeps earlier ones valid; a package whose list an earlier signature
//! protects cannot take another signature without breaking that one, and is refused. Every
//! other file is copied as it is (raw, not recompressed, under its own entry name); directory
//! entries, which hold nothing and no reference names, are left out. The package is read with
//! the reader's limits and ambiguity checks ([`OfdLimits`]).

use std::io::{Cursor, Write as _};

use base64::Engine as _;
use time::OffsetDateTime;

use super::package::{Package, dir_of};
use super::{OfdError, OfdLimits, named, parse_xml, text_of, utf8};
use crate::ErrorCode;
use crate::crypto::DigestAlgorithm;
use crate::seal::{SealError, SealHolder};

/// The namespace yinxin writes (GB/T 33190-2016).
const OFD_NS: &str = "http://www.ofdspec.org/2016";
/// SM3 (GM/T 0004), the check method of references.
const SM3_OID: &str = "1.2.156.10197.1.401";
/// SM2 with SM3, the signature method of seal signatures.
const SM2_SM3_OID: &str = "1.2.156.10197.1.501";
/// The largest appearance, either side, in millimetres.
const MAX_STAMP_MM: f64 = 300.0;

/// Where a seal's appearance goes: a page and a box on it, in millimetres from the page's top
/// left corner (OFD's coordinate system).
#[derive(Debug, Clone, PartialEq)]
pub struct Stamp {
    /// Page number, from 1, in the document's page order.
    pub page: u32,
    /// Left edge of the appearance; `None`: 20 mm from the page's right edge.
    pub x_mm: Option<f64>,
    /// Top edge of the appearance; `None`: 30 mm above the page's bottom edge.
    pub y_mm: Option<f64>,
    /// Width of the appearance (the height follows the seal picture's proportions); `None`:
    /// the seal picture's own size.
    pub size_mm: Option<f64>,
}

impl Default for Stamp {
    fn default() -> Self {
        Self { page: 1, x_mm: None, y_mm: None, size_mm: None }
    }
}

/// Why an OFD could not be signed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OfdSignError {
    /// The package cannot be read (its code: `ofd.zip`, `ofd.too_large`, `ofd.xml`, …).
    #[error(transparent)]
    Read(#[from] OfdError),
    /// The seal could not sign (its code: `seal.sign`, …).
    #[error(transparent)]
    Seal(#[from] SealError),
    /// The document has no such page (`ofd.no_page`).
    #[error("the document has no page {page} (it has {pages})")]
    NoPage {
        /// The page asked for.
        page: u32,
        /// How many pages it has.
        pages: usize,
    },
    /// The appearance does not fit on the page, or a number is not usable (`ofd.stamp_position`).
    #[error("stamp position: {0}")]
    Position(String),
    /// An earlier signature protects the signature list: adding to it would break that
    /// signature (`ofd.signatures_protected`).
    #[error("the signature list is protected by {0}: another signature would break it")]
    Protected(String),
    /// Writing the signed package failed (`ofd.write`).
    #[error("cannot write the signed package: {0}")]
    Write(String),
}

impl ErrorCode for OfdSignError {
    fn code(&self) -> &'static str {
        match self {
            Self::Read(e) => e.code(),
            Self::Seal(e) => e.code(),
            Self::NoPage { .. } => "ofd.no_page",
            Self::Position(_) => "ofd.stamp_position",
            Self::Protected(_) => "ofd.signatures_protected",
            Self::Write(_) => "ofd.write",
        }
    }
}

fn write_err(e: impl std::fmt::Display) -> OfdSignError {
    OfdSignError::Write(e.to_string())
}

/// A signed OFD package and where its new signature is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedOfd {
    /// The signed package.
    pub ofd: Vec<u8>,
    /// The new signature's Signature.xml, as verdicts name it (`/Doc_0/Signs/Sign_N/Signature.xml`).
    pub signature: String,
}

/// Signs an OFD package with a seal. `at` is the signing time written into the
/// `SES_Signature` (and, in Beijing time, into `SignatureDateTime`).
pub fn sign_ofd(
    ofd: &[u8],
    holder: &SealHolder,
    stamp: &Stamp,
    at: OffsetDateTime,
    limits: OfdLimits,
) -> Result<SignedOfd, OfdSignError> {
    let mut pkg = Package::open(ofd, limits)?;
    let plan = Plan::read(&mut pkg, &limits, stamp, holder)?;
    // Every file but the signature list, as it will be in the signed package.
    let mut references = Vec::new();
    let files: Vec<String> = pkg.files().map(str::to_owned).collect();
    for path in &files {
        if path.eq_ignore_ascii_case(&plan.list_path) {
            continue;
        }
        let digest = if path == "OFD.xml" {
            DigestAlgorithm::Sm3.digest(plan.ofd_xml.as_bytes())
        } else {
            DigestAlgorithm::Sm3.digest(&pkg.read(path)?)
        };
        references.push((format!("/{path}"), digest));
    }
    let seal_path = format!("{}/Seal.esl", plan.sign_dir);
    references.push((format!("/{seal_path}"), DigestAlgorithm::Sm3.digest(holder.seal().der())));
    let signature_path = format!("{}/Signature.xml", plan.sign_dir);
    let signed_value_path = format!("{}/SignedValue.dat", plan.sign_dir);
    let signature_xml = signature_xml(&plan, &references, &seal_path, &signed_value_path, at);
    let signed_value = holder.sign(signature_xml.as_bytes(), at, &format!("/{signature_path}"))?;

    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(ofd.len() + 64 * 1024)));
    let deflate =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for path in &files {
        if path == "OFD.xml" && plan.ofd_xml_changed {
            write_file(&mut out, &pkg.entry_name(path), plan.ofd_xml.as_bytes(), deflate)?;
        } else if path.eq_ignore_ascii_case(&plan.list_path) {
            write_file(&mut out, &pkg.entry_name(path), plan.list_xml.as_bytes(), deflate)?;
        } else {
            pkg.copy_raw(path, &mut out)?;
        }
    }
    if !pkg.contains(&plan.list_path) {
        write_file(&mut out, &plan.list_path, plan.list_xml.as_bytes(), deflate)?;
    }
    write_file(&mut out, &seal_path, holder.seal().der(), deflate)?;
    write_file(&mut out, &signature_path, signature_xml.as_bytes(), deflate)?;
    write_file(&mut out, &signed_value_path, &signed_value, deflate)?;
    let ofd = out.finish().map_err(write_err)?.into_inner();
    Ok(SignedOfd { ofd, signature: format!("/{signature_path}") })
}

fn write_file(
    out: &mut zip::ZipWriter<Cursor<Vec<u8>>>,
    name: &str,
    data: &[u8],
    options: zip::write::SimpleFileOptions,
) -> Result<(), OfdSignError> {
    out.start_file(name, options).map_err(write_err)?;
    out.write_all(data).map_err(write_err)
}

/// What the new signature will be: read from the package before anything is written.
struct Plan {
    /// OFD.xml as it will be (with the signature list linked).
    ofd_xml: String,
    ofd_xml_changed: bool,
    /// The signature list's path and its new content.
    list_path: String,
    list_xml: String,
    /// The directory of the new signature (`Doc_0/Signs/Sign_N`).
    sign_dir: String,
    /// The ID of the new signature's StampAnnot (the signature's is one less).
    annot_id: u64,
    /// The page's ID and the appearance's box (x, y, w, h in mm).
    page_id: String,
    boundary: (f64, f64, f64, f64),
}

impl Plan {
    fn read(
        pkg: &mut Package<'_>,
        limits: &OfdLimits,
        stamp: &Stamp,
        holder: &SealHolder,
    ) -> Result<Self, OfdSignError> {
        let ofd_bytes = pkg.read("OFD.xml")?;
        let ofd_text = utf8(&ofd_bytes, "OFD.xml")?.to_owned();
        let ofd = parse_xml(&ofd_text, limits, "OFD.xml")?;
        let root = ofd.root_element();
        if root.tag_name().name() != "OFD" {
            return Err(OfdError::Xml("OFD.xml has no OFD root element".into()).into());
        }
        let body =
            named(root, "DocBody").next().ok_or_else(|| OfdError::Xml("OFD.xml has no DocBody".into()))?;
        let doc_root = named(body, "DocRoot").next().map(text_of).unwrap_or_default();
        if doc_root.is_empty() {
            return Err(OfdError::Xml("the DocBody names no DocRoot".into()).into());
        }
        let doc_path = pkg.locate("", &doc_root)?;
        let (page_id, page_box) = page(pkg, limits, &doc_path, stamp.page)?;
        let boundary = boundary(stamp, page_box, holder)?;
        let list_loc = named(body, "Signatures").next().map(text_of).filter(|l| !l.is_empty());
        let (list_path, ofd_xml, ofd_xml_changed) = match list_loc {
            Some(loc) => (pkg.locate("", &loc)?, ofd_text.clone(), false),
            None => {
                let path = format!("{}/Signs/Signatures.xml", dir_of(&doc_path));
                let path = path.trim_start_matches('/').to_owned();
                let tag = qualified(prefix_of(&ofd_text, body), "Signatures");
                let insert = end_tag_start(&ofd_text, body)
                    .ok_or_else(|| OfdError::Xml("the DocBody of OFD.xml is empty".into()))?;
                let mut edited = ofd_text.clone();
                edited.insert_str(insert, &format!("<{tag}>/{path}</{tag}>"));
                (path, edited, true)
            }
        };
        let signs_dir = dir_of(&list_path).to_owned();
        let (list_xml, annot_id, sign_dir) = if pkg.contains(&list_path) {
            let bytes = pkg.read(&list_path)?;
            let text = utf8(&bytes, &list_path)?.to_owned();
            let list = parse_xml(&text, limits, &list_path)?;
            let root = list.root_element();
            let is_ofd = root.tag_name().namespace().is_none_or(|ns| ns.starts_with(super::OFD_NS_PREFIX));
            if root.tag_name().name() != "Signatures" || !is_ofd {
                return Err(OfdError::Xml(format!("/{list_path} is not an OFD signature list")).into());
            }
            refuse_if_list_protected(pkg, limits, &list, &list_path)?;
            let max = named(list.root_element(), "MaxSignId")
                .next()
                .and_then(|n| text_of(n).parse::<u64>().ok())
                .unwrap_or(0);
            let highest = named(list.root_element(), "Signature")
                .filter_map(|s| s.attribute("ID").and_then(|id| id.trim().parse::<u64>().ok()))
                .max()
                .unwrap_or(0)
                .max(max);
            let sign_id =
                highest.checked_add(1).ok_or_else(|| OfdError::Xml("signature IDs exhausted".into()))?;
            let annot_id =
                sign_id.checked_add(1).ok_or_else(|| OfdError::Xml("signature IDs exhausted".into()))?;
            let sign_dir = free_sign_dir(pkg, &signs_dir)?;
            let xml = add_to_list(&text, &list, sign_id, annot_id, &format!("/{sign_dir}/Signature.xml"))?;
            (xml, annot_id, sign_dir)
        } else {
            let sign_dir = free_sign_dir(pkg, &signs_dir)?;
            let xml = format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Signatures xmlns:ofd="{OFD_NS}"><ofd:MaxSignId>2</ofd:MaxSignId><ofd:Signature ID="1" Type="Seal" BaseLoc="/{sign_dir}/Signature.xml"/></ofd:Signatures>"#
            );
            (xml, 2, sign_dir)
        };
        Ok(Self { ofd_xml, ofd_xml_changed, list_path, list_xml, sign_dir, annot_id, page_id, boundary })
    }
}

/// The ID of page `number` (from 1) and its physical box (w, h in mm).
fn page(
    pkg: &mut Package<'_>,
    limits: &OfdLimits,
    doc_path: &str,
    number: u32,
) -> Result<(String, (f64, f64)), OfdSignError> {
    let bytes = pkg.read(doc_path)?;
    let text = utf8(&bytes, doc_path)?;
    let doc = parse_xml(text, limits, doc_path)?;
    let pages: Vec<_> = named(doc.root_element(), "Page").collect();
    let index = usize::try_from(number).ok().and_then(|n| n.checked_sub(1));
    let node =
        index.and_then(|i| pages.get(i)).ok_or(OfdSignError::NoPage { page: number, pages: pages.len() })?;
    let id = node.attribute("ID").map(str::trim).unwrap_or_default().to_owned();
    if id.is_empty() {
        return Err(OfdError::Xml(format!("page {number} of {doc_path} has no ID")).into());
    }
    // The page's own area when it has one, else the document's default.
    let mut page_box = named(doc.root_element(), "PageArea")
        .next()
        .and_then(|a| named(a, "PhysicalBox").next())
        .and_then(|b| parse_box(&text_of(b)));
    if let Some(base) = node.attribute("BaseLoc") {
        let path = pkg.locate(dir_of(doc_path), base)?;
        if let Ok(content) = pkg.read(&path) {
            if let Ok(text) = utf8(&content, &path) {
                if let Ok(page) = parse_xml(text, limits, &path) {
                    if let Some(b) = named(page.root_element(), "Area")
                        .next()
                        .and_then(|a| named(a, "PhysicalBox").next())
                        .and_then(|b| parse_box(&text_of(b)))
                    {
                        page_box = Some(b);
                    }
                }
            }
        }
    }
    let page_box = page_box.ok_or_else(|| OfdError::Xml(format!("page {number} has no PhysicalBox")))?;
    Ok((id, page_box))
}

/// `x y w h` → (w, h), finite and positive.
fn parse_box(text: &str) -> Option<(f64, f64)> {
    let numbers: Vec<f64> = text.split_whitespace().map(|n| n.parse::<f64>().ok()).collect::<Option<_>>()?;
    match numbers.as_slice() {
        [_, _, w, h] if w.is_finite() && h.is_finite() && *w > 0.0 && *h > 0.0 => Some((*w, *h)),
        _ => None,
    }
}

/// The appearance's box on a page of `page` (w, h).
fn boundary(
    stamp: &Stamp,
    (page_w, page_h): (f64, f64),
    holder: &SealHolder,
) -> Result<(f64, f64, f64, f64), OfdSignError> {
    let picture = holder.seal().picture();
    // The picture's size in whole millimetres as the seal says; outside 1..=300 unusable.
    let size_of = |v: i64| i32::try_from(v).ok().filter(|v| (1..=300).contains(v)).map_or(0.0, f64::from);
    let (pic_w, pic_h) = (size_of(picture.width_mm), size_of(picture.height_mm));
    let (w, h) = match stamp.size_mm {
        Some(size) if size.is_finite() && size > 0.0 && size <= MAX_STAMP_MM => {
            let h = if pic_w > 0.0 && pic_h > 0.0 { size * pic_h / pic_w } else { size };
            (size, h)
        }
        Some(size) => {
            return Err(OfdSignError::Position(format!(
                "size {size} mm: give more than 0 and at most {MAX_STAMP_MM}"
            )));
        }
        None if pic_w > 0.0 && pic_h > 0.0 => (pic_w, pic_h),
        None => (40.0, 40.0),
    };
    let x = stamp.x_mm.unwrap_or(page_w - w - 20.0);
    let y = stamp.y_mm.unwrap_or(page_h - h - 30.0);
    let fits = x.is_finite() && y.is_finite() && x >= 0.0 && y >= 0.0 && x + w <= page_w && y + h <= page_h;
    if !fits {
        return Err(OfdSignError::Position(format!(
            "a {w:.1} × {h:.1} mm appearance at x {x:.1} mm, y {y:.1} mm does not fit the page ({page_w} × {page_h} mm)"
        )));
    }
    Ok((x, y, w, h))
}

/// Refuses a package where an existing signature's references cover the signature list.
fn refuse_if_list_protected(
    pkg: &mut Package<'_>,
    limits: &OfdLimits,
    list: &roxmltree::Document<'_>,
    list_path: &str,
) -> Result<(), OfdSignError> {
    for sig in named(list.root_element(), "Signature") {
        let Some(base) = sig.attribute("BaseLoc") else { continue };
        let path = pkg.locate(dir_of(list_path), base)?;
        let Ok(bytes) = pkg.read(&path) else { continue };
        let Ok(text) = utf8(&bytes, &path) else { continue };
        let Ok(doc) = parse_xml(text, limits, &path) else { continue };
        for r in named(doc.root_element(), "Reference") {
            let covered = r
                .attribute("FileRef")
                .and_then(|f| pkg.locate(dir_of(&path), f).ok())
                .is_some_and(|p| p.eq_ignore_ascii_case(list_path));
            if covered {
                return Err(OfdSignError::Protected(format!("/{path}")));
            }
        }
    }
    Ok(())
}

/// The first `Sign_N` directory under `signs_dir` that holds no file (the names in use are
/// collected once: a package of thousands of signatures costs linear time).
fn free_sign_dir(pkg: &Package<'_>, signs_dir: &str) -> Result<String, OfdSignError> {
    let prefix = if signs_dir.is_empty() { String::new() } else { format!("{signs_dir}/") };
    let lower_prefix = prefix.to_lowercase();
    let taken: std::collections::HashSet<String> = pkg
        .files()
        .filter_map(|f| {
            let rest = f.to_lowercase().strip_prefix(&lower_prefix)?.to_owned();
            rest.split_once('/').map(|(dir, _)| dir.to_owned())
        })
        .collect();
    (0..=taken.len())
        .map(|n| format!("Sign_{n}"))
        .find(|dir| !taken.contains(&dir.to_lowercase()))
        .map(|dir| format!("{prefix}{dir}"))
        .ok_or_else(|| OfdError::TooLarge("no free Sign_N directory".into()).into())
}

/// The list with a new `Signature` entry and `MaxSignId` = `annot_id`, in the list's own
/// namespace prefix; the rest of the text unchanged.
fn add_to_list(
    text: &str,
    list: &roxmltree::Document<'_>,
    sign_id: u64,
    annot_id: u64,
    base_loc: &str,
) -> Result<String, OfdSignError> {
    let root = list.root_element();
    let prefix = prefix_of(text, root);
    let entry =
        format!(r#"<{} ID="{sign_id}" Type="Seal" BaseLoc="{base_loc}"/>"#, qualified(prefix, "Signature"));
    let end = end_tag_start(text, root).ok_or_else(|| OfdError::Xml("the signature list is empty".into()))?;
    let mut edits: Vec<(std::ops::Range<usize>, String)> = vec![(end..end, entry)];
    match named(root, "MaxSignId").next() {
        Some(max) => {
            let inner = inner_range(text, max)
                .ok_or_else(|| OfdError::Xml("MaxSignId is not a text element".into()))?;
            edits.push((inner, annot_id.to_string()));
        }
        None => {
            let after_open = open_tag_end(text, root)
                .ok_or_else(|| OfdError::Xml("the signature list is empty".into()))?;
            let tag = qualified(prefix, "MaxSignId");
            edits.push((after_open..after_open, format!("<{tag}>{annot_id}</{tag}>")));
        }
    }
    // Apply from the end so earlier offsets stay right.
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = text.to_owned();
    for (range, with) in edits {
        if out.get(range.clone()).is_none() {
            return Err(OfdError::Xml("the signature list cannot be edited".into()).into());
        }
        out.replace_range(range, &with);
    }
    Ok(out)
}

/// The Signature.xml of the new signature.
fn signature_xml(
    plan: &Plan,
    references: &[(String, [u8; 32])],
    seal: &str,
    signed_value: &str,
    at: OffsetDateTime,
) -> String {
    let b64 = &base64::engine::general_purpose::STANDARD;
    let mut refs = String::new();
    for (path, digest) in references {
        refs.push_str(&format!(
            r#"<ofd:Reference FileRef="{}"><ofd:CheckValue>{}</ofd:CheckValue></ofd:Reference>"#,
            escape(path),
            b64.encode(digest)
        ));
    }
    let (x, y, w, h) = plan.boundary;
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Signature xmlns:ofd="{ns}"><ofd:SignedInfo>"#,
            r#"<ofd:Provider ProviderName="yinxin" Company="yinxin" Version="{version}"/>"#,
            r#"<ofd:SignatureMethod>{method}</ofd:SignatureMethod>"#,
            r#"<ofd:SignatureDateTime>{time}</ofd:SignatureDateTime>"#,
            r#"<ofd:References CheckMethod="{check}">{refs}</ofd:References>"#,
            r#"<ofd:StampAnnot ID="{annot}" PageRef="{page}" Boundary="{x} {y} {w} {h}"/>"#,
            r#"<ofd:Seal><ofd:BaseLoc>/{seal}</ofd:BaseLoc></ofd:Seal></ofd:SignedInfo>"#,
            r#"<ofd:SignedValue>/{signed_value}</ofd:SignedValue></ofd:Signature>"#
        ),
        ns = OFD_NS,
        version = env!("CARGO_PKG_VERSION"),
        method = SM2_SM3_OID,
        time = beijing_time(at),
        check = SM3_OID,
        refs = refs,
        annot = plan.annot_id,
        page = escape(&plan.page_id),
        x = mm(x),
        y = mm(y),
        w = mm(w),
        h = mm(h),
        seal = escape(seal),
        signed_value = escape(signed_value),
    )
}

/// `YYYY-MM-DD hh:mm:ss` in Beijing time (UTC+8), as deployed producers write
/// `SignatureDateTime`; the signing time that counts is the one inside the SES_Signature.
pub(super) fn beijing_time(at: OffsetDateTime) -> String {
    let t = time::UtcOffset::from_hms(8, 0, 0).map_or(at, |beijing| at.to_offset(beijing));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A length in millimetres as OFD writes it: up to three decimals, no trailing zeros.
pub(super) fn mm(v: f64) -> String {
    let text = format!("{v:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Text escaped for an XML attribute or element.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The namespace prefix an element was written with (`None`: the default namespace).
fn prefix_of<'t>(text: &'t str, node: roxmltree::Node<'_, '_>) -> Option<&'t str> {
    let rest = text.get(node.range().start..)?.strip_prefix('<')?;
    let end = rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
    rest.get(..end)?.split_once(':').map(|(prefix, _)| prefix)
}

fn qualified(prefix: Option<&str>, local: &str) -> String {
    prefix.map_or_else(|| local.to_owned(), |p| format!("{p}:{local}"))
}

/// Where an element's start tag ends (after its `>`); `None` for an empty element (`<a/>`).
fn open_tag_end(text: &str, node: roxmltree::Node<'_, '_>) -> Option<usize> {
    let range = node.range();
    let tag = text.get(range.clone())?;
    let mut quote = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => {
                return if tag.get(..i)?.ends_with('/') { None } else { Some(range.start + i + 1) };
            }
            _ => {}
        }
    }
    None
}

/// Where an element's end tag begins; `None` for an empty element.
fn end_tag_start(text: &str, node: roxmltree::Node<'_, '_>) -> Option<usize> {
    let range = node.range();
    let element = text.get(range.clone())?;
    if element.ends_with("/>") {
        return None;
    }
    element.rfind("</").map(|i| range.start + i)
}

/// The bytes between an element's start and end tags.
fn inner_range(text: &str, node: roxmltree::Node<'_, '_>) -> Option<std::ops::Range<usize>> {
    let start = open_tag_end(text, node)?;
    let end = end_tag_start(text, node)?;
    (start <= end).then_some(start..end)
}
