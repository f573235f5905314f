//! OFD documents (GB/T 33190): every signature in the package, checked, with a verdict each.
//!
//! `OFD.xml` → each `DocBody`'s `Signatures` file → each `Signature.xml`: the reference
//! digests (CheckMethod, SM3) against the referenced files, then by what `SignedValue` holds:
//! * a GB/T 38540 / GM/T 0031 seal signature (`ses_v1|ses_v4|ses_v5`): `dataHash` must be
//!   SM3 of the Signature.xml bytes, the signature and the seal are checked by
//!   [`SealVerifier`];
//! * a GB/T 35275 SM2 SignedData (`pkcs7_sm2`): over the Signature.xml bytes;
//! * a bare SM2 signature (`raw_sm2`): the file carries no certificate, so it cannot be
//!   verified; the verdict says so and is never valid.
//!
//! A package-integrity signature (`/OFDEntries.xml`, GM/T 0099) is checked too: SignedData
//! over `OFDEntries.xml`, every listed file present. A file of the package that no signature
//! protects (added after signing) fails every verdict with `ofd.unprotected_files`. Reading is
//! bounded ([`OfdLimits`]).
//!
//! Real producers write OFD in more than one way, and each way is read: the namespace
//! `http://www.ofdspec.org/2016`, `http://www.ofdspec.org` or any other beginning so, mixed
//! between parts, under any prefix or as the default namespace (or none); locations absolute
//! in the package, relative to the file that names them, or written from the package root
//! without the leading `/`; several `DocBody`s; zip entry names in any case or with `./`.

pub mod elicense;
mod package;
pub(crate) mod pkcs7;
mod sign;

pub use sign::{OfdSignError, SignedOfd, Stamp, sign_ofd};

use base64::Engine as _;
use time::OffsetDateTime;

use super::{SealError, SealSignature, SealVerifier, SealVersion, TimeStampStatus};
use crate::ErrorCode;
use crate::crypto::DigestAlgorithm;
use package::{Package, dir_of};

/// Limits on what an OFD file may make the reader do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfdLimits {
    /// Size of the package itself.
    pub max_package_bytes: u64,
    /// Zip entries.
    pub max_entries: usize,
    /// Inflated size of one entry.
    pub max_entry_bytes: u64,
    /// Inflated bytes read in all.
    pub max_total_bytes: u64,
    /// Size of one XML file.
    pub max_xml_bytes: usize,
    /// Element nesting depth of one XML file.
    pub max_xml_depth: usize,
    /// Signatures in one document.
    pub max_signatures: usize,
}

impl Default for OfdLimits {
    fn default() -> Self {
        Self {
            max_package_bytes: 512 * 1024 * 1024,
            max_entries: 20_000,
            max_entry_bytes: 256 * 1024 * 1024,
            max_total_bytes: 1024 * 1024 * 1024,
            max_xml_bytes: 8 * 1024 * 1024,
            max_xml_depth: 64,
            max_signatures: 1_000,
        }
    }
}

/// Why an OFD package cannot be read at all (per-signature problems are in the verdicts).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OfdError {
    /// Not a readable zip archive.
    #[error("not a readable OFD package: {0}")]
    Zip(String),
    /// A limit of [`OfdLimits`] was exceeded.
    #[error("OFD over a limit: {0}")]
    TooLarge(String),
    /// A required XML file is not well-formed or not what OFD says it is.
    #[error("OFD XML: {0}")]
    Xml(String),
    /// A file a location points at is missing.
    #[error("missing file {0}")]
    Missing(String),
    /// A location climbs out of the package or is empty.
    #[error("bad location {0:?}")]
    Path(String),
    /// The package can be read in more than one way: two entries of one name (or of names
    /// that differ only in case or in `./`, `\\` or `/` forms), local headers that differ
    /// from the central directory, overlapping or hidden entries. What verification hashes
    /// might not be what a reader shows, so nothing in it is judged.
    #[error("ambiguous OFD package: {0}")]
    Ambiguous(String),
}

