//! The publication directory: request paths to files (never outside the directory), and the
//! files in memory with what their responses need (ETag, media type, freshness), re-read when
//! a publisher replaces one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use bytes::Bytes;
use time::OffsetDateTime;
use yinxin::crypto::DigestAlgorithm;

use crate::ServeError;

/// Files larger than this are not served (a trust list's limit; status tokens are at most
/// 4 MiB).
pub const MAX_FILE: u64 = yinxin::trust::list::MAX_TRUST_LIST_SIZE as u64;
/// File contents kept in memory at most.
const MAX_CACHED_BYTES: usize = 256 << 20;
/// Files kept in memory at most.
const MAX_CACHED_FILES: usize = 4096;
/// Path segments at most, and bytes per path.
const MAX_SEGMENTS: usize = 16;
const MAX_PATH: usize = 1024;
/// Suffixes tried after the path as given.
const SUFFIXES: [&str; 3] = ["", ".cwt", ".cbor"];

/// The media type of Status List Tokens (draft-ietf-oauth-status-list).
pub const STATUS_LIST_TYPE: &str = "application/statuslist+cwt";
/// The media type of trust lists (COSE_Sign1, RFC 9052).
pub const TRUST_LIST_TYPE: &str = "application/cose";

/// What a file is, for its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A Status List Token: fresh for its `ttl`, never past its `exp`.
    StatusList { ttl: Option<u64>, exp: Option<OffsetDateTime> },
    /// A trust list: fresh until its `nextUpdate`.
    TrustList { next_update: Option<OffsetDateTime> },
    /// Anything else in the directory.
    Other,
}

/// A file as served.
#[derive(Debug)]
pub struct File {
    pub body: Bytes,
    pub etag: String,
    pub kind: Kind,
    stamp: Stamp,
}

impl File {
    /// The media type.
    pub fn content_type(&self) -> &'static str {
        match self.kind {
            Kind::StatusList { .. } => STATUS_LIST_TYPE,
            Kind::TrustList { .. } => TRUST_LIST_TYPE,
            Kind::Other => "application/octet-stream",
        }
    }

    /// Seconds a client may keep the file at `now`.
    pub fn max_age(&self, now: OffsetDateTime) -> u64 {
        let until = |t: OffsetDateTime| u64::try_from((t - now).whole_seconds()).unwrap_or(0);
        match self.kind {
            Kind::StatusList { ttl, exp } => {
                let by_exp = exp.map(until);
                match (ttl, by_exp) {
                    (Some(ttl), Some(e)) => ttl.min(e),
                    (Some(ttl), None) => ttl,
                    (None, Some(e)) => e.min(86_400),
                    (None, None) => 300,
                }
            }
            Kind::TrustList { next_update } => next_update.map_or(3600, until).min(3600),
            Kind::Other => 300,
        }
    }
}

/// What identifies one version of a file: replacing it (a rename) changes at least one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: u64,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Self {
        Self {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode: std::os::unix::fs::MetadataExt::ino(meta),
        }
    }
}

/// The answer to a path.
pub enum Lookup {
    Found(Arc<File>),
    NotFound,
    /// A path that names nothing servable (`..`, hidden files, odd characters).
    BadPath,
    TooLarge,
}

/// The directory and the files read from it.
pub struct Publication {
    root: PathBuf,
    files: Mutex<HashMap<PathBuf, Arc<File>>>,
}

impl Publication {
    /// The directory `dir` (which must exist).
    pub fn open(dir: &Path) -> Result<Self, ServeError> {
        let root =
            dir.canonicalize().map_err(|e| ServeError::Directory(format!("{}: {e}", dir.display())))?;
        if !root.is_dir() {
            return Err(ServeError::Directory(format!("{} is not a directory", dir.display())));
        }
        Ok(Self { root, files: Mutex::new(HashMap::new()) })
    }

    /// The plain segments of a request path, or `None` for one that may not be served.
    fn segments(path: &str) -> Option<Vec<&str>> {
        if path.len() > MAX_PATH || !path.starts_with('/') {
            return None;
        }
        let segments: Vec<&str> = path.split('/').skip(1).collect();
        let plain = |s: &&str| {
            !s.is_empty()
                && s.len() <= 255
                && !s.starts_with('.')
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        };
        (segments.len() <= MAX_SEGMENTS && segments.iter().all(plain)).then_some(segments)
    }

    /// The file for a request path (the query already removed).
    pub fn lookup(&self, path: &str) -> Lookup {
        let Some(segments) = Self::segments(path) else { return Lookup::BadPath };
        let base: PathBuf = segments.iter().fold(self.root.clone(), |p, s| p.join(s));
        for suffix in SUFFIXES {
            let mut candidate = base.clone().into_os_string();
            candidate.push(suffix);
            let candidate = PathBuf::from(candidate);
            let Ok(meta) = std::fs::metadata(&candidate) else { continue };
            if !meta.is_file() {
                continue;
            }
            // A symbolic link may point elsewhere: only files inside the directory are served.
            match candidate.canonicalize() {
                Ok(real) if real.starts_with(&self.root) => {}
                _ => continue,
            }
            if meta.len() > MAX_FILE {
                return Lookup::TooLarge;
            }
            return match self.load(&candidate, Stamp::of(&meta)) {
                Some(file) => Lookup::Found(file),
                None => Lookup::NotFound,
            };
        }
        Lookup::NotFound
    }

    fn load(&self, path: &Path, stamp: Stamp) -> Option<Arc<File>> {
        if let Some(f) = self.files.lock().ok()?.get(path).filter(|f| f.stamp == stamp) {
            return Some(f.clone());
        }
        let body = std::fs::read(path).ok()?;
        if body.len() as u64 > MAX_FILE {
            return None;
        }
        // The file may have been replaced between the stat and the read: the stamp then
        // names the older version, and the next request reads it again.
        let file = Arc::new(File {
            etag: format!("\"{}\"", hex::encode(&DigestAlgorithm::Sha256.digest(&body)[..16])),
            kind: kind(&body),
            body: Bytes::from(body),
            stamp,
        });
        if let Ok(mut files) = self.files.lock() {
            let held: usize = files.values().map(|f| f.body.len()).sum();
            if files.len() >= MAX_CACHED_FILES || held + file.body.len() > MAX_CACHED_BYTES {
                files.clear();
            }
            files.insert(path.to_path_buf(), file.clone());
        }
        Some(file)
    }
}

/// What the bytes are: a Status List Token, a trust list, or something else.
fn kind(body: &[u8]) -> Kind {
    if let Ok((claims, _)) = yinxin::status::StatusListToken::read_unverified(body) {
        return Kind::StatusList { ttl: claims.ttl, exp: claims.exp };
    }
    if let Ok(list) = yinxin::trust::list::read_unverified(body) {
        return Kind::TrustList { next_update: list.next_update };
    }
    Kind::Other
}

#[cfg(test)]
mod tests {
    use super::Publication;

    #[test]
    fn only_plain_segments_are_served() {
        for bad in [
            "", "x", "/", "//", "/a//b", "/..", "/a/../b", "/.hidden", "/a/.tmp", "/a%2e%2e", "/a\\b",
            "/a b", "/é",
        ] {
            assert!(Publication::segments(bad).is_none(), "{bad:?}");
        }
        assert!(Publication::segments(&"/a".repeat(17)).is_none());
        assert_eq!(
            Publication::segments("/11510000MB0123456W/lists/1"),
            Some(vec!["11510000MB0123456W", "lists", "1"])
        );
        assert_eq!(Publication::segments("/trust/list.cbor"), Some(vec!["trust", "list.cbor"]));
    }
}
