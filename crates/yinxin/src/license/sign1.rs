//! COSE_Sign1 (RFC 9052 §4.2) as a verifier reads it: borrowed slices of the input, nothing
//! copied or re-encoded.
//!
//! coset builds the structures yinxin signs; verification reads them here, with the same
//! bounded header walker as the rest of the credential, because coset's decoder copies the
//! payload and certificates into a value tree first (a fifth of the cost of verifying a
//! license, measured with callgrind).

use ciborium_ll::Header;

use super::LicenseError;
use super::cbor::Walker;
use crate::crypto::Algorithm;

/// COSE header labels yinxin reads.
const ALG: u64 = 1;
const KID: u64 = 4;
const X5CHAIN: u64 = 33;
/// The COSE_Sign1 tag.
const TAG: u64 = 18;

/// A parsed COSE_Sign1.
#[derive(Debug, Clone)]
pub(crate) struct Sign1<'a> {
    /// The protected header's serialized map (the bstr content), exactly as received.
    pub protected: &'a [u8],
    /// `alg` from the protected header (an integer; text algorithms are not supported).
    pub alg: Option<i64>,
    /// x5chain (protected or unprotected), leaf first.
    pub x5chain: Vec<&'a [u8]>,
    /// kid (protected or unprotected): a hint naming the signer's key; never trusted alone.
    pub kid: Option<&'a [u8]>,
    /// The payload (a detached payload is refused).
    pub payload: &'a [u8],
    /// The signature.
    pub signature: &'a [u8],
}

fn bad(what: &str) -> LicenseError {
    LicenseError::IssuerAuth(what.to_owned())
}

fn bytes<'a>(w: &mut Walker<'a>, what: &str) -> Result<&'a [u8], LicenseError> {
    match w.header()? {
        Header::Bytes(Some(len)) => w.take(len),
        _ => Err(bad(what)),
    }
}

fn int(w: &mut Walker<'_>) -> Result<Option<i64>, LicenseError> {
    match w.header()? {
        Header::Positive(n) => Ok(i64::try_from(n).ok()),
        Header::Negative(n) => Ok(i64::try_from(n).ok().map(|n| -1 - n)),
        _ => Ok(None),
    }
}

/// The header parameters yinxin reads.
#[derive(Default)]
struct Params<'a> {
    alg: Option<i64>,
    x5chain: Option<Vec<&'a [u8]>>,
    kid: Option<&'a [u8]>,
}

/// Reads one header map; labels other than alg and x5chain are skipped.
fn header_map<'a>(w: &mut Walker<'a>) -> Result<Params<'a>, LicenseError> {
    let mut alg = None;
    let mut x5chain = None;
    let mut kid = None;
    let mut labels = Vec::new();
    for _ in 0..w.map()? {
        let label = match w.header()? {
            Header::Positive(n) => n,
            Header::Negative(_) => u64::MAX,
            Header::Text(Some(len)) => {
                w.take(len)?;
                u64::MAX - 1
            }
            _ => return Err(bad("header label")),
        };
        if label < u64::MAX - 1 {
            if labels.contains(&label) {
                return Err(bad("duplicate header label"));
            }
            labels.push(label);
        }
        match label {
            ALG => alg = Some(int(w)?.ok_or_else(|| bad("alg is not an integer"))?),
            KID => kid = Some(bytes(w, "kid")?),
            X5CHAIN => {
                x5chain = Some(match w.header()? {
                    Header::Bytes(Some(len)) => vec![w.take(len)?],
                    Header::Array(Some(n)) => {
                        let n = w.count(n)?;
                        if n == 0 || n > crate::trust::MAX_CHAIN_LENGTH {
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
    Ok(Params { alg, x5chain, kid })
}

/// Parses a COSE_Sign1, tagged (18) or not, spanning all of `input`.
pub(crate) fn parse(input: &[u8]) -> Result<Sign1<'_>, LicenseError> {
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
        let parsed = header_map(&mut pw)?;
        if !pw.at_end() {
            return Err(bad("trailing bytes in the protected header"));
        }
        parsed
    };
    // alg in the unprotected header is ignored: only the protected one is signed.
    let unprotected = header_map(&mut w)?;
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
        x5chain: protected_params.x5chain.or(unprotected.x5chain).unwrap_or_default(),
        kid: protected_params.kid.or(unprotected.kid),
        payload,
        signature,
    })
}

impl Sign1<'_> {
    /// The algorithm of the protected header, if yinxin knows it.
    pub(crate) fn algorithm(&self) -> Result<Algorithm, LicenseError> {
        self.alg.and_then(Algorithm::from_cose_value).ok_or(LicenseError::UnsupportedAlgorithm)
    }

    /// The `Sig_structure` (RFC 9052 §4.4) with empty external AAD:
    /// `["Signature1", protected, h'', payload]`, over the protected bytes as received.
    pub(crate) fn sig_structure(&self) -> Result<Vec<u8>, LicenseError> {
        let mut out = Vec::with_capacity(self.payload.len() + self.protected.len() + 24);
        let mut enc = ciborium_ll::Encoder::from(&mut out);
        enc.push(Header::Array(Some(4)))
            .and_then(|()| enc.text("Signature1", None))
            .and_then(|()| enc.bytes(self.protected, None))
            .and_then(|()| enc.bytes(&[], None))
            .and_then(|()| enc.bytes(self.payload, None))
            .map_err(|_| bad("Sig_structure"))?;
        Ok(out)
    }
}
