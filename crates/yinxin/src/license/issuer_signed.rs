//! IssuerSigned (ISO/IEC 18013-5 §8.3.2.1.2.2): salted items per name space and issuerAuth.
//!
//! Parsing keeps the exact bytes of every item (`#6.24(bstr)`) and of issuerAuth, so digests and
//! the signature are checked over what the issuer produced, never over a re-encoding.

use ciborium::Value;
use ciborium_ll::Header;
use coset::CoseSign1;

use super::{ElementValue, LicenseError};
use crate::cose::cbor::{KeySet, Walker};

/// Credentials larger than this are refused before parsing (1 MiB: a license with a portrait
/// is about 16 KiB).
pub const MAX_CREDENTIAL_SIZE: usize = 1 << 20;
/// At most this many name spaces and items per name space.
const MAX_NAMESPACES: usize = 16;
const MAX_ITEMS: usize = 512;

/// One IssuerSignedItem and the exact bytes its digest covers.
#[derive(Debug, Clone)]
pub(crate) struct Item<'a> {
    /// `#6.24(bstr .cbor IssuerSignedItem)` exactly as in the input.
    pub raw: &'a [u8],
    pub digest_id: u64,
    /// Length of the item's random salt (its value matters only through the digest).
    pub random_len: usize,
    pub element: String,
    pub value: ElementValue,
}

/// A parsed IssuerSigned.
#[derive(Debug, Clone)]
pub(crate) struct IssuerSigned<'a> {
    pub namespaces: Vec<(String, Vec<Item<'a>>)>,
    pub issuer_auth: crate::cose::sign1::Sign1<'a>,
    /// issuerAuth exactly as received.
    pub issuer_auth_raw: &'a [u8],
    /// The pre-signed compact QR claims by disclosure set name, exactly as received.
    pub qr_sets: Vec<(String, &'a [u8])>,
    /// The tree claims (any-subset QR codes), exactly as received.
    pub tree: Option<&'a [u8]>,
}

/// The IssuerSigned key under which yinxin keeps the compact QR claims (readers of plain
/// ISO 18013-5 skip unknown keys).
pub(crate) const QR_KEY: &str = "yinxinQr";

const UNKNOWN_KEY: &str = "unknown key in IssuerSigned";

fn malformed(what: &str) -> LicenseError {
    LicenseError::Malformed(what.to_owned())
}

/// Reads an IssuerSignedItem from its content bytes, straight from the CBOR (no intermediate
/// value tree): this runs for every element of every credential verified.
fn parse_item<'a>(raw: &'a [u8], content: &[u8]) -> Result<Item<'a>, LicenseError> {
    let mut w = Walker::new(content);
    let mut digest_id = None;
    let mut random = None;
    let mut element = None;
    let mut value = None;
    let mut keys = KeySet::default();
    for _ in 0..w.map()? {
        let key = w.key()?;
        keys.insert(key)?;
        match key {
            b"digestID" if digest_id.is_none() => match w.header()? {
                Header::Positive(n) => digest_id = Some(n),
                _ => return Err(malformed("digestID")),
            },
            b"random" if random.is_none() => match w.header()? {
                Header::Bytes(Some(len)) => random = Some(w.take(len)?.len()),
                _ => return Err(malformed("random")),
            },
            b"elementIdentifier" if element.is_none() => element = Some(w.text()?.to_owned()),
            b"elementValue" if value.is_none() => value = Some(super::value::read_element_value(&mut w, 1)?),
            b"digestID" | b"random" | b"elementIdentifier" | b"elementValue" => {
                return Err(malformed("duplicate item key"));
            }
            _ => {
                w.skip()?;
            }
        }
    }
    if !w.at_end() {
        return Err(malformed("trailing bytes in item"));
    }
    Ok(Item {
        raw,
        digest_id: digest_id.ok_or_else(|| malformed("digestID"))?,
        random_len: random.ok_or_else(|| malformed("random"))?,
        element: element.ok_or_else(|| malformed("elementIdentifier"))?,
        value: value.ok_or_else(|| malformed("elementValue"))?,
    })
}

