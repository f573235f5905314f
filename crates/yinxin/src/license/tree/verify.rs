//! Verifying tree claims: those a license file stores (every element, from the seed) and the
//! part a presentation discloses (from the proof).

use std::collections::BTreeMap;

use ciborium::Value;
use time::OffsetDateTime;

use super::super::compact_keys::{ElementKind, element_of};
use super::super::verify::{check_doc_type, check_issuer_code, check_scope, check_validity};
use super::super::{
    DOC_TYPE_PREFIX, ElementValue, LicenseError, LicenseVerifier, META_NAMESPACE, VerifiedLicense,
};
use super::{Element, Header, Implied, Stored, Tree, leaf_bytes, protected_header, transport, tree_digest};
use crate::crypto::{KeyId, PublicKey, Verifier as _};
use crate::trust::{Party, VerifiedChain};

fn bad(what: impl Into<String>) -> LicenseError {
    LicenseError::TreeInvalid(what.into())
}

/// The issuer's signature over `header` with the computed `root`, under the algorithm of the
/// key the verifier trusts (never one the input names).
fn check_signature(
    key: &PublicKey,
    header: &[u8],
    root: &[u8],
    signature: &[u8],
) -> Result<(), LicenseError> {
    let protected = protected_header(key.algorithm()).map_err(bad)?;
    let tbs = crate::cose::sign1::sig_structure(&protected, root, header)?;
    key.verify(&tbs, signature).map_err(|_| LicenseError::SignatureInvalid)
}

/// Checks the tree claims a license file stores against the license it came with: the issuer
/// `key`'s signature over the root of every element (one leaf each, none left out but those
/// the header and certificate imply), and a header that says what the MSO says (`expected`;
/// its leaf count is the tree's).
pub(crate) fn check_stored(
    stored: &Stored<'_>,
    key: &PublicKey,
    elements: &BTreeMap<String, BTreeMap<String, ElementValue>>,
    expected: &Header,
) -> Result<(), LicenseError> {
    if stored.sign1.kid != Some(key.key_id().as_bytes().as_slice()) {
        return Err(bad("signed by another key than the license"));
    }
    if stored.sign1.protected != protected_header(key.algorithm()).map_err(bad)?.as_slice() {
        return Err(bad("protected header is not {1: the issuer's algorithm}"));
    }
    let all: Vec<(&str, &str, &ElementValue)> = elements
        .iter()
        .flat_map(|(ns, items)| items.iter().map(move |(n, v)| (ns.as_str(), n.as_str(), v)))
        .collect();
    let (leaves, bytes) = holder_leaves(stored, &all)?;
    let mut seen: Vec<(ElementKind, &str)> = leaves.iter().map(|e| (e.kind, e.name.as_str())).collect();
    seen.sort();
    seen.dedup();
    // Every element is a leaf once, except those the header and certificate imply (their
    // values were checked against the docType and the certificate already).
    let implied = Implied::of(&expected.type_code, &all);
    let outside =
        all.iter().filter(|(ns, n, v)| *ns == META_NAMESPACE && transport::is_implied(n, v, implied)).count();
    if seen.len() != leaves.len()
        || leaves.len() + outside != all.len()
        || leaves
            .iter()
            .any(|e| e.kind == ElementKind::Meta && transport::is_implied(&e.name, &e.value, implied))
    {
        return Err(bad("the leaves are not the license's elements, each once"));
    }
    let tree = Tree { alg: tree_digest(key.algorithm()), n: bytes.len() };
    let root = tree.root(&stored.seed, &bytes);
    check_signature(key, stored.sign1.payload, &root, stored.sign1.signature)
        .map_err(|_| bad("the issuer's signature over the tree does not verify"))?;
    if stored.header()? != (Header { leaves: leaves.len(), ..expected.clone() }) {
        return Err(bad("its header differs from the license's"));
    }
    Ok(())
}

/// What a tree presentation carries for the license part, borrowed from its bytes.
#[derive(Debug)]
pub(crate) struct Disclosed<'a> {
    pub kid: KeyId,
    pub header: &'a [u8],
    pub signature: &'a [u8],
    /// Bit i of byte i/8: leaf i is disclosed.
    pub bitmap: &'a [u8],
    /// The disclosed elements in leaf order: compact key and value as sent.
    pub shown: Vec<(Value, Value)>,
    pub proof: &'a [u8],
}

