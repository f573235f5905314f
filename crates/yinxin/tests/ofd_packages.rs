//! OFD packages that can be read in more than one way are refused as a whole (issue 14: two
//! entries of one name, the altered copy first, verified as valid).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{Read as _, Write as _};

use time::OffsetDateTime;
use yinxin::ErrorCode;
use yinxin::seal::SealVerifier;
use yinxin::seal::ofd::{OfdLimits, verify_ofd};

const PAGE: &str = "Doc_0/Pages/Page_0/Content.xml";

/// The entries of the real `1.ofd`.
fn entries() -> Vec<(String, Vec<u8>)> {
    let bytes = yinxin_test_vectors::read_vector("ofd/1.ofd");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect()
}

fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in files {
        let options =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        out.start_file(name.as_str(), options).unwrap();
        out.write_all(data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Replaces every occurrence of `from` by `to` (same length) in the archive's bytes: in both the
/// local headers and the central directory, or only the first (a local header) with `first_only`.
fn rename(mut zip: Vec<u8>, from: &str, to: &str, first_only: bool) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut at = 0;
    let mut done = 0;
    while let Some(pos) = zip[at..].windows(from.len()).position(|w| w == from.as_bytes()) {
        let start = at + pos;
        zip[start..start + to.len()].copy_from_slice(to.as_bytes());
        at = start + to.len();
        done += 1;
        if first_only {
            break;
        }
    }
    assert!(done > 0, "{from} not in the archive");
    zip
}

fn verdict(bytes: &[u8]) -> Result<bool, &'static str> {
    let v = SealVerifier::without_trust_anchors();
    verify_ofd(bytes, &v, OfdLimits::default(), OffsetDateTime::now_utc())
        .map(|verdicts| verdicts.iter().all(|v| v.valid))
        .map_err(|e| e.code())
}

/// The package with the page twice: an altered copy named `altered_name` before the original.
fn with_altered_copy(altered_name: &str) -> Vec<u8> {
    let mut files = entries();
    let page = files.iter().find(|(n, _)| n == PAGE).unwrap().1.clone();
    let mut altered = page.clone();
    let last = altered.len() - 2;
    altered[last] ^= 0x20;
    files.insert(0, (altered_name.to_owned(), altered));
    zip_of(&files)
}

#[test]
fn the_real_package_rezipped_is_still_valid() {
    assert_eq!(verdict(&zip_of(&entries())), Ok(true));
}

#[test]
fn two_entries_of_one_name_are_ambiguous() {
    // Written under a placeholder of the same length, then named like the original.
    let placeholder = "Doc_0/Pages/Page_0/Content.xmZ";
    let twice = rename(with_altered_copy(placeholder), placeholder, PAGE, false);
    assert_eq!(verdict(&twice), Err("ofd.ambiguous_package"));
}

#[test]
fn names_that_differ_only_in_case_or_form_are_ambiguous() {
    for other in [
        "doc_0/pages/page_0/content.xml",
        "./Doc_0/Pages/Page_0/Content.xml",
        "Doc_0\\Pages\\Page_0\\Content.xml",
        "Doc_0/Pages/./Page_0/Content.xml",
        "Doc_0//Pages/Page_0/Content.xml",
    ] {
        assert_eq!(verdict(&with_altered_copy(other)), Err("ofd.ambiguous_package"), "{other}");
    }
}

#[test]
fn a_local_header_that_names_another_file_is_ambiguous() {
    // The central directory says one name, the local header (read by streaming readers) another.
    let clean = zip_of(&entries());
    let local_only = rename(clean, PAGE, "Doc_0/Pages/Page_0/Content.xmZ", true);
    assert_eq!(verdict(&local_only), Err("ofd.ambiguous_package"));
}