impl ErrorCode for OfdError {
    fn code(&self) -> &'static str {
        match self {
            Self::Zip(_) => "ofd.zip",
            Self::TooLarge(_) => "ofd.too_large",
            Self::Xml(_) => "ofd.xml",
            Self::Missing(_) => "ofd.missing_file",
            Self::Path(_) => "ofd.path",
            Self::Ambiguous(_) => "ofd.ambiguous_package",
        }
    }
}

/// What kind of signature a `SignedValue` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureKind {
    /// GM/T 0031-2014 seal signature.
    SesV1,
    /// GB/T 38540-2020 seal signature.
    SesV4,
    /// v5 seal signature.
    SesV5,
    /// GB/T 35275 SM2 SignedData.
    Pkcs7Sm2,
    /// A bare SM2 signature value.
    RawSm2,
}

impl SignatureKind {
    /// The name in reports: `ses_v1`, `ses_v4`, `ses_v5`, `pkcs7_sm2`, `raw_sm2`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SesV1 => "ses_v1",
            Self::SesV4 => "ses_v4",
            Self::SesV5 => "ses_v5",
            Self::Pkcs7Sm2 => "pkcs7_sm2",
            Self::RawSm2 => "raw_sm2",
        }
    }
}

/// The verdict on one signature of an OFD document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureVerdict {
    /// Path of the Signature.xml (or `/OFDEntries.xml` for package integrity).
    pub signature: String,
    /// What the SignedValue holds, when it could be recognised.
    pub kind: Option<SignatureKind>,
    /// The seal's esID (seal signatures).
    pub es_id: Option<String>,
    /// The seal's name (seal signatures).
    pub seal_name: Option<String>,
    /// When it was signed (seal signatures).
    pub signed_at: Option<OffsetDateTime>,
    /// Every reference digest matches its file.
    pub references: bool,
    /// References whose digest does not match, or whose file is missing.
    pub reference_failures: Vec<String>,
    /// The signed digest equals the digest of what it protects (Signature.xml).
    pub data_hash: bool,
    /// The signature itself verifies.
    pub signature_valid: bool,
    /// The seal passes its checks (seal signatures; `None` for kinds without a seal).
    pub seal_valid: Option<bool>,
    /// The certificate of the seal maker (seal signatures) or of the signer (SignedData)
    /// chains to a trust anchor; `None` when it was not checked: the verifier has no anchors,
    /// or the signature carries no certificate.
    pub signer_trusted: Option<bool>,
    /// Every check that was run passed. A verdict can be valid with `signer_trusted` not
    /// checked: see [`Self::not_checked`].
    pub valid: bool,
    /// The first failure's code and message.
    pub error: Option<(String, String)>,
    /// Every failure, in order (code, message).
    pub errors: Vec<(String, String)>,
    /// What was found that does not fail the verdict under the verifier's policy (code,
    /// message), e.g. `seal.maker_certificate_at_creation`.
    pub warnings: Vec<(String, String)>,
    /// Files of the package that no signature protects (added or replaced after signing).
    pub unprotected_files: Vec<String>,
    /// The time stamp over a seal signature, when one is attached.
    pub time_stamp: Option<TimeStampStatus>,
    /// The time it stamps (its `genTime`), when it could be read.
    pub time_stamped_at: Option<OffsetDateTime>,
    /// The code (USCC or resident ID) the seal signer's certificate names (seal signatures).
    pub signer_party: Option<String>,
}

impl SignatureVerdict {
    fn new(signature: String) -> Self {
        Self {
            signature,
            kind: None,
            es_id: None,
            seal_name: None,
            signed_at: None,
            references: false,
            reference_failures: Vec::new(),
            data_hash: false,
            signature_valid: false,
            seal_valid: None,
            signer_trusted: None,
            valid: false,
            error: None,
            errors: Vec::new(),
            warnings: Vec::new(),
            unprotected_files: Vec::new(),
            time_stamp: None,
            time_stamped_at: None,
            signer_party: None,
        }
    }

