//! What the fetching cache reads from an HTTP response: the status, `ETag` and
//! `Cache-Control` headers and a body within its limit. Input: two bytes of status, header
//! lines up to an empty line, then the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yinxin::fetch::{Response, fetchable, max_age, valid_etag};

const LIMIT: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let Some((status, rest)) = data.split_first_chunk::<2>() else { return };
    let status = u16::from_be_bytes(*status);
    let split = rest.windows(2).position(|w| w == b"\n\n").unwrap_or(rest.len());
    let (head, body) = rest.split_at(split);
    let head = String::from_utf8_lossy(head);
    let headers: Vec<(&str, &str)> = head.lines().filter_map(|l| l.split_once(':')).map(|(k, v)| (k, v.trim())).collect();
    for (k, v) in &headers {
        let _ = max_age(v);
        let _ = valid_etag(v);
        let _ = fetchable(k);
    }
    match Response::from_parts(status, &headers, body.to_vec(), LIMIT) {
        Ok(Response::Body { bytes, etag, .. }) => {
            assert_eq!(status, 200);
            assert!(bytes.len() <= LIMIT);
            assert!(etag.is_none_or(|e| valid_etag(&e)));
        }
        Ok(Response::NotModified { .. }) => assert_eq!(status, 304),
        Err(_) => assert!(status != 304 && (status != 200 || body.len() > LIMIT)),
    }
});
