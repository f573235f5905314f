//! The QR size report of BENCHMARKS.md: for both reference licenses, each disclosure set, each
//! issuer algorithm, the QR text length and the QR version at error correction M, for the
//! pre-signed set, the tree form (decision 0017) and the mdoc form.
//!
//! `cargo run --release -p yinxin-cli --example qr_sizes`
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use time::OffsetDateTime;
use yinxin::crypto::{Algorithm, Signer, SoftwareKey};
use yinxin::license::{IssueOptions, LicenseData, LicenseIssuer, StatusReference};
use yinxin::present::{Disclosure, present, present_mdoc_form, qr_text};
use yinxin_test_vectors::kit;

fn version(text: &str) -> String {
    yinxin::present::qr_image::version(text).map_or_else(|_| "too long".into(), |v| v.to_string())
}

fn main() {
    println!("| license | set | issuer | profile | QR chars | QR version (M) |");
    println!("| --- | --- | --- | --- | ---: | ---: |");
    for (fixture, code) in
        [("business-license.json", "11510000MB0123456W"), ("driving-license.json", "11510000MB1C2D3E45")]
    {
        let data = LicenseData::from_json(&yinxin_test_vectors::fixture(fixture)).unwrap();
        // The license's disclosure sets, `full` first (the order of the report).
        let mut sets = data.qr_sets();
        sets.sort_by_key(|(name, _)| name != "full");
        for alg in Algorithm::ALL {
            let t = OffsetDateTime::now_utc();
            let root = kit::root(alg, "四川省电子证照根CA", t);
            let (key, cert) = kit::signer(&root, alg, &data.meta.issuer_name, code, t, 365);
            let issuer = LicenseIssuer::new(key, vec![cert]).unwrap();
            let holder = SoftwareKey::generate(Algorithm::Es256).unwrap();
            let options = IssueOptions {
                status: Some(StatusReference {
                    index: 654_321,
                    uri: "https://status.example.gov.cn/lists/1".into(),
                }),
                qr_sets: sets.clone(),
                ..IssueOptions::default()
            };
            let sets_only = issuer
                .issue(&data, holder.public_key(), &IssueOptions { tree_claims: false, ..options.clone() })
                .unwrap()
                .bytes;
            let tree_only = issuer
                .issue(&data, holder.public_key(), &IssueOptions { qr_sets: vec![], ..options.clone() })
                .unwrap()
                .bytes;
            for (name, elements) in &sets {
                let names: Vec<&str> = elements.iter().map(String::as_str).collect();
                for profile in ["pre-signed", "tree", "mdoc"] {
                    let d = Disclosure::Elements(&names);
                    let p = match profile {
                        "pre-signed" => present(&sets_only, &holder, d, t).unwrap(),
                        "tree" => present(&tree_only, &holder, d, t).unwrap(),
                        _ => present_mdoc_form(&tree_only, &holder, d, t).unwrap(),
                    };
                    let text = qr_text::encode(&p).unwrap();
                    println!(
                        "| {fixture} | {name} | {} | {profile} | {} | {} |",
                        alg.name(),
                        text.len(),
                        version(&text)
                    );
                }
            }
            let _ = holder.key_id();
        }
    }
}
