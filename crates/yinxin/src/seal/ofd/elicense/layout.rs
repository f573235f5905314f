//! The page of an e-license file: which text lines, where, from a license's elements. The same
//! function lays out the page when it is rendered and when its text is checked, so the visible
//! text of a file is compared line for line with what the signed elements say.

use std::collections::BTreeMap;

use crate::license::{ElementValue, META_NAMESPACE};

/// Page size (A4 portrait), millimetres.
pub(crate) const PAGE_W: f64 = 210.0;
#[cfg_attr(not(feature = "qr-image"), allow(dead_code))]
pub(crate) const PAGE_H: f64 = 297.0;
/// Left margin of the text.
const LEFT: f64 = 22.0;
/// Width text may take.
const TEXT_W: f64 = 166.0;
/// Where the QR code of the license identifier goes (x, y, size).
pub(crate) const QR_BOX: (f64, f64, f64) = (22.0, 232.0, 40.0);
/// Where the portrait goes, when the license has one (x, y, w, h).
#[cfg_attr(not(feature = "qr-image"), allow(dead_code))]
pub(crate) const PORTRAIT_BOX: (f64, f64, f64, f64) = (150.0, 40.0, 30.0, 40.0);
/// Where the issuer's name and the date go (left edge, first line, width).
const ISSUER_AT: (f64, f64, f64) = (112.0, 205.0, 80.0);
/// The seal's size and its left edge; its top is 15 mm above the issuer's name.
const SEAL_SIZE: f64 = 42.0;
const SEAL_X: f64 = 126.0;

/// Labels of the surface fields of the license types in ../shared/fixtures (GB/T 36905 and the
/// licenses' own wording), in the order a page shows them. Fields not here follow, by name.
const LABELS: [(&str, &str); 18] = [
    ("name", "名称"),
    ("unified_social_credit_code", "统一社会信用代码"),
    ("entity_type", "类型"),
    ("legal_representative", "法定代表人"),
    ("registered_capital", "注册资本"),
    ("date_of_establishment", "成立日期"),
    ("business_term", "营业期限"),
    ("domicile", "住所"),
    ("business_scope", "经营范围"),
    ("registration_authority", "登记机关"),
    ("sex", "性别"),
    ("nationality", "国籍"),
    ("address", "住址"),
    ("date_of_birth", "出生日期"),
    ("date_of_first_issue", "初次领证日期"),
    ("vehicle_class", "准驾车型"),
    ("file_number", "档案编号"),
    ("portrait", "照片"),
];

/// One line of text on the page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub text: String,
    pub x: f64,
    pub y: f64,
    pub size: f64,
}

/// What the page shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Page {
    pub lines: Vec<Line>,
    /// Image elements (PNG or JPEG bytes): the portrait.
    pub images: Vec<Vec<u8>>,
    /// The text the QR code carries.
    pub qr: String,
    /// Where the seal goes (x, y, size): over the issuer's name and the date.
    pub seal: (f64, f64, f64),
}

/// An element as people read it on paper; `None` for bytes (shown as images, or not at all).
pub(crate) fn value_text(value: &ElementValue) -> Option<String> {
    Some(match value {
        ElementValue::Text(t) => t.clone(),
        ElementValue::Date(d) => format!("{:04}年{:02}月{:02}日", d.year(), u8::from(d.month()), d.day()),
        ElementValue::DateTime(t) => crate::text::rfc3339(*t),
        ElementValue::Int(i) => i.to_string(),
        ElementValue::Bool(b) => (if *b { "是" } else { "否" }).to_owned(),
        ElementValue::Null => "长期".to_owned(),
        ElementValue::Float(f) => f.to_string(),
        ElementValue::Bytes(_) => return None,
        other => other.to_json().to_string(),
    })
}

/// Whether bytes are an image a page can show (PNG or JPEG).
pub(crate) fn image_format(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', ..] => Some("PNG"),
        [0xFF, 0xD8, 0xFF, ..] => Some("JPEG"),
        _ => None,
    }
}

