//! Entry points for the fuzz targets in `fuzz/` into decoders that verification reaches only
//! after a signature has been checked (so a fuzzer could never get there from the outside):
//! the COSE_Sign1 reader, the MobileSecurityObject, compact QR claims, GB/T 35275 SignedData,
//! the bounded CBOR walker and the trust list (VICAL) payload. Built only under `cfg(fuzzing)` (cargo fuzz); not an API.
#![allow(missing_docs, clippy::panic)]

use crate::cose::cbor;

/// COSE_Sign1: whatever parses gives a Sig_structure that contains its payload.
pub fn cose_sign1(data: &[u8]) {
    if let Ok(sign1) = crate::cose::sign1::parse(data) {
        let _ = sign1.algorithm();
        let tbs =
            sign1.sig_structure().unwrap_or_else(|e| panic!("Sig_structure of a parsed COSE_Sign1: {e}"));
        assert!(tbs.len() >= sign1.payload.len() + sign1.protected.len());
    }
}

/// The MSO, from a COSE_Sign1 payload.
pub fn mso(data: &[u8]) {
    let _ = crate::license::Mso::from_payload(data);
}

/// Compact QR claims, from a COSE_Sign1 payload.
pub fn compact_claims(data: &[u8]) {
    let _ = crate::license::decode_compact(data, crate::license::DOC_TYPE_PREFIX);
}

/// Tree claims (decision 0017): the signed header, the stored form, values as sent, and the
/// proof walk. A proof made for any disclosure always gives the root; any other proof gives a
/// root or a refusal, never a panic.
pub fn tree_claims(data: &[u8]) {
    use crate::license::tree::{self, Implied, Tree, transport};
    let _ = tree::Header::decode(data);
    let _ = tree::parse_stored(data);
    if let Ok(v) = cbor::decode_value(data) {
        let implied = Implied { type_code: "11100000000013338W001", issuer: Some("11510000MB0123456W") };
        for name in ["license_identifier", "issuer_code", "license_type_code", "name"] {
            let _ = transport::decode(name, &v, implied);
        }
    }
    if let [n, rest @ ..] = data {
        let n = usize::from(*n % 64) + 1;
        let tree = Tree { alg: crate::crypto::DigestAlgorithm::Sha256, n };
        let leaves: Vec<Vec<u8>> = (0..n).map(|i| vec![u8::try_from(i).unwrap_or(0)]).collect();
        let disclosed: Vec<bool> =
            (0..n).map(|i| rest.get(i / 8).is_some_and(|b| b & (1 << (i % 8)) != 0)).collect();
        let seed = [9u8; tree::NODE];
        let shown: Vec<Vec<u8>> =
            leaves.iter().zip(&disclosed).filter(|(_, d)| **d).map(|(l, _)| l.clone()).collect();
        let proof = tree.prove(&seed, &leaves, &disclosed);
        assert_eq!(tree.root_from_proof(&disclosed, &shown, &proof), Ok(tree.root(&seed, &leaves)));
        let _ = tree.root_from_proof(&disclosed, &shown, rest);
    }
}

/// SignedData over a fixed message: never a valid signature, and signers only when it verifies.
pub fn signed_data(data: &[u8]) {
    let check = crate::seal::ofd::pkcs7::check(data, b"fuzz");
    assert!(check.signers.is_empty() || check.signature);
}

/// The CBOR walker's answers agree: a value that decodes is one whole item, and an input that
/// ends early is neither.
pub fn cbor(data: &[u8]) {
    let decoded = cbor::decode_value(data);
    let whole = cbor::is_one_item(data);
    if decoded.is_ok() {
        assert!(whole, "decoded but not one item");
    }
    if cbor::ends_early(data) {
        assert!(!whole && decoded.is_err(), "ends early yet read");
    }
}

/// A trust list payload (VICAL): what decodes re-encodes to itself, and every entry is either
/// usable or skipped with a reason.
pub fn trust_list_payload(data: &[u8]) {
    if let Ok(list) = crate::trust::list::fuzzing_decode(data) {
        let (usable, skipped) = crate::trust::list::fuzzing_authorities(&list);
        assert!(usable.len() + skipped.len() <= list.entries.len());
        let again = list.to_cbor().unwrap_or_else(|e| panic!("a decoded list encodes: {e}"));
        let back =
            crate::trust::list::fuzzing_decode(&again).unwrap_or_else(|e| panic!("re-encoded list: {e}"));
        assert_eq!(back, list, "decode(encode(list)) differs");
    }
}

/// RFC 3161 time stamp tokens over a fixed value: whatever is not invalid names its time and
/// its TSA (no anchors: never verified).
pub fn time_stamp(data: &[u8]) {
    let check = crate::seal::time_stamp::check(data, b"fuzz", None);
    match check.status {
        crate::seal::TimeStampStatus::Verified => panic!("verified without anchors"),
        crate::seal::TimeStampStatus::Unverified => assert!(check.gen_time.is_some() && check.tsa.is_some()),
        _ => assert!(check.problem.is_some()),
    }
}

/// The holder wallet's files (wallet file, sealed-record wrapper, decrypted records and log
/// entries, settings, backups): refusals, never panics.
pub fn wallet_files(data: &[u8]) {
    crate::wallet::store::fuzz_decoders(data);
}

/// A verifier's request (decision 0019), as the wallet reads it (signed or not, from QR text
/// or bytes) and as its verifier reads its own back; an agent's delegation as a wallet imports
/// it: refusals, never panics.
pub fn request(data: &[u8]) {
    let _ = crate::present::delegation::read_delegation(data);
    use crate::present::request::{RequestBinding, RequestVerifier, request_from_text};
    let at = time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
    let verifier = RequestVerifier::new(crate::trust::TrustStore::new());
    let _ = verifier.verify(data, at);
    let _ = RequestBinding::own(data, None);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(bytes) = request_from_text(text) {
            let _ = verifier.verify(&bytes, at);
        }
    }
}
