//! Tree claims: one issuer signature over a hash tree of salted elements, so that a holder can
//! show any subset of a license in a QR code (docs/decisions/0017).
//!
//! At issuance the issuer orders the license's elements (largest value first, see
//! [`shape`]), derives each leaf's salt from one random seed through a seed tree, and signs a
//! COSE_Sign1 whose payload is the [`header`] (type code, holder key, validity, status, leaf
//! count) and whose external AAD is the tree's root: the root itself is never sent, a verifier
//! computes it from what it is shown. The holder keeps `[COSE_Sign1, seed, [element keys in
//! leaf order]]` under `yinxinTree` in the credential; the seed never leaves the holder except
//! as the seeds of disclosed subtrees. `license_type_code` and `issuer_code`, which the header
//! and the issuer certificate imply, are not leaves: a verifier always knows them.

pub(crate) mod header;
pub(crate) mod shape;
pub(crate) mod transport;
pub(crate) mod verify;

use ciborium::Value;

use super::compact_keys::{ElementKind, element_of, key_of};
use super::mso::ValidityInfo;
use super::{ElementValue, IssueError, LicenseError, META_NAMESPACE, StatusReference};
use crate::cose::build::{self, Headers};
use crate::cose::cbor::{decode_value, encode_value};
use crate::crypto::{Algorithm, DigestAlgorithm, PublicKey, Signer};
pub(crate) use header::Header;
pub(crate) use shape::{NODE, Node, Tree};
pub(crate) use transport::Implied;

/// The IssuerSigned key under which the holder keeps its tree claims.
pub(crate) const TREE_KEY: &str = "yinxinTree";

/// The hash of the tree of an issuer signing with `alg`: SM3 for SM2 (the GM profile),
/// SHA-256 otherwise.
pub(crate) fn tree_digest(alg: Algorithm) -> DigestAlgorithm {
    match alg {
        Algorithm::Sm2Sm3 => DigestAlgorithm::Sm3,
        _ => DigestAlgorithm::Sha256,
    }
}

/// The protected header of the tree signature: `{1: alg}`, the algorithm of the issuer
/// certificate (a presentation does not carry it; the verifier writes it from the key it
/// trusts).
pub(crate) fn protected_header(alg: Algorithm) -> Result<Vec<u8>, String> {
    encode_value(&Value::Map(vec![(Value::from(1), Value::from(alg.cose_value()))]))
}

/// The CBOR of a leaf's compact key and canonical value: what its hash covers after the salt.
pub(crate) fn leaf_bytes(key: &Value, value: &ElementValue) -> Result<Vec<u8>, String> {
    let mut out = encode_value(key)?;
    out.extend(encode_value(&value.to_cbor())?);
    Ok(out)
}

/// One element of a license, where it lives and its value.
#[derive(Debug, Clone)]
pub(crate) struct Element {
    pub kind: ElementKind,
    pub name: String,
    pub value: ElementValue,
}

impl Element {
    pub(crate) fn key(&self) -> Value {
        key_of(self.kind, &self.name)
    }

    /// The bytes of its leaf ([`leaf_bytes`]).
    pub(crate) fn leaf_bytes(&self) -> Result<Vec<u8>, String> {
        leaf_bytes(&self.key(), &self.value)
    }
}

fn implied<'a>(type_code: &'a str, elements: &'a [Element]) -> Implied<'a> {
    let issuer = elements
        .iter()
        .find(|e| e.kind == ElementKind::Meta && e.name == "issuer_code")
        .and_then(|e| e.value.as_text());
    Implied { type_code, issuer }
}

