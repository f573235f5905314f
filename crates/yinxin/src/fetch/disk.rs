//! The verifier's cache directory: the last good copy of each fetched document, by URL, so it
//! keeps working offline, and small state files (the trust lists accepted, against rollback).
//!
//! A document is two files named after the SHA-256 of its URL: `<hash>.body` and
//! `<hash>.json` (URL, ETag, when fetched, the body's SHA-256). Both are written to a
//! temporary file and renamed, body first; a body that does not match the digest its metadata
//! records (a crash between the two, a disk error, an edit) is not used.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::FetchError;
use crate::crypto::DigestAlgorithm;

/// Metadata files larger than this are not read.
const MAX_META: u64 = 16 * 1024;

/// A cached document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cached {
    /// The body as fetched.
    pub body: Vec<u8>,
    /// Its ETag, for a conditional request.
    pub etag: Option<String>,
    /// When it was last fetched (or confirmed by a 304).
    pub fetched: OffsetDateTime,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    url: String,
    etag: Option<String>,
    fetched: i64,
    sha256: String,
}

/// A cache directory (created if missing).
#[derive(Debug, Clone)]
pub struct DiskCache {
    dir: PathBuf,
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn cache_err(path: &Path, e: impl std::fmt::Display) -> FetchError {
    FetchError::Cache(format!("{}: {e}", path.display()))
}

/// Reads at most `limit` bytes of `path`; `Ok(None)` when it does not exist, an error when it
/// is longer or unreadable.
fn read_limited(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, FetchError> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(cache_err(path, e)),
    };
    let mut buf = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut buf).map_err(|e| cache_err(path, e))?;
    if buf.len() as u64 > limit {
        return Err(cache_err(path, format!("longer than {limit} bytes")));
    }
    Ok(Some(buf))
}

impl DiskCache {
    /// The cache in `dir`, created if missing.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, FetchError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(|e| cache_err(&dir, e))?;
        Ok(Self { dir })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn name(url: &str) -> String {
        hex::encode(DigestAlgorithm::Sha256.digest(url.as_bytes()))
    }

    /// The copy of `url` held, if there is a sound one of at most `max_bytes`.
    pub fn load(&self, url: &str, max_bytes: usize) -> Option<Cached> {
        let name = Self::name(url);
        let meta = read_limited(&self.dir.join(format!("{name}.json")), MAX_META).ok()??;
        let meta: Meta = serde_json::from_slice(&meta).ok()?;
        if meta.url != url {
            return None;
        }
        let body = read_limited(&self.dir.join(format!("{name}.body")), max_bytes as u64).ok()??;
        if hex::encode(DigestAlgorithm::Sha256.digest(&body)) != meta.sha256 {
            return None;
        }
        let fetched = OffsetDateTime::from_unix_timestamp(meta.fetched).ok()?;
        Some(Cached { body, etag: meta.etag.filter(|e| super::valid_etag(e)), fetched })
    }

    /// Keeps `cached` as the copy of `url`.
    pub fn store(&self, url: &str, cached: &Cached) -> Result<(), FetchError> {
        let name = Self::name(url);
        self.write(&format!("{name}.body"), &cached.body)?;
        let meta = Meta {
            url: url.to_owned(),
            etag: cached.etag.clone(),
            fetched: cached.fetched.unix_timestamp(),
            sha256: hex::encode(DigestAlgorithm::Sha256.digest(&cached.body)),
        };
        let json = serde_json::to_vec(&meta).map_err(|e| FetchError::Cache(e.to_string()))?;
        self.write(&format!("{name}.json"), &json)
    }

    /// Records that the copy of `url` was confirmed current (a 304) at `at`.
    pub fn touch(&self, url: &str, at: OffsetDateTime, max_bytes: usize) -> Result<(), FetchError> {
        match self.load(url, max_bytes) {
            Some(mut c) => {
                c.fetched = at;
                self.store(url, &c)
            }
            None => Ok(()),
        }
    }

    /// A state file (`name` is a plain file name); `Ok(None)` when there is none, an error
    /// when it cannot be read: the caller must fail closed, not start afresh.
    pub fn read_state(&self, name: &str, limit: u64) -> Result<Option<Vec<u8>>, FetchError> {
        read_limited(&self.dir.join(name), limit)
    }

    /// Replaces a state file atomically.
    pub fn write_state(&self, name: &str, bytes: &[u8]) -> Result<(), FetchError> {
        self.write(name, bytes)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), FetchError> {
        let path = self.dir.join(name);
        let n = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = self.dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        let written = std::fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
            .and_then(|()| std::fs::rename(&tmp, &path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(cache_err(&path, e));
        }
        Ok(())
    }
}
