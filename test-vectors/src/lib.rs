//! Loaders for test data that lives outside this repository.
//!
//! External vectors (GB/T, GM/T, IETF, ISO examples that nobody on this project wrote) are in
//! `../shared/vectors` beside the project root; the reference licenses are in
//! `../shared/fixtures`. The environment variable `YINXIN_SHARED` overrides that location.
//! The loaders return typed data so that tests read like the standards they check.
#![forbid(unsafe_code)]
#![allow(clippy::expect_used, clippy::panic)] // test support: a missing vector must stop the test loudly

pub mod kit;

use std::path::PathBuf;

use serde::Deserialize;

/// The `shared/` directory: `$YINXIN_SHARED`, or `../shared` beside the project root.
pub fn shared_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("YINXIN_SHARED") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("..").join("shared")
}

/// A file below `shared/vectors`.
pub fn vector_path(relative: &str) -> PathBuf {
    shared_dir().join("vectors").join(relative)
}

/// A file below `shared/fixtures`.
pub fn fixture_path(relative: &str) -> PathBuf {
    shared_dir().join("fixtures").join(relative)
}

/// Reads a file below `shared/vectors`, panicking with the path when it is missing.
pub fn read_vector(relative: &str) -> Vec<u8> {
    let path = vector_path(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("test vector {} unreadable: {e}", path.display()))
}

fn load_json<T: for<'de> Deserialize<'de>>(relative: &str) -> T {
    serde_json::from_slice(&read_vector(relative))
        .unwrap_or_else(|e| panic!("test vector {relative} malformed: {e}"))
}

/// Valid and invalid examples of one identifier kind.
#[derive(Debug, Deserialize)]
pub struct IdentifierSet {
    /// Values that must be accepted.
    pub valid: Vec<String>,
    /// Values that must be refused.
    pub invalid: Vec<String>,
}

/// `vectors/identifiers/identifiers.json`.
#[derive(Debug, Deserialize)]
pub struct Identifiers {
    /// GB 32100 unified social credit codes.
    pub unified_social_credit_code: IdentifierSet,
    /// GB 11643 resident identity numbers.
    pub resident_identity_number: IdentifierSet,
    /// GB/T 36904 e-license identifiers.
    pub electronic_license_identifier: IdentifierSet,
}

/// Loads `vectors/identifiers/identifiers.json`.
pub fn identifiers() -> Identifiers {
    load_json("identifiers/identifiers.json")
}

/// One SM3 example of GB/T 32905.
#[derive(Debug, Deserialize)]
pub struct Sm3Example {
    /// The message, ASCII.
    pub message_ascii: String,
    /// The expected digest, hex.
    pub digest_hex: String,
}

/// The GB/T 32918.5 Annex A SM2 signature example.
#[derive(Debug, Deserialize)]
pub struct Sm2Example {
    /// Distinguishing identifier, ASCII.
    pub distinguishing_id_ascii: String,
    /// Signed message, ASCII.
    pub message_ascii: String,
    /// Private key d, hex.
    pub private_key_hex: String,
    /// Public key x coordinate, hex.
    pub public_key_x_hex: String,
    /// Public key y coordinate, hex.
    pub public_key_y_hex: String,
    /// Z_A, hex.
    pub z_a_hex: String,
    /// e = SM3(Z_A ‖ M), hex.
    pub e_hex: String,
    /// Signature r, hex.
    pub r_hex: String,
    /// Signature s, hex.
    pub s_hex: String,
}

impl Sm2Example {
    /// The uncompressed SEC1 public key `04 ‖ x ‖ y`.
    pub fn public_key_sec1(&self) -> Vec<u8> {
        let mut out = vec![0x04];
        out.extend(hex::decode(&self.public_key_x_hex).expect("x hex"));
        out.extend(hex::decode(&self.public_key_y_hex).expect("y hex"));
        out
    }

    /// The signature as raw `r ‖ s`.
    pub fn signature_raw(&self) -> Vec<u8> {
        let mut out = hex::decode(&self.r_hex).expect("r hex");
        out.extend(hex::decode(&self.s_hex).expect("s hex"));
        out
    }
}

/// `vectors/gm/sm2-sm3.json`.
#[derive(Debug, Deserialize)]
pub struct GmVectors {
    /// SM3 examples.
    pub sm3: Vec<Sm3Example>,
    /// The SM2 signature example.
    pub sm2_signature: Sm2Example,
}

/// Loads `vectors/gm/sm2-sm3.json`.
pub fn gm() -> GmVectors {
    load_json("gm/sm2-sm3.json")
}

/// `vectors/mdoc/issuer_signed.cbor.hex`: the ISO/IEC 18013-5 Annex D IssuerSigned, decoded.
pub fn annex_d_issuer_signed() -> Vec<u8> {
    let text = String::from_utf8(read_vector("mdoc/issuer_signed.cbor.hex")).expect("hex text");
    hex::decode(text.trim()).expect("hex")
}

