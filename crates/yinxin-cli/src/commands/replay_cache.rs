//! `verify --replay-cache FILE`: the replay guard kept in a file between runs and shared by
//! counters. The file is locked from reading to writing back, read in full or refused (never
//! taken as empty), only ever a regular file, and replaced atomically.

use std::fs::File;
use std::path::Path;

use time::OffsetDateTime;
use yinxin::present::ReplayGuard;

use crate::failure::Failure;
use crate::input::Input;

/// Locks `<cache>.lock` exclusively (waiting for another counter that holds it), so that
/// counters sharing a replay cache file cannot both accept one code: each reads the cache,
/// verifies and writes it back while it holds the lock. Released when the file is dropped.
pub fn lock(path: &Path) -> Result<File, Failure> {
    let lock_path = path.with_extension("lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| Failure::io(&e, lock_path.display()))?;
    file.lock().map_err(|e| Failure::io(&e, lock_path.display()))?;
    Ok(file)
}

/// Refuses a replay cache that exists and is not a regular file (a device, a directory, a
/// FIFO): it would be read without end, or replaced by a regular file on writing back.
fn regular_or_absent(path: &Path) -> Result<bool, Failure> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(true),
        Ok(_) => Err(Failure::usage(format!(
            "--replay-cache {}: not a regular file; give the path of a file (it is created if missing)",
            path.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(state_failure(path, &e.to_string())),
    }
}

fn state_failure(path: &Path, why: &str) -> Failure {
    let e = yinxin::present::PresentError::ReplayState(why.to_owned());
    Failure::unreadable(&e, path.display())
}

/// Loads the cache into `guard`: a missing file is a new, empty cache; a file that cannot be
/// read in full refuses verification.
pub fn load(path: &Path, guard: &ReplayGuard, at: OffsetDateTime) -> Result<(), Failure> {
    if !regular_or_absent(path)? {
        return Ok(());
    }
    let bytes = Input::ReplayCache.read(&path.to_string_lossy())?;
    guard.load(&bytes, at).map_err(|e| Failure::unreadable(&e, path.display()))
}

/// Writes `guard` back: to a temporary file beside the cache, renamed over it.
pub fn save(path: &Path, guard: &ReplayGuard) -> Result<(), Failure> {
    regular_or_absent(path)?;
    let bytes = guard.save().map_err(|e| Failure::unreadable(&e, path.display()))?;
    crate::commands::output::replace_atomically(path, &bytes)
}
