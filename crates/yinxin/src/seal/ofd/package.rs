//! The OFD package: a zip archive read within limits (entry count, sizes, total inflated
//! bytes), with OFD path resolution (absolute from the package root, or relative to a base),
//! and entry names found however a producer wrote them (`./`, `\\`, a leading `/`, case).

use std::io::{Cursor, Read as _};

use super::{OfdError, OfdLimits};

/// An opened OFD package.
pub(crate) struct Package<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    limits: OfdLimits,
    read_total: u64,
    /// Every file entry: its resolved path folded for case → (resolved path, entry name).
    names: std::collections::BTreeMap<String, (String, String)>,
}

/// Resolves an OFD location: `/a/b` from the root, `b` relative to `base_dir`; `.` and `..`
/// segments are applied, and a path may not climb above the root.
pub(crate) fn resolve(base_dir: &str, loc: &str) -> Result<String, OfdError> {
    let loc = loc.trim();
    let joined = if let Some(abs) = loc.strip_prefix(['/', '\\']) {
        abs.to_owned()
    } else {
        format!("{base_dir}/{loc}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(OfdError::Path(loc.to_owned()));
                }
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        return Err(OfdError::Path(loc.to_owned()));
    }
    Ok(parts.join("/"))
}

/// The directory of a package path (`a/b/c.xml` → `a/b`).
pub(crate) fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

impl<'a> Package<'a> {
    /// Opens a package held in memory.
    pub fn open(bytes: &'a [u8], limits: OfdLimits) -> Result<Self, OfdError> {
        if bytes.len() as u64 > limits.max_package_bytes {
            return Err(OfdError::TooLarge(format!("package of {} bytes", bytes.len())));
        }
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| OfdError::Zip(e.to_string()))?;
        if zip.len() > limits.max_entries {
            return Err(OfdError::TooLarge(format!("{} zip entries", zip.len())));
        }
        if zip.has_duplicate_names() {
            return Err(OfdError::Ambiguous("two zip entries have the same name".into()));
        }
        // Local headers that say other than the central directory, overlapping entries, or
        // entries the central directory does not list: readers that walk the local headers
        // would see another package than this one.
        zip.validate_header_consistency().map_err(|e| OfdError::Ambiguous(e.to_string()))?;
        let mut names = std::collections::BTreeMap::new();
        for name in zip.file_names() {
            let name = name.map_err(|e| OfdError::Zip(e.to_string()))?.into_owned();
            if name.ends_with('/') || name.ends_with('\\') {
                continue; // a directory entry holds nothing
            }
            // The name every OFD reader resolves a location to, folded for case.
            let path = resolve("", &name).map_err(|_| OfdError::Ambiguous(format!("entry name {name:?}")))?;
            if let Some((_, other)) = names.insert(path.to_lowercase(), (path, name.clone())) {
                return Err(OfdError::Ambiguous(format!("entries {other:?} and {name:?} name one file")));
            }
        }
        Ok(Self { zip, limits, read_total: 0, names })
    }

    /// Whether the package has a file at `path` (resolved, without a leading slash).
    pub fn contains(&self, path: &str) -> bool {
        self.names.contains_key(&path.to_lowercase())
    }

    /// The resolved paths of every file in the package, in order.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.names.values().map(|(path, _)| path.as_str())
    }

    /// The file a location names, read from a file in `base_dir`: relative to `base_dir` as
    /// GB/T 33190 says; a location without a leading `/` that names no file there but does
    /// from the package root is taken from the root, as many producers write them. When
    /// neither exists the relative reading is returned (its reading then fails as missing).
    pub fn locate(&self, base_dir: &str, loc: &str) -> Result<String, OfdError> {
        let relative = resolve(base_dir, loc)?;
        if self.contains(&relative) || base_dir.is_empty() || loc.trim_start().starts_with(['/', '\\']) {
            return Ok(relative);
        }
        match resolve("", loc) {
            Ok(from_root) if self.contains(&from_root) => Ok(from_root),
            _ => Ok(relative),
        }
    }

    /// The zip entry name of a file (resolved path), as the producer wrote it; the path itself
    /// when there is no such file.
    pub fn entry_name(&self, path: &str) -> String {
        self.names.get(&path.to_lowercase()).map_or_else(|| path.to_owned(), |(_, name)| name.clone())
    }

    /// Copies a file's entry as it is (compressed bytes, name, times) into `out`.
    pub fn copy_raw<W: std::io::Write + std::io::Seek>(
        &mut self,
        path: &str,
        out: &mut zip::ZipWriter<W>,
    ) -> Result<(), OfdError> {
        let Some((_, entry)) = self.names.get(&path.to_lowercase()) else {
            return Err(OfdError::Missing(format!("/{path}")));
        };
        let file = self.zip.by_name_raw(entry.as_bytes()).map_err(|e| OfdError::Zip(e.to_string()))?;
        out.raw_copy_file(file).map_err(|e| OfdError::Zip(format!("/{path}: {e}")))
    }

    /// Reads a file (resolved path), within the per-entry and total limits.
    pub fn read(&mut self, path: &str) -> Result<Vec<u8>, OfdError> {
        let Some((_, entry)) = self.names.get(&path.to_lowercase()) else {
            return Err(OfdError::Missing(format!("/{path}")));
        };
        let mut file = match self.zip.by_name(entry) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Err(OfdError::Missing(format!("/{path}"))),
            Err(e) => return Err(OfdError::Zip(e.to_string())),
        };
        let cap = self.limits.max_entry_bytes;
        let mut out = Vec::new();
        (&mut file)
            .take(cap + 1)
            .read_to_end(&mut out)
            .map_err(|e| OfdError::Zip(format!("/{path}: {e}")))?;
        if out.len() as u64 > cap {
            return Err(OfdError::TooLarge(format!("/{path} inflates past {cap} bytes")));
        }
        self.read_total += out.len() as u64;
        if self.read_total > self.limits.max_total_bytes {
            return Err(OfdError::TooLarge(format!(
                "more than {} bytes inflated in all",
                self.limits.max_total_bytes
            )));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_like_ofd_locations() {
        assert_eq!(
            resolve("Doc_0/Signs", "/Doc_0/Signs/Sign_0/Signature.xml").ok().as_deref(),
            Some("Doc_0/Signs/Sign_0/Signature.xml")
        );
        assert_eq!(
            resolve("Doc_0/Signs", "Sign_0/Signature.xml").ok().as_deref(),
            Some("Doc_0/Signs/Sign_0/Signature.xml")
        );
        assert_eq!(resolve("", "Doc_0/./Document.xml").ok().as_deref(), Some("Doc_0/Document.xml"));
        assert_eq!(resolve("Doc_0/Signs", "../Document.xml").ok().as_deref(), Some("Doc_0/Document.xml"));
        assert!(resolve("Doc_0", "../../etc/passwd").is_err());
        assert!(resolve("", "/").is_err());
        assert_eq!(dir_of("Doc_0/Signs/Signatures.xml"), "Doc_0/Signs");
        assert_eq!(dir_of("OFD.xml"), "");
    }
}