    /// The checks that were not run, by their report name: `signer_trusted` when no trust
    /// anchor was given. Empty when everything was checked.
    pub fn not_checked(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.signer_trusted.is_none() {
            out.push("signer_trusted");
        }
        out
    }

    fn fail(&mut self, code: &str, message: impl Into<String>) {
        self.errors.push((code.to_owned(), message.into()));
    }

    fn finish(mut self) -> Self {
        self.valid = self.errors.is_empty();
        self.error = self.errors.first().cloned();
        self
    }
}

/// What every OFD namespace begins with (`http://www.ofdspec.org/2016` in GB/T 33190;
/// producers also write `http://www.ofdspec.org` and others).
const OFD_NS_PREFIX: &str = "http://www.ofdspec.org";

fn parse_xml<'i>(text: &'i str, limits: &OfdLimits, name: &str) -> Result<roxmltree::Document<'i>, OfdError> {
    if text.len() > limits.max_xml_bytes {
        return Err(OfdError::TooLarge(format!("{name} of {} bytes", text.len())));
    }
    // Element depth is bounded before parsing: a document of deeply nested elements must not
    // reach the parser.
    let mut depth: usize = 0;
    let mut max_depth = 0;
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'<' {
            match bytes.get(i + 1) {
                Some(b'/') => depth = depth.saturating_sub(1),
                Some(b'?' | b'!') => {}
                _ => {
                    depth += 1;
                    max_depth = max_depth.max(depth);
                }
            }
        } else if *b == b'>' && i > 0 && bytes.get(i - 1) == Some(&b'/') {
            depth = depth.saturating_sub(1);
        }
    }
    if max_depth > limits.max_xml_depth {
        return Err(OfdError::TooLarge(format!("{name} nests {max_depth} elements deep")));
    }
    let options =
        roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: 1_000_000, ..Default::default() };
    roxmltree::Document::parse_with_options(text, options).map_err(|e| OfdError::Xml(format!("{name}: {e}")))
}

fn utf8<'b>(bytes: &'b [u8], name: &str) -> Result<&'b str, OfdError> {
    std::str::from_utf8(bytes).map_err(|_| OfdError::Xml(format!("{name} is not UTF-8")))
}

/// Elements named `local` in an OFD namespace (or without a namespace: some writers omit it).
fn named<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
    local: &'a str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> {
    node.descendants().filter(move |n| {
        n.is_element()
            && n.tag_name().name() == local
            && n.tag_name().namespace().is_none_or(|ns| ns.starts_with(OFD_NS_PREFIX))
    })
}

fn text_of(node: roxmltree::Node<'_, '_>) -> String {
    node.text().unwrap_or("").trim().to_owned()
}

/// Verifies every signature of an OFD package. `now` is the time the seals' status lists are
/// checked for.
pub fn verify_ofd(
    bytes: &[u8],
    verifier: &SealVerifier,
    limits: OfdLimits,
    now: OffsetDateTime,
) -> Result<Vec<SignatureVerdict>, OfdError> {
    let mut pkg = Package::open(bytes, limits)?;
    let mut coverage = Coverage::default();
    let mut verdicts = Vec::new();
    for sigs_path in signature_lists(&mut pkg, &limits)? {
        coverage.exempt(&sigs_path);
        let sigs_xml = pkg.read(&sigs_path)?;
        let sigs_text = utf8(&sigs_xml, &sigs_path)?.to_owned();
        let sigs = parse_xml(&sigs_text, &limits, &sigs_path)?;
        for sig in named(sigs.root_element(), "Signature") {
            if verdicts.len() >= limits.max_signatures {
                return Err(OfdError::TooLarge(format!("more than {} signatures", limits.max_signatures)));
            }
            let Some(base) = sig.attribute("BaseLoc") else { continue };
            let path = pkg.locate(dir_of(&sigs_path), base)?;
            verdicts.push(verify_signature_xml(&mut pkg, &path, verifier, &limits, now, &mut coverage));
        }
    }
    if pkg.contains("OFDEntries.xml") {
        verdicts.push(verify_integrity(&mut pkg, verifier, &limits, now, &mut coverage));
    }
    let unprotected: Vec<String> =
        pkg.files().filter(|f| !coverage.covers(f)).map(|f| format!("/{f}")).collect();
    if !unprotected.is_empty() {
        let list = unprotected.join(", ");
        verdicts = verdicts
            .into_iter()
            .map(|mut v| {
                v.unprotected_files = unprotected.clone();
                v.fail(
                    "ofd.unprotected_files",
                    format!("files no signature protects (added after signing?): {list}"),
                );
                v.finish()
            })
            .collect();
    }
    Ok(verdicts)
}

