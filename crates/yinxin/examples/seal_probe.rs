#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
use yinxin::seal::*;
fn main() {
    let now = time::OffsetDateTime::now_utc();
    let v = SealVerifier::without_trust_anchors();
    for f in std::env::args().skip(1) {
        let b = std::fs::read(&f).unwrap();
        match Seal::from_der(&b) {
            Ok(s) => { let c = v.check_seal(&s, s.valid_start()); println!("{f}: seal v{} {} {} {:?} -> {:?}", s.version().number(), s.es_id(), s.name(), s.extensions(), c); }
            Err(e) => match SealSignature::from_der(&b) {
                Ok(s) => { let c = v.check_signature(&s, None, now); println!("{f}: sig v{} at {:?} prop {} -> {:?}", s.version().number(), s.signed_at(), s.property_info(), c); }
                Err(e2) => println!("{f}: {e} / {e2}"),
            },
        }
    }
}
