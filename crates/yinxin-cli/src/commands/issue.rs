//! Issuing licenses through the registry: `license issue --registry` here, `license
//! issue-batch` in `batch.rs`, both through the core's `Authority::issue_recorded`.
//!
//! Each batch runs in one registry transaction: status slots are allocated, the licenses are
//! signed with them (on every core), the records are committed, then the credential files are
//! written, and only then is `<license identifier> <status index>` printed: that line is the
//! acknowledgement that the issuance is durable.

use std::path::{Path, PathBuf};

use yinxin::authority::Issuance;
use yinxin::crypto::{PublicKey, SoftwareKey};
use yinxin::license::{IssueOptions, IssuedLicense, LicenseData};
use yinxin_registry::{IssuedRecord, Registry, RegistryError, StatusSlot};

use crate::commands::registry::{open, registry_failure};
use crate::failure::Failure;

/// Where `issue-batch` writes a license's credential.
pub(crate) fn credential_path(out_dir: &Path, identifier: &str) -> PathBuf {
    out_dir.join(format!("{identifier}.cbor"))
}

/// Writes the credentials of a committed chunk and acknowledges each one.
pub(crate) fn write_and_ack(out_dir: &Path, done: &[(IssuedRecord, IssuedLicense)]) -> Result<(), Failure> {
    for (record, license) in done {
        let path = credential_path(out_dir, &record.identifier);
        crate::commands::output::write_new(&path, &license.bytes, false, false)?;
    }
    for (record, _) in done {
        outln!("{} {}", record.identifier, record.slot.index);
    }
    Ok(())
}

/// One license for `license issue --registry`.
pub struct OneLicense<'a> {
    /// The issuing authority.
    pub authority: &'a yinxin::Authority<SoftwareKey>,
    /// The registry database and the status URI base of a new one.
    pub registry: &'a Path,
    /// Status lists of a new registry are published under this URI.
    pub uri_base: Option<&'a str>,
    /// The license data, read from `source`.
    pub data: LicenseData,
    /// Where the license data came from, for messages.
    pub source: &'a str,
    /// Issuance options (the status slot is the registry's).
    pub options: IssueOptions,
    /// The holder's key.
    pub holder: PublicKey,
    /// The credential file, and whether it may be replaced.
    pub out: &'a Path,
    /// Replace `out` if it exists.
    pub force: bool,
}

/// `license issue --registry`: one license, recorded before it is written. Returns the
/// credential and its status slot; the caller prints the acknowledgement.
pub fn issue_one(one: OneLicense<'_>) -> Result<(IssuedLicense, StatusSlot), Failure> {
    let mut reg = open(one.registry, one.uri_base, one.authority.certificate())?;
    let id = one.data.meta.license_identifier.clone();
    if reg
        .license(&id)
        .map_err(|e| registry_failure(&e, crate::commands::registry::shown(one.registry)))?
        .is_some()
    {
        return Err(registry_failure(
            &RegistryError::Duplicate(id),
            crate::commands::registry::shown(one.registry),
        ));
    }
    let issuance = Issuance { data: one.data, holder: one.holder, options: one.options };
    let done = one
        .authority
        .issue_recorded(&mut reg, std::slice::from_ref(&issuance))
        .map_err(|e| registry_failure(&e, one.source))?;
    let (record, license) = done.into_iter().next().ok_or_else(|| Failure::usage("nothing was issued"))?;
    crate::commands::output::write_new(one.out, &license.bytes, one.force, false)?;
    Ok((license, record.slot))
}
