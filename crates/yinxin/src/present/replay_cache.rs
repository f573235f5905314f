//! The replay guard's state as bytes, to keep it between runs and share it between counters
//! (the CLI's `--replay-cache`): a JSON array of `{"nonce": "<hex>", "created": <Unix seconds>}`.
//!
//! Reading fails closed. A state that cannot be read in full (not JSON, an unknown key, a
//! nonce that is not hex, a time out of range, too many entries, too large) is an error, never
//! an empty guard: an empty guard would accept every code it had seen again.

use time::OffsetDateTime;

use super::{PresentError, ReplayGuard};

/// Saved states larger than this are refused (a full default guard takes about 8 MiB).
pub const MAX_REPLAY_CACHE: usize = 16 * 1024 * 1024;

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    nonce: String,
    created: i64,
}

fn unreadable(why: impl std::fmt::Display) -> PresentError {
    PresentError::ReplayState(why.to_string())
}

impl ReplayGuard {
    /// The guard's state, for [`ReplayGuard::load`] later.
    pub fn save(&self) -> Result<Vec<u8>, PresentError> {
        let entries: Vec<Entry> = self
            .export()?
            .into_iter()
            .map(|(nonce, created)| Entry { nonce: hex::encode(nonce), created: created.unix_timestamp() })
            .collect();
        serde_json::to_vec(&entries).map_err(unreadable)
    }

    /// Adds the nonces of a state saved by [`ReplayGuard::save`], as seen at `now`. Empty input
    /// is an empty state (a new cache file); anything that cannot be read in full is refused as
    /// [`PresentError::ReplayState`].
    pub fn load(&self, bytes: &[u8], now: OffsetDateTime) -> Result<(), PresentError> {
        if bytes.len() > MAX_REPLAY_CACHE {
            return Err(unreadable(format!("larger than {MAX_REPLAY_CACHE} bytes")));
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let entries: Vec<Entry> = serde_json::from_slice(bytes).map_err(unreadable)?;
        let mut parsed = Vec::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            let nonce =
                hex::decode(&e.nonce).map_err(|_| unreadable(format!("entry {i}: the nonce is not hex")))?;
            let created = OffsetDateTime::from_unix_timestamp(e.created)
                .map_err(|_| unreadable(format!("entry {i}: the time is out of range")))?;
            parsed.push((nonce, created));
        }
        self.import(&parsed, now).map_err(|e| match e {
            PresentError::ReplayGuardFull => unreadable("more live nonces than the guard can hold"),
            other => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;

    #[test]
    fn a_saved_state_comes_back() {
        let now = OffsetDateTime::now_utc();
        let guard = ReplayGuard::new(Duration::seconds(300), 10);
        guard.check_and_record(b"nonce-1", now, now).unwrap();
        let saved = guard.save().unwrap();
        let again = ReplayGuard::new(Duration::seconds(300), 10);
        again.load(&saved, now).unwrap();
        assert_eq!(again.check_and_record(b"nonce-1", now, now), Err(PresentError::Replayed));
        again.load(b"", now).unwrap();
        again.load(b" \n", now).unwrap();
    }

    #[test]
    fn what_cannot_be_read_in_full_is_refused() {
        let now = OffsetDateTime::now_utc();
        let guard = ReplayGuard::new(Duration::seconds(300), 2);
        let t = now.unix_timestamp();
        for bad in [
            b"\xff\xfe not text".to_vec(),
            b"{}".to_vec(),
            b"[{\"nonce\": \"zz\", \"created\": 1}]".to_vec(),
            format!("[{{\"nonce\": \"00\", \"created\": {t}, \"extra\": 1}}]").into_bytes(),
            b"[{\"nonce\": \"00\", \"created\": 99999999999999}]".to_vec(),
            format!("[{{\"nonce\": \"\", \"created\": {t}}}]").into_bytes(),
            // Three live nonces in a guard of two.
            format!(
                "[{{\"nonce\": \"01\", \"created\": {t}}}, {{\"nonce\": \"02\", \"created\": {t}}}, \
                 {{\"nonce\": \"03\", \"created\": {t}}}]"
            )
            .into_bytes(),
        ] {
            let e = guard.load(&bad, now).unwrap_err();
            assert!(matches!(e, PresentError::ReplayState(_)), "{e:?}");
        }
    }
}
