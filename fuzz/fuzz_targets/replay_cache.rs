//! A replay guard's saved state (`--replay-cache`): never a panic, and what loads saves to a
//! state that loads again with the same nonces.
#![no_main]

use libfuzzer_sys::fuzz_target;
use time::{Duration, OffsetDateTime};
use yinxin::present::ReplayGuard;

fuzz_target!(|data: &[u8]| {
    let now = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
    let guard = ReplayGuard::new(Duration::days(365_000), 64);
    if guard.load(data, now).is_ok() {
        let saved = guard.save().expect("a loaded guard saves");
        let again = ReplayGuard::new(Duration::days(365_000), 64);
        again.load(&saved, now).expect("a saved state loads");
        assert_eq!(again.len(), guard.len());
    }
});
