//! The verifier's replay guard: each presentation (by its nonce) is accepted once within the
//! freshness window.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use time::{Duration, OffsetDateTime};

use super::PresentError;

/// Nonces remembered at most by default: far more than a counter sees in a window.
pub const DEFAULT_REPLAY_CAPACITY: usize = 100_000;
const MAX_NONCE: usize = 64;

/// Remembers the nonces of accepted presentations for as long as they could still be fresh.
///
/// Memory is bounded: nonces older than the window are forgotten (a replay of one would fail
/// the freshness check anyway), and when the guard is full of nonces still inside the window
/// it refuses new presentations ([`PresentError::ReplayGuardFull`]) rather than forget one that
/// could be replayed. Safe to share between threads.
#[derive(Debug)]
pub struct ReplayGuard {
    window: Duration,
    capacity: usize,
    inner: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    /// nonce → creation time of the presentation that carried it.
    nonces: HashMap<Vec<u8>, OffsetDateTime>,
    /// Nonces in the order they were recorded, with their expiry, for purging.
    order: VecDeque<(OffsetDateTime, Vec<u8>)>,
}

impl ReplayGuard {
    /// A guard for presentations valid for `window` (plus allowed clock skew), holding at most
    /// `capacity` nonces.
    pub fn new(window: Duration, capacity: usize) -> Self {
        Self { window, capacity, inner: Mutex::new(Seen::default()) }
    }

    /// Records `nonce` of a presentation created at `created`, at time `now`. Fails if the nonce
    /// was recorded before and has not expired: the presentation is a replay.
    pub fn check_and_record(
        &self,
        nonce: &[u8],
        created: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<(), PresentError> {
        if nonce.is_empty() || nonce.len() > MAX_NONCE {
            return Err(PresentError::Nonce);
        }
        let mut seen = self.inner.lock().map_err(|_| PresentError::ReplayGuardFull)?;
        // Forget what can no longer be fresh.
        while let Some((expires, _)) = seen.order.front() {
            if *expires >= now {
                break;
            }
            if let Some((_, old)) = seen.order.pop_front() {
                seen.nonces.remove(&old);
            }
        }
        if seen.nonces.contains_key(nonce) {
            return Err(PresentError::Replayed);
        }
        if seen.nonces.len() >= self.capacity {
            return Err(PresentError::ReplayGuardFull);
        }
        let expires = created.max(now).saturating_add(self.window);
        seen.nonces.insert(nonce.to_vec(), created);
        // Keep `order` sorted by expiry: entries arrive nearly in order; insert from the back.
        let pos = seen.order.iter().rposition(|(e, _)| *e <= expires).map_or(0, |p| p + 1);
        seen.order.insert(pos, (expires, nonce.to_vec()));
        Ok(())
    }

    /// The nonces remembered, with the creation times of their presentations (to persist the
    /// guard between runs: [`ReplayGuard::save`]). Fails when the guard's state cannot be read
    /// (a thread panicked while holding it): nothing is exported rather than an empty state.
    pub fn export(&self) -> Result<Vec<(Vec<u8>, OffsetDateTime)>, PresentError> {
        let seen = self
            .inner
            .lock()
            .map_err(|_| PresentError::ReplayState("the guard's state is poisoned".into()))?;
        Ok(seen.nonces.iter().map(|(n, c)| (n.clone(), *c)).collect())
    }

    /// Restores nonces exported before, as seen at `now` (expired ones are dropped; a nonce
    /// given twice is remembered once). Fails closed: a nonce that is not one, or more nonces
    /// than the guard can hold, refuse the whole import, so that a verifier never goes on with
    /// less than it remembered.
    pub fn import(
        &self,
        entries: &[(Vec<u8>, OffsetDateTime)],
        now: OffsetDateTime,
    ) -> Result<(), PresentError> {
        for (nonce, created) in entries {
            if created.saturating_add(self.window) >= now {
                match self.check_and_record(nonce, *created, now) {
                    Ok(()) | Err(PresentError::Replayed) => {}
                    Err(PresentError::Nonce) => {
                        return Err(PresentError::ReplayState(format!("a nonce of {} bytes", nonce.len())));
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    /// How many nonces are remembered.
    pub fn len(&self) -> usize {
        self.inner.lock().map(|s| s.nonces.len()).unwrap_or(0)
    }

    /// Whether no nonce is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