/// Signs the tree claims of a license's elements; returns the stored form.
pub(crate) fn sign(
    signer: &dyn Signer,
    type_code: &str,
    holder_key: &PublicKey,
    validity: &ValidityInfo,
    status: Option<&StatusReference>,
    elements: Vec<Element>,
) -> Result<Vec<u8>, IssueError> {
    let enc = |e: String| IssueError::Encode(e);
    // Elements the header or the certificate imply are shown without the tree.
    let issuer = implied(type_code, &elements).issuer.map(str::to_owned);
    let imp = Implied { type_code, issuer: issuer.as_deref() };
    // Largest value (as sent) first: leaf 0 sits next to the root and costs the least to
    // disclose. The sort is stable, so equal sizes keep the license's order.
    let mut sized: Vec<(usize, Element)> = elements
        .into_iter()
        .filter(|e| !(e.kind == ElementKind::Meta && transport::is_implied(&e.name, &e.value, imp)))
        .map(|e| {
            let sent = transport::encode(&e.name, &e.value, imp);
            let len =
                encode_value(&e.key()).map_or(0, |k| k.len()) + encode_value(&sent).map_or(0, |v| v.len());
            (len, e)
        })
        .collect();
    if sized.is_empty() || sized.len() > shape::MAX_LEAVES {
        return Err(IssueError::WouldNotVerify(format!(
            "tree claims hold 1 to {} elements, not {}",
            shape::MAX_LEAVES,
            sized.len()
        )));
    }
    sized.sort_by_key(|(len, _)| std::cmp::Reverse(*len));
    let sorted: Vec<Element> = sized.into_iter().map(|(_, e)| e).collect();
    let leaves = sorted.iter().map(Element::leaf_bytes).collect::<Result<Vec<_>, _>>().map_err(enc)?;
    let mut seed = [0u8; NODE];
    getrandom::fill(&mut seed).map_err(|_| IssueError::Sign(crate::crypto::SignError::Rng))?;
    let tree = Tree { alg: tree_digest(signer.algorithm()), n: leaves.len() };
    let root = tree.root(&seed, &leaves);
    let header = Header {
        type_code: type_code.to_owned(),
        holder_key: holder_key.clone(),
        validity: *validity,
        status: status.cloned(),
        leaves: leaves.len(),
    }
    .encode()
    .map_err(enc)?;
    let headers = Headers { typ: None, kid: Some(signer.key_id().as_bytes().to_vec()), x5chain: &[] };
    let sign1 = build::sign1_with_aad(signer, headers, header, &root)?;
    use coset::AsCborValue as _;
    let sign1 = sign1.to_cbor_value().map_err(|e| enc(e.to_string()))?;
    encode_value(&Value::Array(vec![
        sign1,
        Value::Bytes(seed.to_vec()),
        Value::Array(sorted.iter().map(Element::key).collect()),
    ]))
    .map_err(enc)
}

/// The stored tree claims, as the holder keeps them (unverified until checked).
#[derive(Debug, Clone)]
pub(crate) struct Stored<'a> {
    pub sign1: crate::cose::sign1::Sign1<'a>,
    pub seed: Node,
    /// The element of each leaf, in leaf order.
    pub keys: Vec<(ElementKind, String)>,
}

fn bad(what: &str) -> LicenseError {
    LicenseError::TreeInvalid(what.to_owned())
}

/// Reads stored tree claims.
pub(crate) fn parse_stored(raw: &[u8]) -> Result<Stored<'_>, LicenseError> {
    let mut w = crate::cose::cbor::Walker::new(raw);
    if w.array().map_err(|_| bad("not an array"))? != 3 {
        return Err(bad("not three fields"));
    }
    let sign1 =
        crate::cose::sign1::parse(w.skip().map_err(|_| bad("signature"))?).map_err(|_| bad("signature"))?;
    let seed: Node = match w.header().map_err(|_| bad("seed"))? {
        ciborium_ll::Header::Bytes(Some(NODE)) => {
            w.take(NODE).map_err(|_| bad("seed"))?.try_into().map_err(|_| bad("seed"))?
        }
        _ => return Err(bad("seed")),
    };
    let keys = decode_value(w.skip().map_err(|_| bad("keys"))?).map_err(|_| bad("keys"))?;
    let keys = keys
        .as_array()
        .ok_or_else(|| bad("keys"))?
        .iter()
        .map(|k| element_of(k).ok_or_else(|| bad("element key")))
        .collect::<Result<Vec<_>, _>>()?;
    if !w.at_end() {
        return Err(bad("trailing bytes"));
    }
    Ok(Stored { sign1, seed, keys })
}

impl Stored<'_> {
    /// The header (unverified).
    pub(crate) fn header(&self) -> Result<Header, LicenseError> {
        Header::decode(self.sign1.payload)
    }

    /// The license's elements in leaf order, looked up in `all` (name space, element, value).
    pub(crate) fn leaves(&self, all: &[(&str, &str, &ElementValue)]) -> Result<Vec<Element>, LicenseError> {
        self.keys
            .iter()
            .map(|(kind, name)| {
                let value = all
                    .iter()
                    .find(|(ns, n, _)| *n == name && (*ns == META_NAMESPACE) == (*kind == ElementKind::Meta))
                    .map(|(_, _, v)| (*v).clone())
                    .ok_or_else(|| bad(&format!("element {name} is not in the license")))?;
                Ok(Element { kind: *kind, name: name.clone(), value })
            })
            .collect()
    }
}
