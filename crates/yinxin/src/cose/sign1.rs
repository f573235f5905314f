//! COSE_Sign1 (RFC 9052 §4.2) as a verifier reads it: borrowed slices of the input, nothing
//! copied or re-encoded.
//!
//! coset builds the structures yinxin signs; verification reads them here, with the same
//! bounded header walker as the rest of the credential, because coset's decoder copies the
//! payload and certificates into a value tree first (a fifth of the cost of verifying a
//! license, measured with callgrind).

use ciborium_ll::Header;

use super::CoseError;
use super::cbor::Walker;
use crate::crypto::Algorithm;

/// COSE header labels yinxin reads.
const ALG: i64 = 1;
const CRIT: i64 = 2;
const KID: i64 = 4;
const TYP: i64 = 16;
const X5CHAIN: i64 = 33;
/// The labels whose meaning yinxin implements: the only ones `crit` may name.
const UNDERSTOOD: [i64; 4] = [ALG, KID, TYP, X5CHAIN];
/// Header parameters in one header at most (yinxin writes two or three; RFC 9052 defines a
/// dozen): keeps the label checks small whatever the input.
const MAX_HEADER_LABELS: usize = 64;
/// Certificates in an x5chain header at most (the trust store's own cap on chains is lower).
const MAX_X5CHAIN: usize = 8;
/// The COSE_Sign1 tag.
const TAG: u64 = 18;

/// A parsed COSE_Sign1.
#[derive(Debug, Clone)]
pub(crate) struct Sign1<'a> {
    /// The protected header's serialized map (the bstr content), exactly as received.
    pub protected: &'a [u8],
    /// `alg` from the protected header (an integer; text algorithms are not supported).
    pub alg: Option<i64>,
    /// `typ` from the protected header, when it is text (RFC 9596).
    pub typ: Option<&'a str>,
    /// x5chain (protected or unprotected), leaf first.
    pub x5chain: Vec<&'a [u8]>,
    /// kid (protected or unprotected): a hint naming the signer's key; never trusted alone.
    pub kid: Option<&'a [u8]>,
    /// The payload (a detached payload is refused).
    pub payload: &'a [u8],
    /// The signature.
    pub signature: &'a [u8],
}

fn bad(what: &str) -> CoseError {
    CoseError::Header(what.to_owned())
}

fn bytes<'a>(w: &mut Walker<'a>, what: &str) -> Result<&'a [u8], CoseError> {
    match w.header()? {
        Header::Bytes(Some(len)) => w.take(len),
        _ => Err(bad(what)),
    }
}

fn int(w: &mut Walker<'_>) -> Result<Option<i64>, CoseError> {
    match w.header()? {
        Header::Positive(n) => Ok(i64::try_from(n).ok()),
        Header::Negative(n) => Ok(i64::try_from(n).ok().map(|n| -1 - n)),
        _ => Ok(None),
    }
}

/// A header parameter label: an integer or a text string (RFC 9052 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label<'a> {
    Int(i64),
    Text(&'a str),
}

fn label<'a>(w: &mut Walker<'a>) -> Result<Label<'a>, CoseError> {
    match w.header()? {
        Header::Positive(n) => i64::try_from(n).map(Label::Int).map_err(|_| bad("header label out of range")),
        Header::Negative(n) => {
            i64::try_from(n).map(|n| Label::Int(-1 - n)).map_err(|_| bad("header label out of range"))
        }
        Header::Text(Some(len)) => {
            std::str::from_utf8(w.take(len)?).map(Label::Text).map_err(|_| bad("header label is not UTF-8"))
        }
        _ => Err(bad("header label")),
    }
}

/// The header parameters yinxin reads, and every label the map had.
#[derive(Default)]
struct Params<'a> {
    alg: Option<i64>,
    typ: Option<&'a str>,
    x5chain: Option<Vec<&'a [u8]>>,
    kid: Option<&'a [u8]>,
    crit: Option<Vec<Label<'a>>>,
    labels: Vec<Label<'a>>,
}

/// `crit`: a non-empty array of distinct labels, only in the protected header.
fn crit<'a>(w: &mut Walker<'a>, protected: bool) -> Result<Vec<Label<'a>>, CoseError> {
    if !protected {
        return Err(CoseError::CriticalHeader("crit is in the unprotected header".into()));
    }
    let n = match w.header()? {
        Header::Array(Some(n)) => w.count(n)?,
        _ => return Err(CoseError::CriticalHeader("crit is not an array".into())),
    };
    if n == 0 {
        return Err(CoseError::CriticalHeader("crit is empty".into()));
    }
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let l = label(w)
            .map_err(|_| CoseError::CriticalHeader("crit holds something other than labels".into()))?;
        if out.contains(&l) {
            return Err(CoseError::CriticalHeader("crit names a label twice".into()));
        }
        out.push(l);
    }
    Ok(out)
}

