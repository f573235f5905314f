//! Signing OFD documents with a seal (issue 17): documents of other producers (the real tax
//! e-invoice `1.ofd`, with and without its own signature; ofdrw's) and yinxin's own; signing
//! again keeps earlier signatures valid; every later change is caught.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{Read as _, Write as _};

use time::{Duration, OffsetDateTime, macros::datetime};
use yinxin::ErrorCode;
use yinxin::crypto::Algorithm;
use yinxin::seal::ofd::{OfdLimits, SignatureVerdict, Stamp, sign_ofd, verify_ofd};
use yinxin::seal::{SealHolder, SealVerifier};
use yinxin::trust::TrustStore;
use yinxin_test_vectors::kit;

type Files = Vec<(String, Vec<u8>)>;

fn unzip(bytes: &[u8]) -> Files {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .filter_map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (!name.ends_with('/')).then_some((name, data))
        })
        .collect()
}

fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in files {
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn text(files: &Files, name: &str) -> String {
    String::from_utf8(files.iter().find(|(n, _)| n == name).unwrap().1.clone()).unwrap()
}

/// The real tax e-invoice without its signature: what its producer wrote before signing.
fn unsigned_invoice() -> Vec<u8> {
    let mut files = unzip(&yinxin_test_vectors::read_vector("ofd/1.ofd"));
    files.retain(|(n, _)| !n.starts_with("Doc_0/Signs/"));
    for (name, data) in &mut files {
        if name == "OFD.xml" {
            let t = String::from_utf8(data.clone()).unwrap();
            *data = t.replace("<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>", "").into_bytes();
        }
    }
    zip_of(&files)
}

struct Desk {
    holder: SealHolder,
    trust: TrustStore,
}

fn desk() -> Desk {
    let t = datetime!(2026-01-01 0:00 UTC);
    let root = kit::root(Algorithm::Sm2Sm3, "印章根CA", t);
    let holder =
        kit::seal_holder(&root, "四川省市场监督管理局电子证照专用章", "11510000MB0123456W", t, t, 365);
    Desk { holder, trust: kit::trust(&root) }
}

fn at() -> OffsetDateTime {
    datetime!(2026-03-01 8:00 UTC)
}

fn sign(d: &Desk, ofd: &[u8], stamp: &Stamp) -> Vec<u8> {
    let signed = sign_ofd(ofd, &d.holder, stamp, at(), OfdLimits::default()).unwrap();
    assert!(signed.signature.starts_with("/Doc_0/Signs/Sign_"), "{}", signed.signature);
    signed.ofd
}

fn verdicts(v: &SealVerifier, ofd: &[u8]) -> Vec<SignatureVerdict> {
    verify_ofd(ofd, v, OfdLimits::default(), at() + Duration::days(1)).unwrap()
}

fn all_valid(verdicts: &[SignatureVerdict]) -> bool {
    verdicts.iter().all(|v| v.valid)
}

#[test]
fn a_real_producers_unsigned_invoice_is_signed_and_verifies() {
    let d = desk();
    let signed =
        sign(&d, &unsigned_invoice(), &Stamp { x_mm: Some(150.0), y_mm: Some(80.0), ..Stamp::default() });
    let v = verdicts(&SealVerifier::new(d.trust.clone()), &signed);
    assert_eq!(v.len(), 1);
    assert!(v[0].valid && v[0].references && v[0].data_hash && v[0].signature_valid, "{:?}", v[0].errors);
    assert_eq!(v[0].signer_trusted, Some(true));
    assert_eq!(v[0].signature, "/Doc_0/Signs/Sign_0/Signature.xml");
    assert_eq!(v[0].seal_name.as_deref(), Some("四川省市场监督管理局电子证照专用章"));
    assert_eq!(v[0].signed_at, Some(at()));

    let files = unzip(&signed);
    let ofd = text(&files, "OFD.xml");
    assert!(
        ofd.contains("<ofd:Signatures>/Doc_0/Signs/Signatures.xml</ofd:Signatures></ofd:DocBody>"),
        "{ofd}"
    );
    let sig = text(&files, "Doc_0/Signs/Sign_0/Signature.xml");
    assert!(sig.contains(r#"<ofd:StampAnnot ID="2" PageRef="1" Boundary="150 80 42 42"/>"#), "{sig}");
    assert!(sig.contains("<ofd:SignatureDateTime>2026-03-01 16:00:00</ofd:SignatureDateTime>"));
    assert!(sig.contains(r#"<ofd:References CheckMethod="1.2.156.10197.1.401">"#));
    // Every file but the list and the signature's own two is referenced.
    for (name, _) in &files {
        let listed = sig.contains(&format!(r#"FileRef="/{name}""#));
        let own = name == "Doc_0/Signs/Signatures.xml"
            || name.ends_with("Signature.xml")
            || name.ends_with("SignedValue.dat");
        assert_eq!(listed, !own, "{name}");
    }
    assert!(text(&files, "Doc_0/Signs/Signatures.xml").contains(r#"<ofd:MaxSignId>2</ofd:MaxSignId><ofd:Signature ID="1" Type="Seal" BaseLoc="/Doc_0/Signs/Sign_0/Signature.xml"/>"#));
}

#[test]
fn signing_a_signed_real_document_keeps_its_signature_valid() {
    let d = desk();
    let real = yinxin_test_vectors::read_vector("ofd/1.ofd");
    let signed = sign(&d, &real, &Stamp::default());
    // No anchors: the real seal's maker is not ours; every other check runs on both.
    let v = verdicts(&SealVerifier::without_trust_anchors(), &signed);
    assert_eq!(v.len(), 2);
    assert!(all_valid(&v), "{:?}", v.iter().map(|v| &v.errors).collect::<Vec<_>>());
    assert_eq!(v[0].seal_name.as_deref(), Some("国家税务总局浙江省税务局"));
    assert_eq!(v[1].signature, "/Doc_0/Signs/Sign_1/Signature.xml");
    let files = unzip(&signed);
    // The list is edited in place: the producer's entry and a new one, MaxSignId past both.
    assert_eq!(
        text(&files, "Doc_0/Signs/Signatures.xml"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ofd:Signatures xmlns:ofd="http://www.ofdspec.org/2016"><ofd:MaxSignId>4</ofd:MaxSignId><ofd:Signature ID="2" BaseLoc="/Doc_0/Signs/Sign_0/Signature.xml"/><ofd:Signature ID="3" Type="Seal" BaseLoc="/Doc_0/Signs/Sign_1/Signature.xml"/></ofd:Signatures>
"#
    );
    // OFD.xml already linked the list: unchanged, byte for byte.
    assert_eq!(text(&files, "OFD.xml"), text(&unzip(&real), "OFD.xml"));
}

#[test]
fn signing_again_keeps_earlier_signatures_valid_and_each_change_is_caught() {
    let d = desk();
    let v = SealVerifier::new(d.trust.clone());
    let once = sign(&d, &unsigned_invoice(), &Stamp::default());
    let twice = sign(
        &d,
        &once,
        &Stamp { x_mm: Some(10.0), y_mm: Some(10.0), size_mm: Some(30.0), ..Stamp::default() },
    );
    let both = verdicts(&v, &twice);
    assert_eq!(both.len(), 2);
    assert!(all_valid(&both), "{:?}", both.iter().map(|v| &v.errors).collect::<Vec<_>>());
    assert!(text(&unzip(&twice), "Doc_0/Signs/Sign_1/Signature.xml").contains(r#"Boundary="10 10 30 30""#));

    let files = unzip(&twice);
    // A page changed after signing: both signatures name it.
    let mut page = files.clone();
    for (name, data) in &mut page {
        if name == "Doc_0/Pages/Page_0/Content.xml" {
            *data = String::from_utf8(data.clone()).unwrap().replacen("510.68", "910.68", 1).into_bytes();
        }
    }
    let page = verdicts(&v, &zip_of(&page));
    for verdict in &page {
        assert!(!verdict.valid);
        assert_eq!(verdict.reference_failures, ["/Doc_0/Pages/Page_0/Content.xml"]);
    }
    // A file added after signing: reported on both.
    let mut added = files.clone();
    added.push(("Doc_0/Res/added.xml".into(), b"<x/>".to_vec()));
    for verdict in verdicts(&v, &zip_of(&added)) {
        assert_eq!(verdict.error.as_ref().unwrap().0, "ofd.unprotected_files");
        assert_eq!(verdict.unprotected_files, ["/Doc_0/Res/added.xml"]);
    }
    // The first signature's files removed, its entry left: it fails as missing, and the second
    // (which protects them) fails its references.
    let mut removed = files.clone();
    removed.retain(|(n, _)| !n.starts_with("Doc_0/Signs/Sign_0/"));
    let after = verdicts(&v, &zip_of(&removed));
    assert_eq!(after[0].error.as_ref().unwrap().0, "ofd.missing_file");
    assert!(after[1].reference_failures.contains(&"/Doc_0/Signs/Sign_0/Signature.xml".to_owned()));
    assert!(!after[1].valid);
    // The first signature removed with its entry too: the second still protects its files.
    let mut unlisted = removed;
    for (name, data) in &mut unlisted {
        if name == "Doc_0/Signs/Signatures.xml" {
            let t = String::from_utf8(data.clone()).unwrap();
            *data = t
                .replace(
                    r#"<ofd:Signature ID="1" Type="Seal" BaseLoc="/Doc_0/Signs/Sign_0/Signature.xml"/>"#,
                    "",
                )
                .into_bytes();
        }
    }
    let one = verdicts(&v, &zip_of(&unlisted));
    assert_eq!(one.len(), 1);
    assert!(!one[0].valid && one[0].reference_failures.len() == 3, "{:?}", one[0].reference_failures);
    // Re-signed by someone else over a tampered page: the earlier signature still fails.
    let mut tampered = files;
    for (name, data) in &mut tampered {
        if name == "Doc_0/Pages/Page_0/Content.xml" {
            data.extend_from_slice(b" ");
        }
    }
    let resigned = sign(&d, &zip_of(&tampered), &Stamp::default());
    let resigned = verdicts(&v, &resigned);
    assert_eq!(resigned.len(), 3);
    assert!(!resigned[0].valid && !resigned[1].valid && resigned[2].valid);
}

#[test]
fn a_document_in_the_default_namespace_and_a_foreign_list_are_edited_in_their_own_form() {
    let d = desk();
    // The invoice rewritten without a prefix, in the namespace without /2016.
    let mut files = unzip(&unsigned_invoice());
    for (name, data) in &mut files {
        if name.ends_with(".xml") {
            let t = String::from_utf8(data.clone()).unwrap();
            *data = t
                .replace("xmlns:ofd=\"http://www.ofdspec.org/2016\"", "xmlns=\"http://www.ofdspec.org\"")
                .replace("<ofd:", "<")
                .replace("</ofd:", "</")
                .into_bytes();
        }
    }
    let once = sign(&d, &zip_of(&files), &Stamp::default());
    let signed = unzip(&once);
    assert!(
        text(&signed, "OFD.xml").contains("<Signatures>/Doc_0/Signs/Signatures.xml</Signatures></DocBody>")
    );
    // Our list rewritten in the default namespace, as another producer would: the next
    // signature is added in that form.
    let mut foreign = signed;
    for (name, data) in &mut foreign {
        if name == "Doc_0/Signs/Signatures.xml" {
            *data = br#"<?xml version="1.0"?>
<Signatures xmlns="http://www.ofdspec.org"><MaxSignId>2</MaxSignId>
  <Signature ID="1" Type="Seal" BaseLoc="Sign_0/Signature.xml"/>
</Signatures>"#
                .to_vec();
        }
    }
    let twice = sign(&d, &zip_of(&foreign), &Stamp::default());
    let list = text(&unzip(&twice), "Doc_0/Signs/Signatures.xml");
    assert!(list.contains("<MaxSignId>4</MaxSignId>"), "{list}");
    assert!(
        list.contains(r#"<Signature ID="3" Type="Seal" BaseLoc="/Doc_0/Signs/Sign_1/Signature.xml"/>"#),
        "{list}"
    );
    let v = verdicts(&SealVerifier::new(d.trust.clone()), &twice);
    assert_eq!(v.len(), 2);
    assert!(all_valid(&v), "{:?}", v.iter().map(|v| &v.errors).collect::<Vec<_>>());
}

#[test]
fn what_cannot_be_signed_is_refused_with_its_code() {
    let d = desk();
    let doc = unsigned_invoice();
    let code = |ofd: &[u8], stamp: &Stamp| {
        sign_ofd(ofd, &d.holder, stamp, at(), OfdLimits::default()).unwrap_err().code()
    };
    assert_eq!(code(&doc, &Stamp { page: 2, ..Stamp::default() }), "ofd.no_page");
    assert_eq!(code(&doc, &Stamp { page: 0, ..Stamp::default() }), "ofd.no_page");
    // The invoice page is 210 × 140 mm.
    assert_eq!(
        code(&doc, &Stamp { x_mm: Some(190.0), y_mm: Some(10.0), ..Stamp::default() }),
        "ofd.stamp_position"
    );
    assert_eq!(
        code(&doc, &Stamp { x_mm: Some(-1.0), y_mm: Some(10.0), ..Stamp::default() }),
        "ofd.stamp_position"
    );
    assert_eq!(code(&doc, &Stamp { y_mm: Some(f64::NAN), ..Stamp::default() }), "ofd.stamp_position");
    assert_eq!(code(&doc, &Stamp { size_mm: Some(0.0), ..Stamp::default() }), "ofd.stamp_position");
    assert_eq!(code(&doc, &Stamp { size_mm: Some(f64::INFINITY), ..Stamp::default() }), "ofd.stamp_position");
    assert_eq!(code(b"not a zip", &Stamp::default()), "ofd.zip");
    assert_eq!(code(&doc[..doc.len() / 2], &Stamp::default()), "ofd.zip");
    let tight = OfdLimits { max_package_bytes: 1000, ..OfdLimits::default() };
    assert_eq!(
        sign_ofd(&doc, &d.holder, &Stamp::default(), at(), tight).unwrap_err().code(),
        "ofd.too_large"
    );
    // An earlier signature that protects the signature list: another one would break it.
    let signed = unzip(&sign(&d, &doc, &Stamp::default()));
    let mut protected = signed.clone();
    for (name, data) in &mut protected {
        if name == "Doc_0/Signs/Sign_0/Signature.xml" {
            let t = String::from_utf8(data.clone()).unwrap();
            *data = t
                .replace("</ofd:References>", r#"<ofd:Reference FileRef="/Doc_0/Signs/Signatures.xml"><ofd:CheckValue>AA==</ofd:CheckValue></ofd:Reference></ofd:References>"#)
                .into_bytes();
        }
    }
    let err =
        sign_ofd(&zip_of(&protected), &d.holder, &Stamp::default(), at(), OfdLimits::default()).unwrap_err();
    assert_eq!(err.code(), "ofd.signatures_protected");
    assert!(err.to_string().contains("/Doc_0/Signs/Sign_0/Signature.xml"), "{err}");
    // No DocBody, no page area.
    let mut no_body = signed.clone();
    for (name, data) in &mut no_body {
        if name == "OFD.xml" {
            *data = br#"<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>"#.to_vec();
        }
    }
    assert_eq!(code(&zip_of(&no_body), &Stamp::default()), "ofd.xml");
}

#[test]
fn ofdrws_own_signed_document_takes_another_signature() {
    // SESV4SignDoc.ofd: signed by ofdrw after its seal expired (invalid), its list not
    // protected: a new signature is added and verifies; the old one stays as it was.
    let d = desk();
    let signed = sign(&d, &yinxin_test_vectors::read_vector("ofd/SESV4SignDoc.ofd"), &Stamp::default());
    let v = verdicts(&SealVerifier::without_trust_anchors(), &signed);
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].error.as_ref().unwrap().0, "seal.signed_outside_validity");
    assert!(v[1].valid, "{:?}", v[1].errors);
}

#[test]
fn the_next_signature_directory_is_the_first_free_one_however_many_are_taken() {
    let d = desk();
    let mut files = unzip(&unsigned_invoice());
    // Directories a producer left (or an attacker made), one with a name in another case.
    for n in (0..300).filter(|n| *n != 7) {
        files.push((format!("Doc_0/Signs/Sign_{n}/x.bin"), vec![n as u8]));
    }
    files.push(("Doc_0/Signs/SIGN_7/x.bin".into(), vec![7]));
    let signed = sign_ofd(&zip_of(&files), &d.holder, &Stamp::default(), at(), OfdLimits::default()).unwrap();
    assert_eq!(signed.signature, "/Doc_0/Signs/Sign_300/Signature.xml");
}