/// What the signatures of a package protect, and the files that are the signatures (resolved
/// paths, folded for case as the package looks them up).
#[derive(Default)]
struct Coverage {
    /// Files some signature's references (or the integrity list) cover.
    protected: std::collections::BTreeSet<String>,
    /// The signature lists, each Signature.xml and its SignedValue, `OFDEntries.xml` and its
    /// signed value: what a signature cannot cover itself.
    exempt: std::collections::BTreeSet<String>,
    /// SM3 of each file read so far: a file every signature references is read and hashed
    /// once, not once per signature.
    digests: std::collections::HashMap<String, [u8; 32]>,
}

impl Coverage {
    fn protect(&mut self, path: &str) {
        self.protected.insert(path.to_lowercase());
    }
    fn exempt(&mut self, path: &str) {
        self.exempt.insert(path.to_lowercase());
    }
    /// SM3 of a file of the package; `None` when it cannot be read.
    fn sm3(&mut self, pkg: &mut Package<'_>, path: &str) -> Option<[u8; 32]> {
        let key = path.to_lowercase();
        if let Some(digest) = self.digests.get(&key) {
            return Some(*digest);
        }
        let digest = DigestAlgorithm::Sm3.digest(&pkg.read(path).ok()?);
        self.digests.insert(key, digest);
        Some(digest)
    }
    fn covers(&self, path: &str) -> bool {
        let key = path.to_lowercase();
        self.protected.contains(&key) || self.exempt.contains(&key)
    }
}

/// The signature lists (`Signatures.xml`) every `DocBody` of OFD.xml names.
fn signature_lists(pkg: &mut Package<'_>, limits: &OfdLimits) -> Result<Vec<String>, OfdError> {
    let ofd_xml = pkg.read("OFD.xml")?;
    let ofd_text = utf8(&ofd_xml, "OFD.xml")?;
    let ofd = parse_xml(ofd_text, limits, "OFD.xml")?;
    let root = ofd.root_element();
    if root.tag_name().name() != "OFD" {
        return Err(OfdError::Xml("OFD.xml has no OFD root element".into()));
    }
    let mut lists = Vec::new();
    for body in named(root, "DocBody") {
        for sigs in named(body, "Signatures") {
            let loc = text_of(sigs);
            if !loc.is_empty() {
                let path = pkg.locate("", &loc)?;
                if !lists.contains(&path) {
                    lists.push(path);
                }
            }
        }
    }
    Ok(lists)
}

