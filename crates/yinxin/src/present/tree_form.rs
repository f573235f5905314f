//! The tree form of a presentation: any subset of a license from its tree claims
//! (docs/decisions/0017).
//!
//! A CBOR array of ten items:
//! `[3, issuer key id (bstr 8), header (as the issuer signed it), issuer signature, disclosure
//! bitmap (bstr, bit i of byte i/8 = leaf i), elements, proof (bstr), created (Unix seconds),
//! nonce (bstr), holder signature]`. `elements` is `[key, value, key, value…]` of the disclosed
//! leaves in leaf order (values as in `license::tree::transport`), or the raw DEFLATE of that
//! array as a bstr when shorter. The holder signs `["YX1Tree", bstr of every byte before its
//! signature]`, which binds everything shown to the time and nonce.

use std::io::Write as _;

use ciborium::Value;
use ciborium_ll::{Encoder, Header};
use time::OffsetDateTime;

use super::PresentError;
use crate::cose::cbor::{Walker, decode_value, encode_value};
use crate::crypto::{KeyId, Signer};
use crate::license::compact_keys::{ElementKind, key_of};
use crate::license::tree::{self, Implied, Stored, Tree, transport, tree_digest, verify::Disclosed};
use crate::license::{ElementValue, META_NAMESPACE};

const VERSION: u64 = 3;
const CONTEXT: &str = "YX1Tree";
/// Random bytes of a tree presentation's nonce: 96 bits make two codes' nonces collide with
/// negligible probability, which is all the replay guard needs (decision 0017).
pub(crate) const NONCE_LEN: usize = 12;
/// The disclosed elements may inflate to at most this many bytes.
const MAX_ELEMENTS: usize = 16 * 1024;

fn malformed(what: &str) -> PresentError {
    PresentError::Malformed(what.to_owned())
}

fn enc<E>(_: E) -> PresentError {
    malformed("encoding failed")
}

/// The bytes the holder signs.
pub(crate) fn to_be_signed(signed_part: &[u8]) -> Result<Vec<u8>, PresentError> {
    let mut out = Vec::with_capacity(signed_part.len() + 16);
    let mut e = Encoder::from(&mut out);
    e.push(Header::Array(Some(2))).map_err(enc)?;
    e.text(CONTEXT, None).map_err(enc)?;
    e.bytes(signed_part, None).map_err(enc)?;
    Ok(out)
}

/// Everything of a tree presentation but the holder's signature, from a license's stored tree
/// claims, disclosing the elements whose identifier is in `wanted`, for the holder key
/// `holder` (or an agent's key, when `agent`): the part [`sign`] signs. Made once, it can be sized before the holder signs.
pub(crate) fn unsigned(
    stored_raw: &[u8],
    all: &[(&str, &str, &ElementValue)],
    holder: &crate::crypto::PublicKey,
    wanted: &[&str],
    at: OffsetDateTime,
    bound: Option<&[u8]>,
    agent: bool,
) -> Result<Vec<u8>, PresentError> {
    let stored: Stored<'_> = tree::parse_stored(stored_raw)?;
    let header = stored.header()?;
    if header.holder_key != *holder && !agent {
        return Err(PresentError::HolderKeyMismatch);
    }
    let (leaves, bytes) = tree::verify::holder_leaves(&stored, all)?;
    let disclosed: Vec<bool> = leaves.iter().map(|l| wanted.contains(&l.name.as_str())).collect();
    let implied = Implied::of(&header.type_code, all);
    let mut shown = Vec::new();
    // The implied elements chosen (never leaves), then the disclosed leaves in leaf order.
    for (ns, name, value) in all {
        if *ns == META_NAMESPACE && wanted.contains(name) && transport::is_implied(name, value, implied) {
            shown.push(key_of(ElementKind::Meta, name));
            shown.push(transport::encode(name, value, implied));
        }
    }
    for (leaf, _) in leaves.iter().zip(&disclosed).filter(|(_, d)| **d) {
        shown.push(leaf.key());
        shown.push(transport::encode(&leaf.name, &leaf.value, implied));
    }
    let plain = encode_value(&Value::Array(shown)).map_err(enc)?;
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let deflated = z.write_all(&plain).and_then(|()| z.finish()).map_err(enc)?;
    let mut bitmap = vec![0u8; leaves.len().div_ceil(8)];
    for (i, _) in disclosed.iter().enumerate().filter(|(_, d)| **d) {
        if let Some(b) = bitmap.get_mut(i / 8) {
            *b |= 1 << (i % 8);
        }
    }
    let proof =
        Tree { alg: tree_digest(key_alg(&stored)?), n: leaves.len() }.prove(&stored.seed, &bytes, &disclosed);
    let nonce = super::presentation::nonce_for(bound, NONCE_LEN)?;

    let mut out = Vec::with_capacity(plain.len() + proof.len() + 300);
    let mut e = Encoder::from(&mut out);
    e.push(Header::Array(Some(10))).map_err(enc)?;
    e.push(Header::Positive(VERSION)).map_err(enc)?;
    e.bytes(stored.sign1.kid.ok_or_else(|| malformed("tree claims without key id"))?, None).map_err(enc)?;
    out.extend_from_slice(stored.sign1.payload);
    let mut e = Encoder::from(&mut out);
    e.bytes(stored.sign1.signature, None).map_err(enc)?;
    e.bytes(&bitmap, None).map_err(enc)?;
    if deflated.len() + 3 < plain.len() {
        e.bytes(&deflated, None).map_err(enc)?;
    } else {
        out.extend_from_slice(&plain);
    }
    let mut e = Encoder::from(&mut out);
    e.bytes(&proof, None).map_err(enc)?;
    e.push(Header::Positive(u64::try_from(at.unix_timestamp()).map_err(|_| malformed("created"))?))
        .map_err(enc)?;
    e.bytes(&nonce, None).map_err(enc)?;
    Ok(out)
}