/// Reads one header map; labels other than those yinxin reads are skipped, but each label may
/// occur only once.
fn header_map<'a>(w: &mut Walker<'a>, protected: bool) -> Result<Params<'a>, CoseError> {
    let mut p = Params::default();
    let entries = w.map()?;
    if entries > MAX_HEADER_LABELS {
        return Err(bad("too many header parameters"));
    }
    for _ in 0..entries {
        let l = label(w)?;
        if p.labels.contains(&l) {
            return Err(bad("duplicate header label"));
        }
        p.labels.push(l);
        match l {
            Label::Int(ALG) => p.alg = Some(int(w)?.ok_or_else(|| bad("alg is not an integer"))?),
            Label::Int(CRIT) => p.crit = Some(crit(w, protected)?),
            Label::Int(KID) => p.kid = Some(bytes(w, "kid")?),
            Label::Int(TYP) => {
                p.typ = match w.header()? {
                    Header::Text(Some(len)) => {
                        Some(std::str::from_utf8(w.take(len)?).map_err(|_| bad("typ is not UTF-8"))?)
                    }
                    Header::Positive(_) => None,
                    _ => return Err(bad("typ")),
                };
            }
            Label::Int(X5CHAIN) => {
                p.x5chain = Some(match w.header()? {
                    Header::Bytes(Some(len)) => vec![w.take(len)?],
                    Header::Array(Some(n)) => {
                        let n = w.count(n)?;
                        if n == 0 || n > MAX_X5CHAIN {
                            return Err(bad("x5chain length"));
                        }
                        (0..n).map(|_| bytes(w, "x5chain entry")).collect::<Result<_, _>>()?
                    }
                    _ => return Err(bad("x5chain")),
                });
            }
            _ => {
                w.skip()?;
            }
        }
    }
    Ok(p)
}

/// Parses a COSE_Sign1, tagged (18) or not, spanning all of `input`.
///
/// RFC 9052 §3 as a verifier must apply it: a label occurs once per header and never in both
/// headers (so `alg` cannot say one thing signed and another unsigned), and `crit` (protected
/// only, non-empty) may name only labels that are present in the protected header and whose
/// meaning yinxin implements; anything else is refused, never ignored.
pub(crate) fn parse(input: &[u8]) -> Result<Sign1<'_>, CoseError> {
    let mut w = Walker::new(input);
    let mut header = w.header()?;
    if header == Header::Tag(TAG) {
        header = w.header()?;
    }
    if header != Header::Array(Some(4)) {
        return Err(bad("not a COSE_Sign1 array of four"));
    }
    let protected = bytes(&mut w, "protected header")?;
    let protected_params = if protected.is_empty() {
        Params::default()
    } else {
        let mut pw = Walker::new(protected);
        let parsed = header_map(&mut pw, true)?;
        if !pw.at_end() {
            return Err(bad("trailing bytes in the protected header"));
        }
        parsed
    };
    let unprotected = header_map(&mut w, false)?;
    if unprotected.labels.iter().any(|l| protected_params.labels.contains(l)) {
        return Err(bad("a header label in both the protected and the unprotected header"));
    }
    for l in protected_params.crit.iter().flatten() {
        if !protected_params.labels.contains(l) {
            return Err(CoseError::CriticalHeader(format!(
                "crit names {} that is not in the protected header",
                label_text(*l)
            )));
        }
        if !matches!(l, Label::Int(n) if UNDERSTOOD.contains(n)) {
            return Err(CoseError::CriticalHeader(format!(
                "crit names {} that yinxin does not implement",
                label_text(*l)
            )));
        }
    }
    let payload = match w.header()? {
        Header::Bytes(Some(len)) => w.take(len)?,
        Header::Simple(ciborium_ll::simple::NULL) => return Err(bad("detached payload")),
        _ => return Err(bad("payload")),
    };
    let signature = bytes(&mut w, "signature")?;
    if !w.at_end() {
        return Err(bad("trailing bytes after COSE_Sign1"));
    }
    Ok(Sign1 {
        protected,
        alg: protected_params.alg,
        typ: protected_params.typ,
        x5chain: protected_params.x5chain.or(unprotected.x5chain).unwrap_or_default(),
        kid: protected_params.kid.or(unprotected.kid),
        payload,
        signature,
    })
}

fn label_text(l: Label<'_>) -> String {
    match l {
        Label::Int(n) => format!("label {n}"),
        Label::Text(t) => format!("label {t:?}"),
    }
}

impl Sign1<'_> {
    /// The algorithm of the protected header, if yinxin knows it.
    pub(crate) fn algorithm(&self) -> Result<Algorithm, CoseError> {
        self.alg.and_then(Algorithm::from_cose_value).ok_or(CoseError::UnsupportedAlgorithm)
    }

    /// The `Sig_structure` (RFC 9052 §4.4) with empty external AAD:
    /// `["Signature1", protected, h'', payload]`, over the protected bytes as received.
    pub(crate) fn sig_structure(&self) -> Result<Vec<u8>, CoseError> {
        sig_structure(self.protected, &[], self.payload)
    }
}

/// The `Sig_structure` of a COSE_Sign1 (RFC 9052 §4.4):
/// `["Signature1", protected, external_aad, payload]`.
pub(crate) fn sig_structure(protected: &[u8], aad: &[u8], payload: &[u8]) -> Result<Vec<u8>, CoseError> {
    let mut out = Vec::with_capacity(payload.len() + protected.len() + aad.len() + 24);
    let mut enc = ciborium_ll::Encoder::from(&mut out);
    enc.push(Header::Array(Some(4)))
        .and_then(|()| enc.text("Signature1", None))
        .and_then(|()| enc.bytes(protected, None))
        .and_then(|()| enc.bytes(aad, None))
        .and_then(|()| enc.bytes(payload, None))
        .map_err(|_| bad("Sig_structure"))?;
    Ok(out)
}
