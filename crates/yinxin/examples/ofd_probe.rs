#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
fn main() {
    let v = yinxin::seal::SealVerifier::without_trust_anchors();
    for f in std::env::args().skip(1) {
        let b = std::fs::read(&f).unwrap();
        println!("== {f}");
        match yinxin::seal::ofd::verify_ofd(&b, &v, Default::default(), time::OffsetDateTime::now_utc()) {
            Ok(vs) => {
                for x in vs {
                    println!(
                        "{:?} valid={} refs={} dh={} sig={} seal={} errors={:?}",
                        x.kind, x.valid, x.references, x.data_hash, x.signature_valid, x.seal_valid, x.errors
                    );
                }
            }
            Err(e) => println!("ERR {e}"),
        }
    }
}