/// Reads a reference license JSON from `shared/fixtures`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = fixture_path(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {} unreadable: {e}", path.display()))
}

/// One encoded status list of `vectors/ietf-status-list`.
#[derive(Debug, Deserialize)]
pub struct StatusListVector {
    /// Description.
    pub name: String,
    /// Bits per entry.
    pub bits: u8,
    /// Number of entries.
    pub size: u64,
    /// The CBOR StatusList, hex.
    pub status_list_cbor_hex: String,
    /// Index (as text) to status of every non-zero entry.
    pub non_zero_statuses: std::collections::BTreeMap<String, u8>,
}

/// A small encoding example: the raw byte array and its CBOR StatusList.
#[derive(Debug, Deserialize)]
pub struct SmallStatusExample {
    /// The uncompressed byte array, hex.
    pub byte_array_hex: String,
    /// The CBOR StatusList, hex.
    pub status_list_cbor_hex: String,
}

/// The draft's signed examples.
#[derive(Debug, Deserialize)]
pub struct SignedStatusExamples {
    /// The example signing key (JWK, P-256).
    pub public_key_jwk: serde_json::Value,
    /// The Status List CWT, hex.
    pub status_list_cwt_hex: String,
    /// A Referenced Token CWT, hex.
    pub referenced_token_cwt_hex: String,
}

/// `vectors/ietf-status-list/status-list-vectors.json`.
#[derive(Debug, Deserialize)]
pub struct StatusListVectors {
    /// The 2^20-entry lists.
    pub vectors: Vec<StatusListVector>,
    /// The small examples.
    pub small_examples: Vec<SmallStatusExample>,
    /// The signed examples.
    pub signed_examples: SignedStatusExamples,
}

/// Loads `vectors/ietf-status-list/status-list-vectors.json`.
pub fn status_lists() -> StatusListVectors {
    load_json("ietf-status-list/status-list-vectors.json")
}

/// The ISO/IEC 7064 MOD 37,36 check character of `data` (0-9, A-Z), written independently of
/// the library so tests can make valid e-license identifiers without trusting the code under
/// test.
pub fn mod37_36(data: &str) -> char {
    let mut p = 36u32;
    for c in data.chars() {
        let mut s = (p + c.to_digit(36).expect("0-9A-Z")) % 36;
        if s == 0 {
            s = 36;
        }
        p = (s * 2) % 37;
    }
    std::char::from_digit((37 - p % 36) % 36, 36).expect("digit").to_ascii_uppercase()
}

/// An e-license identifier with a correct check character.
pub fn license_identifier(type_code: &str, issuer: &str, serial: &str) -> String {
    let check = mod37_36(&format!("{type_code}{issuer}{serial}001"));
    format!("1.2.156.3005.2.{type_code}.{issuer}.{serial}.001.{check}")
}

/// A USCC (GB 32100-2015) made of `first17` and its check character, written independently of
/// the library so tests can make valid codes for other authorities without trusting the code
/// under test.
pub fn uscc_with_check(first17: &str) -> String {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    assert_eq!(first17.len(), 17, "17 characters");
    let sum: usize =
        first17.chars().zip(WEIGHTS).map(|(c, w)| ALPHABET.find(c).expect("a USCC character") * w).sum();
    let check = ALPHABET.chars().nth((31 - sum % 31) % 31).expect("index below 31");
    format!("{first17}{check}")
}

/// The business license fixture as issued by another authority: `issuer_code` and the
/// license identifier's issuer replaced (its check character recomputed), JSON text.
pub fn business_license_for(issuer_code: &str) -> String {
    let mut v: serde_json::Value =
        serde_json::from_slice(&fixture("business-license.json")).expect("the fixture is JSON");
    let meta = v.get_mut("meta").and_then(serde_json::Value::as_object_mut).expect("the fixture has meta");
    meta.insert("issuer_code".into(), issuer_code.into());
    let id = license_identifier("11100000000013338W001", issuer_code, "510100202411220001");
    meta.insert("license_identifier".into(), id.into());
    v.to_string()
}

/// One camera-like photo of a presentation code (`test-vectors/photos`, made by `make.py`
/// with an independent QR encoder) and the text it holds.
pub struct Photo {
    /// The file name (`01.jpg` …).
    pub name: String,
    /// The JPEG bytes.
    pub jpeg: Vec<u8>,
    /// The QR text the photo shows.
    pub text: String,
}

/// The directory of the photo set.
pub fn photos_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("photos")
}

/// Every photo of the set, in order, with its expected text (`expected.tsv`).
pub fn photos() -> Vec<Photo> {
    let dir = photos_dir();
    let list = std::fs::read_to_string(dir.join("expected.tsv")).expect("test-vectors/photos/expected.tsv");
    list.lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(name, text)| Photo {
            name: name.to_owned(),
            jpeg: std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("photo {name}: {e}")),
            text: text.to_owned(),
        })
        .collect()
}
