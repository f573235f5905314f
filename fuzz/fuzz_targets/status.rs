//! Status list and Status List Token decoders on hostile input: never panic, never allocate
//! past the limit, never accept a token under a key that did not sign it.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use time::OffsetDateTime;
use yinxin::crypto::{Algorithm, AlgorithmPolicy, PublicKey, Signer, SoftwareKey};
use yinxin::status::{StatusList, StatusListToken};

fn key() -> &'static PublicKey {
    static K: OnceLock<PublicKey> = OnceLock::new();
    K.get_or_init(|| SoftwareKey::generate(Algorithm::Es256).expect("key").public_key().clone())
}

fuzz_target!(|data: &[u8]| {
    if let Ok(list) = StatusList::from_cbor_limited(data, 1 << 16) {
        assert!(list.len() <= 1 << 16);
        let again = StatusList::from_cbor(&list.to_cbor().expect("encode")).expect("decode");
        assert_eq!(again, list);
    }
    let _ = StatusListToken::read_unverified(data);
    assert!(
        StatusListToken::verify_with_key(data, key(), AlgorithmPolicy::all(), OffsetDateTime::UNIX_EPOCH)
            .is_err()
    );
});
