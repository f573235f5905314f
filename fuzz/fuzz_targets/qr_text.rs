//! The QR text decoder on hostile text: never panic, never inflate past the limit, and what
//! decodes re-encodes to text that decodes to the same payload.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yinxin::present::qr_text::{MAX_PAYLOAD, decode, encode};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(payload) = decode(text) {
        assert!(payload.len() <= MAX_PAYLOAD);
        let again = encode(&payload).expect("a decoded payload is a CBOR structure");
        assert_eq!(decode(&again).expect("re-decodes"), payload);
    }
});