/// Checks the reference digests of a Signature.xml.
fn check_references(
    pkg: &mut Package<'_>,
    doc: &roxmltree::Document<'_>,
    base_dir: &str,
    v: &mut SignatureVerdict,
    coverage: &mut Coverage,
) {
    let mut count = 0;
    for refs in named(doc.root_element(), "References") {
        let method = refs.attribute("CheckMethod").unwrap_or("1.2.156.10197.1.401");
        let sm3 = matches!(
            method.to_ascii_lowercase().as_str(),
            "sm3" | "1.2.156.10197.1.401" | "1.2.156.10197.1.401.2"
        );
        for r in named(refs, "Reference") {
            count += 1;
            let file = r.attribute("FileRef").unwrap_or("");
            let expected = named(r, "CheckValue").next().map(text_of).unwrap_or_default();
            let path = pkg.locate(base_dir, file).ok();
            if let Some(p) = &path {
                coverage.protect(p);
            }
            let ok = sm3
                && path.and_then(|p| coverage.sm3(pkg, &p)).is_some_and(|digest| {
                    base64::engine::general_purpose::STANDARD
                        .decode(expected.as_bytes())
                        .is_ok_and(|want| want == digest)
                });
            if !ok {
                v.reference_failures.push(file.to_owned());
            }
        }
        if !sm3 {
            v.fail("ofd.check_method", format!("reference CheckMethod {method} is not SM3"));
        }
    }
    v.references = count > 0 && v.reference_failures.is_empty();
    if count == 0 {
        v.fail("ofd.no_references", "the signature protects no file");
    } else if !v.reference_failures.is_empty() {
        let list = v.reference_failures.join(", ");
        v.fail("ofd.reference_mismatch", format!("changed or missing since signing: {list}"));
    }
}

fn verify_signature_xml(
    pkg: &mut Package<'_>,
    path: &str,
    verifier: &SealVerifier,
    limits: &OfdLimits,
    now: OffsetDateTime,
    coverage: &mut Coverage,
) -> SignatureVerdict {
    coverage.exempt(path);
    let mut v = SignatureVerdict::new(format!("/{path}"));
    let xml = match pkg.read(path) {
        Ok(x) => x,
        Err(e) => {
            v.fail(e.code(), e.to_string());
            return v.finish();
        }
    };
    let doc = match utf8(&xml, path).and_then(|t| parse_xml(t, limits, path)) {
        Ok(d) => d,
        Err(e) => {
            v.fail(e.code(), e.to_string());
            return v.finish();
        }
    };
    let base_dir = dir_of(path).to_owned();
    check_references(pkg, &doc, &base_dir, &mut v, coverage);
    let signed_value_loc = named(doc.root_element(), "SignedValue").next().map(text_of).unwrap_or_default();
    let signed_value_path = pkg.locate(&base_dir, &signed_value_loc);
    if let Ok(p) = &signed_value_path {
        coverage.exempt(p);
    }
    let signed_value = match signed_value_path.and_then(|p| pkg.read(&p)) {
        Ok(b) => b,
        Err(e) => {
            v.fail(e.code(), format!("SignedValue: {e}"));
            return v.finish();
        }
    };
    let digest = DigestAlgorithm::Sm3.digest(&xml);
    match SealSignature::from_der(&signed_value) {
        Ok(sig) => {
            v.kind = Some(match sig.version() {
                SealVersion::V1 => SignatureKind::SesV1,
                SealVersion::V4 => SignatureKind::SesV4,
                SealVersion::V5 => SignatureKind::SesV5,
            });
            v.es_id = Some(sig.seal().es_id().to_owned());
            v.seal_name = Some(sig.seal().name().to_owned());
            v.signed_at = sig.signed_at();
            v.signer_party = crate::trust::Certificate::from_der(sig.signer_certificate())
                .ok()
                .and_then(|c| c.party().map(|p| p.code().to_owned()));
            let check = verifier.check_signature(&sig, Some(&digest), now);
            v.data_hash = check.data_hash == Some(true);
            v.signature_valid = check.signature == Some(true);
            v.seal_valid = Some(check.seal);
            v.signer_trusted = check.maker_trusted;
            v.warnings = check.warnings.iter().map(|w| (w.code().to_owned(), w.to_string())).collect();
            v.time_stamp = check.time_stamp.as_ref().map(|t| t.status);
            v.time_stamped_at = check.time_stamp.as_ref().and_then(|t| t.gen_time);
            for e in check.errors {
                let msg = match &e {
                    SealError::DataHashMismatch => "dataHash is not SM3 of Signature.xml".to_owned(),
                    other => other.to_string(),
                };
                v.fail(e.code(), msg);
            }
        }
        Err(_) if pkcs7::is_signed_data(&signed_value) => {
            v.kind = Some(SignatureKind::Pkcs7Sm2);
            let c = pkcs7::check(&signed_value, &xml);
            v.data_hash = c.digest;
            v.signature_valid = c.signature;
            if let Some(p) = &c.problem {
                v.fail("ofd.pkcs7_invalid", p.clone());
            }
            check_signers(&c, verifier, now, &mut v);
        }
        Err(seal_err) => {
            if is_raw_sm2(&signed_value) {
                v.kind = Some(SignatureKind::RawSm2);
                v.fail(
                    "ofd.certificate_missing",
                    "a bare SM2 signature: the file does not carry the signer's certificate, so it cannot be verified",
                );
            } else {
                v.fail(seal_err.code(), format!("SignedValue is not a recognised signature: {seal_err}"));
            }
        }
    }
    v.finish()
}