fn parse_namespaces<'a>(w: &mut Walker<'a>) -> Result<Vec<(String, Vec<Item<'a>>)>, LicenseError> {
    let n = w.map()?;
    if n > MAX_NAMESPACES {
        return Err(malformed("too many name spaces"));
    }
    let mut out: Vec<(String, Vec<Item<'a>>)> = Vec::with_capacity(n);
    for _ in 0..n {
        let ns = w.text()?.to_owned();
        if out.iter().any(|(existing, _)| *existing == ns) {
            return Err(malformed("duplicate name space"));
        }
        let count = w.array()?;
        if count > MAX_ITEMS {
            return Err(malformed("too many items"));
        }
        let mut items: Vec<Item<'a>> = Vec::with_capacity(count);
        for _ in 0..count {
            let start = w.pos();
            if !matches!(w.header()?, Header::Tag(24)) {
                return Err(malformed("item is not #6.24"));
            }
            let content = match w.header()? {
                Header::Bytes(Some(len)) => w.take(len)?,
                _ => return Err(malformed("item is not #6.24(bstr)")),
            };
            let raw = w.slice(start, w.pos())?;
            let item = parse_item(raw, content)?;
            if items.iter().any(|i| i.digest_id == item.digest_id || i.element == item.element) {
                return Err(malformed("duplicate digestID or element in a name space"));
            }
            items.push(item);
        }
        out.push((ns, items));
    }
    Ok(out)
}

/// Parses an IssuerSigned structure (the whole of `bytes`).
pub(crate) fn parse(bytes: &[u8]) -> Result<IssuerSigned<'_>, LicenseError> {
    if bytes.len() > MAX_CREDENTIAL_SIZE {
        return Err(LicenseError::TooLarge(bytes.len()));
    }
    let mut w = Walker::new(bytes);
    let parsed = parse_at(&mut w)?;
    if !w.at_end() {
        return Err(malformed("trailing bytes"));
    }
    Ok(parsed)
}

/// Parses an IssuerSigned map at the walker's position.
pub(crate) fn parse_at<'a>(w: &mut Walker<'a>) -> Result<IssuerSigned<'a>, LicenseError> {
    let entries = w.map()?;
    let mut namespaces = None;
    let mut issuer_auth = None;
    let mut qr_sets = None;
    let mut tree = None;
    let mut keys = KeySet::default();
    for _ in 0..entries {
        let key = w.text()?;
        keys.insert(key.as_bytes())?;
        match key {
            "nameSpaces" if namespaces.is_none() => namespaces = Some(parse_namespaces(w)?),
            "issuerAuth" if issuer_auth.is_none() => {
                let raw = w.skip()?;
                issuer_auth = Some((crate::cose::sign1::parse(raw)?, raw));
            }
            QR_KEY if qr_sets.is_none() => {
                let mut sets = Vec::new();
                let mut names = KeySet::default();
                for _ in 0..w.map()? {
                    let name = w.text()?;
                    names.insert(name.as_bytes())?;
                    sets.push((name.to_owned(), w.skip()?));
                }
                qr_sets = Some(sets);
            }
            super::tree::TREE_KEY if tree.is_none() => tree = Some(w.skip()?),
            "nameSpaces" | "issuerAuth" | QR_KEY | super::tree::TREE_KEY => {
                return Err(malformed("duplicate key"));
            }
            // Nothing unsigned rides along: a key nobody knows (or one whose name was altered,
            // which would drop what it named) is refused.
            _ => return Err(malformed(UNKNOWN_KEY)),
        }
    }
    Ok(IssuerSigned {
        namespaces: namespaces.unwrap_or_default(),
        issuer_auth: issuer_auth
            .as_ref()
            .map(|(s, _)| s.clone())
            .ok_or_else(|| LicenseError::IssuerAuth("missing".into()))?,
        issuer_auth_raw: issuer_auth.map(|(_, raw)| raw).unwrap_or_default(),
        qr_sets: qr_sets.unwrap_or_default(),
        tree,
    })
}

/// A document of a DeviceResponse: its docType and IssuerSigned.
pub(crate) struct Document<'a> {
    pub doc_type: String,
    pub issuer_signed: IssuerSigned<'a>,
}

