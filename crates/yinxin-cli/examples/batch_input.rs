//! Input for `license issue-batch` benchmarks: N lines of the business-license fixture, each
//! with its own license identifier (serials `<PREFIX><n>`, check characters computed), so that
//! several issuer processes can share one registry without clashing.
//!
//!     cargo run --release -p yinxin-cli --example batch_input -- N PREFIX > lines.jsonl
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::print_stdout,
    missing_docs
)]

use std::io::Write as _;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().expect("N").parse().expect("a number");
    let prefix = args.next().unwrap_or_else(|| "B".into());
    let base: serde_json::Value = serde_json::from_slice(
        &std::fs::read(yinxin_test_vectors::fixture_path("business-license.json")).unwrap(),
    )
    .unwrap();
    let t = base["meta"]["license_type_code"].as_str().unwrap().to_owned();
    let i = base["meta"]["issuer_code"].as_str().unwrap().to_owned();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut d = base.clone();
    for k in 0..n {
        let serial = format!("{prefix}{k:09}");
        d["meta"]["license_identifier"] = yinxin_test_vectors::license_identifier(&t, &i, &serial).into();
        serde_json::to_writer(&mut out, &d).unwrap();
        out.write_all(b"\n").unwrap();
    }
    out.flush().unwrap();
}
