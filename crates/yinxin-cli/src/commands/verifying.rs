//! The verifying commands' options as one core [`yinxin::Verifier`]: `--trust` anchors,
//! `--status-list` tokens (each verified under the anchors, its signer then a known issuer),
//! `--issuer-cert`, `--intermediates`, `--accept-unknown-status`, `--window` and a replay guard.
//! `license verify`, `verify`, `seal verify`, `seal inspect` and `ofd verify` all build theirs
//! here.

use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use yinxin::Verifier;
use yinxin::present::ReplayGuard;

use crate::failure::Failure;
use crate::input::Input;

/// What a verifying command was told.
#[derive(Default)]
pub struct Options<'a> {
    /// `--trust ROOT.pem`, repeated.
    pub trust: &'a [String],
    /// `--intermediates CA.pem`.
    pub intermediates: Option<&'a str>,
    /// `--status-list FILE`, repeated.
    pub status_lists: &'a [String],
    /// `--issuer-cert FILE`, repeated.
    pub issuer_certs: &'a [String],
    /// `--accept-unknown-status`.
    pub accept_unknown_status: bool,
    /// `--window`.
    pub window: Option<Duration>,
    /// A replay guard loaded from `--replay-cache`.
    pub replay: Option<Arc<ReplayGuard>>,
}

/// The verifier the options describe, its status lists verified at `at`.
pub fn build(o: &Options<'_>, at: OffsetDateTime) -> Result<Verifier, Failure> {
    let mut builder = Verifier::builder().accept_unknown_status(o.accept_unknown_status);
    if o.trust.is_empty() && !o.status_lists.is_empty() {
        return Err(Failure::usage("--status-list needs --trust to verify the lists"));
    }
    for path in o.trust {
        builder = builder
            .trust_anchors_pem(&Input::Certificates.read(path)?)
            .map_err(|e| Failure::unreadable(&e, path))?;
    }
    if let Some(path) = o.intermediates {
        builder = builder
            .intermediates_pem(&Input::Certificates.read(path)?)
            .map_err(|e| Failure::unreadable(&e, path))?;
    }
    if let Some(window) = o.window {
        builder = builder.window(window);
    }
    if let Some(guard) = &o.replay {
        builder = builder.replay_guard(guard.clone());
    }
    let verifier = builder.build().map_err(|e| Failure::usage(e.to_string()))?;
    for path in o.status_lists {
        let token = Input::StatusList.read(path)?;
        verifier.add_status_list(&token, at).map_err(|e| Failure::unreadable(&e, path))?;
    }
    for path in o.issuer_certs {
        for cert in yinxin::trust::parse_pem_certificates(&Input::Certificates.read(path)?)
            .map_err(|e| Failure::unreadable(&e, path))?
        {
            verifier.add_issuer_certificate(cert);
        }
    }
    Ok(verifier)
}