/// Width of text at `size` mm: CJK characters are square, Latin ones about half as wide.
fn width(text: &str, size: f64) -> f64 {
    text.chars().map(|c| if c.is_ascii() { 0.55 } else { 1.0 }).sum::<f64>() * size
}

/// `text` cut into lines no wider than `max` at `size`.
fn wrap(text: &str, size: f64, max: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for c in text.chars() {
        line.push(c);
        if width(&line, size) > max {
            line.pop();
            lines.push(std::mem::take(&mut line));
            line.push(c);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The page of a license with these elements (namespace → element → value).
pub(crate) fn page(elements: &BTreeMap<String, BTreeMap<String, ElementValue>>) -> Page {
    let empty = BTreeMap::new();
    let meta = elements.get(META_NAMESPACE).unwrap_or(&empty);
    let meta_text = |id: &str| meta.get(id).and_then(value_text).unwrap_or_default();
    let mut page = Page { qr: meta_text("license_identifier"), ..Page::default() };
    let mut y = 30.0;
    let title = meta_text("license_name");
    let title_size = 9.0;
    page.lines.push(Line {
        x: ((PAGE_W - width(&title, title_size)) / 2.0).max(LEFT),
        text: title,
        y,
        size: title_size,
    });
    y += 14.0;
    let put = |page: &mut Page, (left, max): (f64, f64), y: &mut f64, label: &str, value: &str, size: f64| {
        let first = format!("{label}：{value}");
        for part in wrap(&first, size, max) {
            page.lines.push(Line { text: part, x: left, y: *y, size });
            *y += size * 1.8;
        }
    };
    let push = |page: &mut Page, y: &mut f64, label: &str, value: &str, size: f64| {
        put(page, (LEFT, TEXT_W), y, label, value, size);
    };
    push(&mut page, &mut y, "证照编号", &meta_text("license_number"), 4.2);
    // The surface fields: labelled ones in their order, the rest by name.
    let surface = elements.iter().find(|(ns, _)| ns.as_str() != META_NAMESPACE).map(|(_, items)| items);
    if let Some(items) = surface {
        let mut order: Vec<(&str, &str)> = LABELS
            .iter()
            .filter(|(id, _)| items.contains_key(*id))
            .map(|(id, label)| (*id, *label))
            .collect();
        order.extend(
            items
                .keys()
                .filter(|id| !LABELS.iter().any(|(l, _)| l == id))
                .map(|id| (id.as_str(), id.as_str())),
        );
        for (id, label) in order {
            let Some(value) = items.get(id) else { continue };
            match value {
                ElementValue::Bytes(b) if image_format(b).is_some() => page.images.push(b.clone()),
                ElementValue::Bytes(_) => {}
                v => push(&mut page, &mut y, label, &value_text(v).unwrap_or_default(), 4.2),
            }
        }
    }
    let validity = format!("{} 至 {}", meta_text("valid_from"), meta_text("valid_until"));
    push(&mut page, &mut y, "有效期", &validity, 4.2);
    let (left, top, max) = ISSUER_AT;
    // Below the fields, however many lines they took.
    let mut y = top.max(y + 4.0);
    page.seal = (SEAL_X, y - 15.0, SEAL_SIZE);
    put(&mut page, (left, max), &mut y, "发证机关", &meta_text("issuer_name"), 4.2);
    put(&mut page, (left, max), &mut y, "发证日期", &meta_text("issue_date"), 4.2);
    let mut bottom = QR_BOX.1 + QR_BOX.2 + 6.0;
    let identifier = page.qr.clone();
    push(&mut page, &mut bottom, "电子证照标识", &identifier, 2.8);
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_wrap_within_the_text_width_and_nothing_is_lost() {
        let text = "软件开发;信息系统集成服务;数据处理和存储支持服务;信息技术咨询服务。(依法须经批准的项目,经相关部门批准后方可开展经营活动)";
        let lines = wrap(text, 4.2, TEXT_W);
        assert!(lines.len() >= 2);
        assert!(lines.iter().all(|l| width(l, 4.2) <= TEXT_W));
        assert_eq!(lines.concat(), text);
        assert_eq!(wrap("", 4.2, TEXT_W), [""]);
    }
}