/// Parses either a bare IssuerSigned or a DeviceResponse (ISO 18013-5 §8.3.2.1.2.2), returning
/// one document per entry (`doc_type` empty for a bare IssuerSigned).
pub(crate) fn parse_any(bytes: &[u8]) -> Result<Vec<Document<'_>>, LicenseError> {
    if bytes.len() > MAX_CREDENTIAL_SIZE {
        return Err(LicenseError::TooLarge(bytes.len()));
    }
    // Most inputs are a bare IssuerSigned: read it in one pass, and only if the top level has
    // no issuerAuth read it as a DeviceResponse.
    match parse(bytes) {
        Ok(issuer_signed) => return Ok(vec![Document { doc_type: String::new(), issuer_signed }]),
        Err(LicenseError::IssuerAuth(ref why)) if why == "missing" => {}
        Err(LicenseError::Malformed(ref why)) if why == UNKNOWN_KEY => {}
        Err(e) => return Err(e),
    }
    let mut w = Walker::new(bytes);
    let entries = w.map()?;
    let mut docs = Vec::new();
    let mut keys = KeySet::default();
    for _ in 0..entries {
        let key = w.text()?;
        keys.insert(key.as_bytes())?;
        if key != "documents" {
            w.skip()?;
            continue;
        }
        let n = w.array()?;
        for _ in 0..n {
            let fields = w.map()?;
            let mut doc_type = None;
            let mut issuer_signed = None;
            let mut keys = KeySet::default();
            for _ in 0..fields {
                let key = w.text()?;
                keys.insert(key.as_bytes())?;
                match key {
                    "docType" => doc_type = Some(w.text()?.to_owned()),
                    "issuerSigned" => issuer_signed = Some(parse_at(&mut w)?),
                    _ => {
                        w.skip()?;
                    }
                }
            }
            docs.push(Document {
                doc_type: doc_type.ok_or_else(|| malformed("document without docType"))?,
                issuer_signed: issuer_signed.ok_or_else(|| malformed("document without issuerSigned"))?,
            });
        }
    }
    if !w.at_end() {
        return Err(malformed("trailing bytes"));
    }
    Ok(docs)
}

/// Encodes one item as `#6.24(bstr .cbor IssuerSignedItem)`.
pub(crate) fn encode_item(
    digest_id: u64,
    random: &[u8],
    element: &str,
    value: &ElementValue,
) -> Result<Vec<u8>, String> {
    let item = Value::Map(vec![
        (Value::Text("digestID".into()), Value::from(digest_id)),
        (Value::Text("random".into()), Value::Bytes(random.to_vec())),
        (Value::Text("elementIdentifier".into()), Value::Text(element.to_owned())),
        (Value::Text("elementValue".into()), value.to_cbor()),
    ]);
    let content = crate::cose::cbor::encode_value(&item)?;
    crate::cose::cbor::encode_value(&Value::Tag(24, Box::new(Value::Bytes(content))))
}

/// Encodes an IssuerSigned from already-encoded items, issuerAuth, pre-signed sets and tree
/// claims, each written as the exact bytes given: their digests (in the MSO) are over these
/// bytes, so nothing is decoded and encoded again.
pub(crate) fn encode(
    namespaces: &[(String, Vec<Vec<u8>>)],
    issuer_auth: CoseSign1,
    qr_sets: &[(String, Vec<u8>)],
    tree: Option<&[u8]>,
) -> Result<Vec<u8>, String> {
    use coset::CborSerializable as _;
    let auth = issuer_auth.to_vec().map_err(|e| e.to_string())?;
    let size = namespaces.iter().flat_map(|(_, items)| items).map(Vec::len).sum::<usize>()
        + auth.len()
        + qr_sets.iter().map(|(_, raw)| raw.len() + 32).sum::<usize>()
        + tree.map_or(0, <[u8]>::len)
        + 256;
    let mut out = Vec::with_capacity(size);
    let err = |e: std::io::Error| e.to_string();
    let entries = 2 + usize::from(!qr_sets.is_empty()) + usize::from(tree.is_some());
    let mut enc = ciborium_ll::Encoder::from(&mut out);
    enc.push(Header::Map(Some(entries))).map_err(err)?;
    enc.text("nameSpaces", None).map_err(err)?;
    enc.push(Header::Map(Some(namespaces.len()))).map_err(err)?;
    for (ns, items) in namespaces {
        let mut enc = ciborium_ll::Encoder::from(&mut out);
        enc.text(ns, None).map_err(err)?;
        enc.push(Header::Array(Some(items.len()))).map_err(err)?;
        for raw in items {
            out.extend_from_slice(raw);
        }
    }
    ciborium_ll::Encoder::from(&mut out).text("issuerAuth", None).map_err(err)?;
    out.extend_from_slice(&auth);
    if !qr_sets.is_empty() {
        let mut enc = ciborium_ll::Encoder::from(&mut out);
        enc.text(QR_KEY, None).map_err(err)?;
        enc.push(Header::Map(Some(qr_sets.len()))).map_err(err)?;
        for (name, raw) in qr_sets {
            ciborium_ll::Encoder::from(&mut out).text(name, None).map_err(err)?;
            out.extend_from_slice(raw);
        }
    }
    if let Some(tree) = tree {
        ciborium_ll::Encoder::from(&mut out).text(super::tree::TREE_KEY, None).map_err(err)?;
        out.extend_from_slice(tree);
    }
    Ok(out)
}