/// Chains the certificates of a SignedData's signers to the verifier's anchors at `now` (the
/// SignedData carries no trusted signing time); not checked without anchors.
fn check_signers(
    c: &pkcs7::Pkcs7Check,
    verifier: &SealVerifier,
    now: OffsetDateTime,
    v: &mut SignatureVerdict,
) {
    if c.signers.is_empty() {
        return;
    }
    let mut trusted = None;
    for signer in &c.signers {
        match verifier.chain_check(signer, now) {
            None => return,
            Some(Ok(())) => trusted = Some(trusted.unwrap_or(true)),
            Some(Err(why)) => {
                trusted = Some(false);
                v.fail("ofd.signer_untrusted", format!("the signer {}: {why}", signer.subject()));
            }
        }
    }
    v.signer_trusted = trusted;
}

/// A DER SM2 signature `SEQUENCE { r INTEGER, s INTEGER }` or 64 raw bytes.
fn is_raw_sm2(bytes: &[u8]) -> bool {
    bytes.len() == 64 || crate::crypto::der_to_raw(crate::crypto::Algorithm::Sm2Sm3, bytes).is_ok()
}

/// GM/T 0099 package integrity: SignedData over `OFDEntries.xml`; the listed files exist.
fn verify_integrity(
    pkg: &mut Package<'_>,
    verifier: &SealVerifier,
    limits: &OfdLimits,
    now: OffsetDateTime,
    coverage: &mut Coverage,
) -> SignatureVerdict {
    coverage.exempt("OFDEntries.xml");
    let mut v = SignatureVerdict::new("/OFDEntries.xml".into());
    v.kind = Some(SignatureKind::Pkcs7Sm2);
    let result = (|| -> Result<(), OfdError> {
        let xml = pkg.read("OFDEntries.xml")?;
        let text = utf8(&xml, "OFDEntries.xml")?;
        let doc = parse_xml(text, limits, "OFDEntries.xml")?;
        let mut missing = Vec::new();
        let mut count = 0;
        for f in named(doc.root_element(), "File") {
            count += 1;
            let loc = f.attribute("FileLoc").unwrap_or("");
            match pkg.locate("", loc) {
                Ok(p) if pkg.contains(&p) => {
                    coverage.protect(&p);
                }
                _ => missing.push(loc.to_owned()),
            }
        }
        v.references = count > 0 && missing.is_empty();
        if !v.references {
            v.reference_failures = missing.clone();
            v.fail("ofd.reference_mismatch", format!("listed files missing: {}", missing.join(", ")));
        }
        let loc = named(doc.root_element(), "SignedValueLoc").next().map(text_of).unwrap_or_default();
        let signed_value_path = pkg.locate("", &loc)?;
        coverage.exempt(&signed_value_path);
        let signed_value = pkg.read(&signed_value_path)?;
        let c = pkcs7::check(&signed_value, &xml);
        v.data_hash = c.digest;
        v.signature_valid = c.signature;
        if let Some(p) = &c.problem {
            v.fail("ofd.pkcs7_invalid", p.clone());
        }
        check_signers(&c, verifier, now, &mut v);
        Ok(())
    })();
    if let Err(e) = result {
        v.fail(e.code(), e.to_string());
    }
    v.finish()
}
