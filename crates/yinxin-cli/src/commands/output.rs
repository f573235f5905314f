//! Writing output files: never over an existing file unless `--force` says so.

use std::io::Write as _;
use std::path::Path;

use crate::failure::{EXIT_UNREADABLE, Failure};

/// Writes `contents` to a new file at `path` (mode 0600 when `secret`), or replaces an existing
/// one only when `force`. An existing file is refused with `io.exists`, so a credential, key
/// or seal is never lost to a repeated command.
pub fn write_new(path: &Path, contents: &[u8], force: bool, secret: bool) -> Result<(), Failure> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let display = path.display();
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists { exists(path) } else { Failure::io(&e, &display) }
    })?;
    file.write_all(contents).and_then(|()| file.sync_all()).map_err(|e| Failure::io(&e, &display))
}

/// The failure for an output file that exists already.
pub fn exists(path: &Path) -> Failure {
    Failure {
        code: "io.exists",
        message: format!("{} exists; refusing to overwrite it (--force replaces it)", path.display()),
        exit: EXIT_UNREADABLE,
    }
}

/// Replaces `path` with `contents` as one step: written to a temporary file in the same
/// directory, flushed, then renamed over `path`, so that a server or CDN reading the directory
/// sees the old file or the new one, never a part (published status lists).
pub fn replace_atomically(path: &Path, contents: &[u8]) -> Result<(), Failure> {
    let display = path.display();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Failure::io(&e, &display))?;
    tmp.write_all(contents).and_then(|()| tmp.as_file().sync_all()).map_err(|e| Failure::io(&e, &display))?;
    #[cfg(unix)]
    {
        // Published files are public: readable by the web server's user, like a plain write.
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(|e| Failure::io(&e, &display))?;
    }
    tmp.persist(path).map_err(|e| Failure::io(&e.error, &display))?;
    Ok(())
}