impl LicenseVerifier {
    /// Verifies the license part of a tree presentation at `at`: the issuer named by key id
    /// (its certificate known to the trust store, its chain valid at `at`, its algorithm
    /// allowed), the root computed from the disclosed elements and the proof, the issuer's
    /// signature over the header and that root, the docType, scope, issuer code and validity.
    pub(crate) fn verify_tree(
        &self,
        d: Disclosed<'_>,
        at: OffsetDateTime,
    ) -> Result<VerifiedLicense, LicenseError> {
        let cert = self.trust().issuer_by_key_id(&d.kid).ok_or(LicenseError::IssuerKeyUnknown(d.kid))?;
        let alg = cert.public_key().algorithm();
        if !self.trust().policy().allows(alg) {
            return Err(LicenseError::AlgorithmNotAllowed(alg));
        }
        let chain: VerifiedChain =
            self.trust().verify_chain(std::slice::from_ref(&cert), at).map_err(LicenseError::Chain)?;
        let key = chain.leaf().public_key();
        // The header is read before its signature is checked only for what the tree needs (the
        // leaf count and type code); nothing of it is trusted until the signature holds.
        let header = Header::decode(d.header)?;
        // Exactly the bytes the leaf count needs, no bit set past the last leaf.
        let disclosed: Vec<bool> = (0..d.bitmap.len() * 8)
            .map(|i| d.bitmap.get(i / 8).is_some_and(|b| b & (1 << (i % 8)) != 0))
            .collect();
        if d.bitmap.len() != header.leaves.div_ceil(8) || disclosed.iter().skip(header.leaves).any(|b| *b) {
            return Err(bad("the disclosure does not fit the tree"));
        }
        let disclosed = disclosed.get(..header.leaves).unwrap_or_default();
        let issuer = match chain.leaf().party() {
            Some(Party::Organization(uscc)) => Some(uscc.to_string()),
            _ => None,
        };
        let implied = Implied { type_code: &header.type_code, issuer: issuer.as_deref() };
        let surface_ns = format!("{DOC_TYPE_PREFIX}{}.1", header.type_code);
        let mut elements: BTreeMap<String, BTreeMap<String, ElementValue>> = BTreeMap::new();
        let mut leaves = Vec::with_capacity(d.shown.len());
        for (key_value, sent) in &d.shown {
            let (kind, name) = element_of(key_value).ok_or_else(|| bad("unknown element key"))?;
            let value =
                transport::decode(&name, sent, implied).ok_or_else(|| bad(format!("value of {name}")))?;
            // An implied element is known from the signed header or the trusted certificate:
            // not a leaf.
            if !(kind == ElementKind::Meta && transport::sent_implied(&name, sent)) {
                leaves.push(leaf_bytes(key_value, &value).map_err(bad)?);
            }
            let ns = match kind {
                ElementKind::Meta => META_NAMESPACE.to_owned(),
                ElementKind::Surface => surface_ns.clone(),
            };
            if elements.entry(ns).or_default().insert(name, value).is_some() {
                return Err(bad("an element shown twice"));
            }
        }
        let tree = Tree { alg: tree_digest(alg), n: header.leaves };
        let root =
            tree.root_from_proof(disclosed, &leaves, d.proof).map_err(|_| bad("the proof does not fit"))?;
        check_signature(key, d.header, &root, d.signature)?;
        let doc_type = format!("{DOC_TYPE_PREFIX}{}", header.type_code);
        check_doc_type(&doc_type, &elements)?;
        check_scope(&chain, &doc_type)?;
        check_issuer_code(&elements, chain.leaf())?;
        check_validity(&header.validity, at, self.clock_skew())?;
        Ok(VerifiedLicense::new(doc_type, elements, header.holder_key, chain, header.validity, header.status))
    }
}

/// The leaves of a stored tree, looked up in the license's elements `all`, and their bytes:
/// for the holder's presentations and a license file's check.
pub(crate) fn holder_leaves(
    stored: &Stored<'_>,
    all: &[(&str, &str, &ElementValue)],
) -> Result<(Vec<Element>, Vec<Vec<u8>>), LicenseError> {
    let leaves = stored.leaves(all)?;
    let bytes = leaves.iter().map(Element::leaf_bytes).collect::<Result<Vec<_>, _>>().map_err(bad)?;
    Ok((leaves, bytes))
}
