//! OFD written the ways real producers write it (issue 17): namespaces `http://www.ofdspec.org`
//! and `…/2016` mixed between parts, under a prefix or as the default namespace; BaseLoc,
//! FileRef and SignedValue absolute, relative to the file naming them, or from the package root
//! without the leading slash; several DocBody; zip names in another case. Each package is
//! written here by hand (not by yinxin's signer) and signed with a seal yinxin makes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write as _;

use base64::Engine as _;
use time::{Duration, OffsetDateTime, macros::datetime};
use yinxin::crypto::{Algorithm, DigestAlgorithm};
use yinxin::seal::ofd::{OfdLimits, SignatureVerdict, verify_ofd};
use yinxin::seal::{SealHolder, SealVerifier};
use yinxin_test_vectors::kit;

const NS_2016: &str = "http://www.ofdspec.org/2016";
const NS_BARE: &str = "http://www.ofdspec.org";

/// How one XML part names its namespace: `Some(prefix)` or the default namespace (`None`).
#[derive(Clone, Copy)]
struct Ns {
    uri: &'static str,
    prefix: Option<&'static str>,
}

impl Ns {
    fn tag(&self, name: &str) -> String {
        self.prefix.map_or_else(|| name.to_owned(), |p| format!("{p}:{name}"))
    }
    fn decl(&self) -> String {
        match self.prefix {
            Some(p) => format!(r#"xmlns:{p}="{}""#, self.uri),
            None => format!(r#"xmlns="{}""#, self.uri),
        }
    }
}

/// How a location is written.
#[derive(Clone, Copy, Debug)]
enum Loc {
    /// `/Doc_0/…`
    Absolute,
    /// Relative to the file that names it.
    Relative,
    /// `Doc_0/…`: from the package root, without the slash.
    RootNoSlash,
}

/// Writes `path` (from the root, no slash) as seen from a file in `dir`.
fn loc(form: Loc, dir: &str, path: &str) -> String {
    match form {
        Loc::Absolute => format!("/{path}"),
        Loc::RootNoSlash => path.to_owned(),
        Loc::Relative => {
            let dir: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
            let target: Vec<&str> = path.split('/').collect();
            let common = dir.iter().zip(&target).take_while(|(a, b)| a == b).count();
            let mut parts = vec![".."; dir.len() - common];
            parts.extend(&target[common..]);
            parts.join("/")
        }
    }
}

struct Variant {
    ofd: Ns,
    signatures: Ns,
    signature: Ns,
    base_loc: Loc,
    file_ref: Loc,
    signed_value: Loc,
    documents: usize,
}

impl Default for Variant {
    fn default() -> Self {
        let ofd = Ns { uri: NS_2016, prefix: Some("ofd") };
        Self {
            ofd,
            signatures: ofd,
            signature: ofd,
            base_loc: Loc::Absolute,
            file_ref: Loc::Absolute,
            signed_value: Loc::Absolute,
            documents: 1,
        }
    }
}

struct World {
    holder: SealHolder,
    verifier: SealVerifier,
}

fn world() -> World {
    let t = datetime!(2026-01-01 0:00 UTC);
    let root = kit::root(Algorithm::Sm2Sm3, "印章根CA", t);
    World {
        holder: kit::seal_holder(&root, "成都示例科技有限公司公章", "91510100MA61ABCDE3", t, t, 365),
        verifier: SealVerifier::new(kit::trust(&root)),
    }
}

fn signed_at() -> OffsetDateTime {
    datetime!(2026-03-01 8:00 UTC)
}

fn sm3_b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(DigestAlgorithm::Sm3.digest(data))
}

/// The files of a package, in order; the signature files of each document last.
fn package(w: &World, v: &Variant) -> Vec<(String, Vec<u8>)> {
    let o = v.ofd;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut bodies = String::new();
    for d in 0..v.documents {
        let doc = format!("Doc_{d}");
        bodies.push_str(&format!(
            "<{body}><{info}><{id}>{d:032}</{id}></{info}><{root}>{doc}/Document.xml</{root}>\
             <{sigs}>{sigs_loc}</{sigs}></{body}>",
            body = o.tag("DocBody"),
            info = o.tag("DocInfo"),
            id = o.tag("DocID"),
            root = o.tag("DocRoot"),
            sigs = o.tag("Signatures"),
            sigs_loc = loc(v.base_loc, "", &format!("{doc}/Signs/Signatures.xml")),
        ));
        files.push((
            format!("{doc}/Document.xml"),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><{r} {decl}><{cd}><{pa}><{pb}>0 0 210 297</{pb}></{pa}><{mu}>3</{mu}></{cd}><{ps}><{p} ID="1" BaseLoc="Pages/Page_0/Content.xml"/></{ps}></{r}>"#,
                r = o.tag("Document"),
                decl = o.decl(),
                cd = o.tag("CommonData"),
                pa = o.tag("PageArea"),
                pb = o.tag("PhysicalBox"),
                mu = o.tag("MaxUnitID"),
                ps = o.tag("Pages"),
                p = o.tag("Page"),
            )
            .into_bytes(),
        ));
        files.push((
            format!("{doc}/Pages/Page_0/Content.xml"),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><{p} {decl}><{c}><{l} ID="2" Type="Body"><{t} ID="3" Boundary="20 20 170 10" Font="1" Size="5"><{tc} X="0" Y="5">合同第{d}号</{tc}></{t}></{l}></{c}></{p}>"#,
                p = o.tag("Page"),
                decl = o.decl(),
                c = o.tag("Content"),
                l = o.tag("Layer"),
                t = o.tag("TextObject"),
                tc = o.tag("TextCode"),
            )
            .into_bytes(),
        ));
    }
    files.insert(
        0,
        (
            "OFD.xml".into(),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><{r} {decl} Version="1.0" DocType="OFD">{bodies}</{r}>"#,
                r = o.tag("OFD"),
                decl = o.decl(),
            )
            .into_bytes(),
        ),
    );
    let protected: Vec<(String, Vec<u8>)> = files.clone();
    for d in 0..v.documents {
        let signs = format!("Doc_{d}/Signs");
        let sign_dir = format!("{signs}/Sign_0");
        let (s, g) = (v.signatures, v.signature);
        let signatures = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><{r} {decl}><{max}>1</{max}><{sig} ID="1" Type="Seal" BaseLoc="{base}"/></{r}>"#,
            r = s.tag("Signatures"),
            decl = s.decl(),
            max = s.tag("MaxSignId"),
            sig = s.tag("Signature"),
            base = loc(v.base_loc, &signs, &format!("{sign_dir}/Signature.xml")),
        );
        let mut refs = String::new();
        for (path, data) in &protected {
            refs.push_str(&format!(
                r#"<{r} FileRef="{f}"><{cv}>{b64}</{cv}></{r}>"#,
                r = g.tag("Reference"),
                f = loc(v.file_ref, &sign_dir, path),
                cv = g.tag("CheckValue"),
                b64 = sm3_b64(data),
            ));
        }
        let signature = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><{r} {decl}><{si}><{pr} ProviderName="hand-written"/><{sm}>1.2.156.10197.1.501</{sm}><{dt}>2026-03-01 16:00:00</{dt}><{refs_tag} CheckMethod="1.2.156.10197.1.401">{refs}</{refs_tag}><{sa} ID="4" PageRef="1" Boundary="150 240 40 40"/></{si}><{sv}>{sv_loc}</{sv}></{r}>"#,
            r = g.tag("Signature"),
            decl = g.decl(),
            si = g.tag("SignedInfo"),
            pr = g.tag("Provider"),
            sm = g.tag("SignatureMethod"),
            dt = g.tag("SignatureDateTime"),
            refs_tag = g.tag("References"),
            sa = g.tag("StampAnnot"),
            sv = g.tag("SignedValue"),
            sv_loc = loc(v.signed_value, &sign_dir, &format!("{sign_dir}/SignedValue.dat")),
        )
        .into_bytes();
        let value = w.holder.sign(&signature, signed_at(), &format!("/{sign_dir}/Signature.xml")).unwrap();
        files.push((format!("{signs}/Signatures.xml"), signatures.into_bytes()));
        files.push((format!("{sign_dir}/Signature.xml"), signature));
        files.push((format!("{sign_dir}/SignedValue.dat"), value));
    }
    files
}

fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in files {
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn verify(w: &World, files: &[(String, Vec<u8>)]) -> Vec<SignatureVerdict> {
    verify_ofd(&zip_of(files), &w.verifier, OfdLimits::default(), signed_at() + Duration::days(1)).unwrap()
}

fn assert_all_valid(verdicts: &[SignatureVerdict], documents: usize, what: &str) {
    assert_eq!(verdicts.len(), documents, "{what}: one verdict per signature");
    for v in verdicts {
        assert!(v.valid && v.references && v.data_hash && v.signature_valid, "{what}: {:?}", v.errors);
        assert_eq!(v.signer_trusted, Some(true), "{what}");
        assert!(v.warnings.is_empty() && v.unprotected_files.is_empty(), "{what}");
    }
}

#[test]
fn every_namespace_form_mixed_between_parts_is_read() {
    let w = world();
    let forms = [
        Ns { uri: NS_2016, prefix: Some("ofd") },
        Ns { uri: NS_BARE, prefix: Some("ofd") },
        Ns { uri: NS_2016, prefix: None },
        Ns { uri: NS_BARE, prefix: None },
        Ns { uri: NS_2016, prefix: Some("x") },
        Ns { uri: "http://www.ofdspec.org/2016/ofd", prefix: Some("o") },
    ];
    for (i, ofd) in forms.iter().enumerate() {
        for (j, sigs) in forms.iter().enumerate() {
            // The Signature.xml in a third form: the one after the list's.
            let sig = forms[(j + 1) % forms.len()];
            let variant = Variant { ofd: *ofd, signatures: *sigs, signature: sig, ..Variant::default() };
            assert_all_valid(&verify(&w, &package(&w, &variant)), 1, &format!("forms {i}/{j}"));
        }
    }
}

#[test]
fn a_namespace_that_is_not_ofds_is_not_read_as_ofd() {
    let w = world();
    let foreign = Ns { uri: "http://example.com/not-ofd", prefix: Some("ofd") };
    let variant = Variant { signatures: foreign, ..Variant::default() };
    // The list's Signature elements are in another vocabulary: no signature is found, and
    // the signature files are then files no signature protects.
    assert!(verify(&w, &package(&w, &variant)).is_empty());
}

#[test]
fn every_location_form_is_resolved() {
    let w = world();
    let forms = [Loc::Absolute, Loc::Relative, Loc::RootNoSlash];
    for base_loc in forms {
        for file_ref in forms {
            for signed_value in forms {
                let variant = Variant { base_loc, file_ref, signed_value, ..Variant::default() };
                assert_all_valid(
                    &verify(&w, &package(&w, &variant)),
                    1,
                    &format!("{base_loc:?}/{file_ref:?}/{signed_value:?}"),
                );
            }
        }
    }
}

#[test]
fn several_documents_each_with_its_signatures() {
    let w = world();
    let variant = Variant { documents: 3, base_loc: Loc::Relative, ..Variant::default() };
    let verdicts = verify(&w, &package(&w, &variant));
    assert_all_valid(&verdicts, 3, "three DocBody");
    let names: Vec<&str> = verdicts.iter().map(|v| v.signature.as_str()).collect();
    assert_eq!(
        names,
        [
            "/Doc_0/Signs/Sign_0/Signature.xml",
            "/Doc_1/Signs/Sign_0/Signature.xml",
            "/Doc_2/Signs/Sign_0/Signature.xml"
        ]
    );
}

#[test]
fn zip_names_in_another_case_or_with_dot_slash_are_found() {
    let w = world();
    let mut files = package(&w, &Variant::default());
    for (name, _) in &mut files {
        if name.ends_with("Content.xml") {
            *name = name.to_uppercase();
        } else if name.ends_with("Document.xml") {
            *name = format!("./{name}");
        }
    }
    assert_all_valid(&verify(&w, &files), 1, "names in upper case and with ./");
}

#[test]
fn a_file_added_after_signing_is_reported_on_every_verdict() {
    let w = world();
    let mut files = package(&w, &Variant { documents: 2, ..Variant::default() });
    files.push(("Doc_0/Res/added.png".into(), vec![0x89, b'P', b'N', b'G']));
    let verdicts = verify(&w, &files);
    assert_eq!(verdicts.len(), 2);
    for v in &verdicts {
        assert!(v.references && v.data_hash && v.signature_valid, "the signatures themselves hold");
        assert!(!v.valid);
        assert_eq!(v.unprotected_files, ["/Doc_0/Res/added.png"]);
        assert!(
            v.errors.iter().any(|(c, m)| c == "ofd.unprotected_files" && m.contains("/Doc_0/Res/added.png"))
        );
    }
    // A page replaced by one under another name (the old one removed): the new file is
    // unprotected and the reference to the old one fails.
    let mut files = package(&w, &Variant::default());
    let page = files.iter().position(|(n, _)| n.ends_with("Page_0/Content.xml")).unwrap();
    files[page].0 = "Doc_0/Pages/Page_0/Content2.xml".into();
    let v = &verify(&w, &files)[0];
    assert!(!v.valid && !v.references);
    assert_eq!(v.unprotected_files, ["/Doc_0/Pages/Page_0/Content2.xml"]);
    assert_eq!(v.reference_failures, ["/Doc_0/Pages/Page_0/Content.xml"]);
}

#[test]
fn the_real_vectors_have_no_unprotected_file() {
    let v = SealVerifier::without_trust_anchors();
    for f in
        ["ofd/1.ofd", "ofd/SESV4SignDoc.ofd", "ofd/n.ofd", "ofd/DigitalSign.ofd", "ofd/hello-integrity.ofd"]
    {
        let verdicts = verify_ofd(
            &yinxin_test_vectors::read_vector(f),
            &v,
            OfdLimits::default(),
            OffsetDateTime::now_utc(),
        )
        .unwrap();
        for verdict in verdicts {
            assert!(verdict.unprotected_files.is_empty(), "{f}: {:?}", verdict.unprotected_files);
        }
    }
}