/// A tree presentation: `unsigned` (from [`unsigned`]) and the holder's signature over it.
pub(crate) fn sign(mut unsigned: Vec<u8>, holder: &dyn Signer) -> Result<Vec<u8>, PresentError> {
    let signature = holder.sign(&to_be_signed(&unsigned)?)?;
    Encoder::from(&mut unsigned).bytes(&signature, None).map_err(enc)?;
    Ok(unsigned)
}

fn key_alg(stored: &Stored<'_>) -> Result<crate::crypto::Algorithm, PresentError> {
    Ok(stored.sign1.algorithm().map_err(crate::license::LicenseError::from)?)
}

/// A parsed tree presentation.
pub(crate) struct Parsed<'a> {
    pub license: Disclosed<'a>,
    /// Every byte before the holder signature.
    pub signed_part: &'a [u8],
    pub created: i64,
    pub nonce: &'a [u8],
    pub signature: &'a [u8],
}

fn bytes_of<'a>(w: &mut Walker<'a>, what: &str) -> Result<&'a [u8], PresentError> {
    match w.header().map_err(|_| malformed(what))? {
        Header::Bytes(Some(len)) => w.take(len).map_err(|_| malformed(what)),
        _ => Err(malformed(what)),
    }
}

/// Reads a tree presentation; `None` when `bytes` is not one (not an array starting with 3).
pub(crate) fn parse(bytes: &[u8]) -> Result<Option<Parsed<'_>>, PresentError> {
    let mut w = Walker::new(bytes);
    let Ok(10) = w.array() else { return Ok(None) };
    if !matches!(w.header(), Ok(Header::Positive(VERSION))) {
        return Ok(None);
    }
    let kid: [u8; 8] = bytes_of(&mut w, "key id")?.try_into().map_err(|_| malformed("key id"))?;
    let header = w.skip().map_err(|_| malformed("header"))?;
    let signature = bytes_of(&mut w, "issuer signature")?;
    let bitmap = bytes_of(&mut w, "disclosure")?;
    let elements_start = w.pos();
    let elements = match w.header().map_err(|_| malformed("elements"))? {
        Header::Bytes(Some(len)) => inflate(w.take(len).map_err(|_| malformed("elements"))?)?,
        Header::Array(_) => {
            w.set_pos(elements_start);
            w.skip().map_err(|_| malformed("elements"))?.to_vec()
        }
        _ => return Err(malformed("elements")),
    };
    let proof = bytes_of(&mut w, "proof")?;
    let created = match w.header().map_err(|_| malformed("created"))? {
        Header::Positive(n) => i64::try_from(n).map_err(|_| malformed("created"))?,
        _ => return Err(malformed("created")),
    };
    let nonce = bytes_of(&mut w, "nonce")?;
    let signed_end = w.pos();
    let holder_signature = bytes_of(&mut w, "holder signature")?;
    if !w.at_end() {
        return Err(malformed("trailing bytes"));
    }
    let pairs = decode_value(&elements).map_err(|_| malformed("elements"))?;
    let pairs = pairs.as_array().ok_or_else(|| malformed("elements"))?;
    if pairs.len() % 2 != 0 {
        return Err(malformed("elements"));
    }
    let shown: Vec<(Value, Value)> =
        pairs.chunks_exact(2).filter_map(|p| Some((p.first()?.clone(), p.get(1)?.clone()))).collect();
    Ok(Some(Parsed {
        license: Disclosed { kid: KeyId::from_bytes(kid), header, signature, bitmap, shown, proof },
        signed_part: bytes.get(..signed_end).ok_or_else(|| malformed("length"))?,
        created,
        nonce,
        signature: holder_signature,
    }))
}

/// Inflates the disclosed elements within [`MAX_ELEMENTS`] (miniz_oxide in one call: a small
/// input costs no stream setup).
fn inflate(raw: &[u8]) -> Result<Vec<u8>, PresentError> {
    miniz_oxide::inflate::decompress_to_vec_with_limit(raw, MAX_ELEMENTS).map_err(|e| match e.status {
        miniz_oxide::inflate::TINFLStatus::HasMoreOutput => PresentError::QrTooLarge(MAX_ELEMENTS),
        _ => malformed("elements do not inflate"),
    })
}
