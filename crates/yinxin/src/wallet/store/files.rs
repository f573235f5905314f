//! The store's files: bounded reads, and writes that are atomic and durable (a temporary file,
//! fsync, rename, fsync of the directory), so a crash leaves the old file or the new one.

use std::io::{Read as _, Write as _};
use std::path::Path;

use crate::wallet::WalletError;

pub(crate) fn io(path: &Path, e: impl std::fmt::Display) -> WalletError {
    WalletError::Io(format!("{}: {e}", path.display()))
}

/// The bytes of `path`, at most `limit`; `Ok(None)` when it does not exist.
pub(crate) fn read_limited(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, WalletError> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(path, e)),
    };
    let mut buf = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut buf).map_err(|e| io(path, e))?;
    if buf.len() as u64 > limit {
        return Err(WalletError::TooLarge { what: path.display().to_string(), limit });
    }
    Ok(Some(buf))
}

/// Replaces `path` with `bytes`, atomically and durably.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WalletError> {
    let dir = path.parent().ok_or_else(|| io(path, "no directory"))?;
    let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| io(path, "no file name"))?;
    let suffix: [u8; 8] = super::sealing::random()?;
    let tmp = dir.join(format!(".{name}.{}.tmp", hex::encode(suffix)));
    let written = create_private(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path))
        .and_then(|()| sync_dir(dir));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(path, e));
    }
    Ok(())
}

/// A new file only its owner may read (the content is sealed, but its size and times are the
/// holder's business too).
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)
}

/// Creates `dir` and its parents, the last readable by its owner only.
pub(crate) fn create_private_dir(dir: &Path) -> Result<(), WalletError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| io(dir, e))
}

/// Removes `path` durably; `false` when it did not exist.
pub(crate) fn remove(path: &Path) -> Result<bool, WalletError> {
    match std::fs::remove_file(path) {
        Ok(()) => {
            if let Some(dir) = path.parent() {
                sync_dir(dir).map_err(|e| io(dir, e))?;
            }
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io(path, e)),
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// The record identifiers (file stems of 32 hex digits with the `.yx` extension) in `dir`, in
/// name order; other files are ignored. A missing directory has none.
pub(crate) fn record_ids(dir: &Path, max: usize) -> Result<Vec<[u8; 16]>, WalletError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(dir, e)),
    };
    let mut ids = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io(dir, e))?;
        let name = entry.file_name();
        let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".yx")) else { continue };
        let Ok(bytes) = hex::decode(stem) else { continue };
        let Ok(id) = <[u8; 16]>::try_from(bytes.as_slice()) else { continue };
        if ids.len() >= max {
            return Err(WalletError::TooLarge {
                what: format!("{} (records)", dir.display()),
                limit: max as u64,
            });
        }
        ids.push(id);
    }
    ids.sort_unstable();
    Ok(ids)
}
