//! The counter's side: a [`Verifier`] configured once, verifying QR codes and licenses.

use std::sync::Arc;

use yinxin::license::VerifiedLicense;
use yinxin::trust::Certificate;

use crate::{YinxinError, at};

/// How a [`Verifier`] is set up.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VerifierConfig {
    /// The trust anchors (root certificates, PEM bundle).
    pub trust_anchors_pem: String,
    /// How old a QR code may be, in seconds (300 is the usual "一次一验" window; 1 to 86400,
    /// anything else is refused as `present.window_invalid`).
    pub window_seconds: u32,
    /// Accept licenses whose status cannot be established (no current list).
    pub accept_unknown_status: bool,
    /// Accept only SM2/SM3 (the GM policy).
    pub gm_only: bool,
}

/// One disclosed element.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DisclosedElement {
    /// The name space (`cn.gov.elicense.meta.1` for the GB/T 36903 metadata).
    pub namespace: String,
    /// The element identifier.
    pub identifier: String,
    /// The value as JSON (text as a JSON string, dates as `"YYYY-MM-DD"`, bytes as base64).
    pub value_json: String,
}

/// The verdict on a QR code or a license.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Verdict {
    /// Every check passed.
    pub valid: bool,
    /// The stable code of the failed check (`present.replayed`, `license.revoked`…).
    pub code: Option<String>,
    /// Why, in words.
    pub message: Option<String>,
    /// The docType, when valid.
    pub doc_type: Option<String>,
    /// What the status check found: `valid`, `revoked`, `suspended`, `unknown` (no usable list;
    /// valid only when the verifier accepts unknown status) or `none` (the license names no
    /// status list); absent when verification failed before status was looked at.
    pub status: Option<String>,
    /// The disclosed elements (all of them for a license), when valid.
    pub disclosed: Vec<DisclosedElement>,
    /// When the holder made the code (Unix seconds), for QR codes.
    pub created_unix: Option<i64>,
    /// Its age in seconds at verification, for QR codes.
    pub age_seconds: Option<i64>,
    /// The code answered this verifier's request (`verify_qr_for_request`).
    pub request_bound: bool,
    /// For a legal entity's license shown by its agent (经办人): the agent's name.
    pub agent_name: Option<String>,
    /// The agent's resident ID number.
    pub agent_id: Option<String>,
    /// The entity the agent acts for.
    pub on_behalf_of: Option<String>,
}

fn status_name(license: &VerifiedLicense) -> Option<String> {
    license.status_outcome().map(|s| s.name().to_owned())
}

fn elements(license: &VerifiedLicense) -> Vec<DisclosedElement> {
    license
        .elements()
        .iter()
        .flat_map(|(ns, items)| {
            items.iter().map(move |(id, value)| DisclosedElement {
                namespace: ns.clone(),
                identifier: id.clone(),
                value_json: value.to_json().to_string(),
            })
        })
        .collect()
}

fn presentation_verdict(
    result: Result<yinxin::present::VerifiedPresentation, yinxin::present::PresentError>,
) -> Verdict {
    match result {
        Ok(v) => Verdict {
            created_unix: Some(v.created().unix_timestamp()),
            age_seconds: Some(v.age().whole_seconds()),
            request_bound: v.request_bound(),
            agent_name: v.agent().map(|a| a.name.clone()),
            agent_id: v.agent().map(|a| a.id.clone()),
            on_behalf_of: v.agent().map(|a| a.entity.clone()),
            ..accepted(v.license())
        },
        Err(e) => refused(&e, e.status_name()),
    }
}

fn refused<E: yinxin::ErrorCode + std::fmt::Display>(e: &E, status: Option<&str>) -> Verdict {
    Verdict { status: status.map(str::to_owned), ..refused_code(e.code(), e.to_string()) }
}

fn refused_code(code: &str, message: String) -> Verdict {
    Verdict {
        valid: false,
        code: Some(code.to_owned()),
        message: Some(message),
        doc_type: None,
        status: None,
        disclosed: Vec::new(),
        created_unix: None,
        age_seconds: None,
        request_bound: false,
        agent_name: None,
        agent_id: None,
        on_behalf_of: None,
    }
}

/// Verifies QR codes at a counter: issuer signature and chain, digests, validity, status,
/// holder signature, freshness window, and once only (replay guard shared by all threads). A
/// thin wrapper over the core's [`yinxin::Verifier`].
#[derive(uniffi::Object)]
pub struct Verifier {
    inner: yinxin::Verifier,
}

#[uniffi::export]
impl Verifier {
    /// A verifier with its trust anchors and policy; add status lists with
    /// [`Verifier::add_status_list`].
    #[uniffi::constructor]
    pub fn new(config: VerifierConfig) -> Result<Arc<Self>, YinxinError> {
        let mut builder = yinxin::Verifier::builder()
            .trust_anchors_pem(config.trust_anchors_pem.as_bytes())
            .map_err(YinxinError::unreadable)?
            .window(time::Duration::seconds(i64::from(config.window_seconds)))
            .accept_unknown_status(config.accept_unknown_status);
        if config.gm_only {
            builder = builder.gm_only();
        }
        Ok(Arc::new(Self { inner: builder.build().map_err(YinxinError::config)? }))
    }

    /// A verifier that trusts list operators (and, optionally, anchors of its own): the
    /// authorities their trust lists name are trusted for the license types each may issue.
    /// Lists come from `lists.trust_list_urls` (fetched with `http`, the app's own client, or
    /// the built-in HTTPS client when `http` is null) or from [`Verifier::add_trust_list`].
    /// `config.trust_anchors_pem` may be empty.
    #[uniffi::constructor]
    pub fn with_trust_lists(
        config: VerifierConfig,
        lists: crate::trust_lists::TrustListConfig,
        http: Option<Arc<dyn crate::trust_lists::HttpClient>>,
    ) -> Result<Arc<Self>, YinxinError> {
        let mut builder = yinxin::Verifier::builder()
            .window(time::Duration::seconds(i64::from(config.window_seconds)))
            .accept_unknown_status(config.accept_unknown_status);
        if !config.trust_anchors_pem.trim().is_empty() {
            builder = builder
                .trust_anchors_pem(config.trust_anchors_pem.as_bytes())
                .map_err(YinxinError::unreadable)?;
        }
        if config.gm_only {
            builder = builder.gm_only();
        }
        builder = crate::trust_lists::configure(builder, &lists, http)?;
        Ok(Arc::new(Self { inner: builder.build().map_err(YinxinError::config)? }))
    }

    /// Verifies a trust list (COSE_Sign1) the app fetched and, unless it is older than one
    /// accepted before (`trust_list.rollback`) or stale (`trust_list.stale`), trusts the
    /// authorities it names in place of those of the operator's previous list.
    pub fn add_trust_list(
        &self,
        list: Vec<u8>,
        at_unix: Option<i64>,
    ) -> Result<crate::trust_lists::TrustListSummary, YinxinError> {
        let now = at(at_unix)?;
        let verified = self.inner.add_trust_list(&list, now).map_err(|e| match e {
            yinxin::trust::list::TrustListError::TooLarge(_)
            | yinxin::trust::list::TrustListError::Malformed(_) => YinxinError::unreadable(e),
            other => YinxinError::invalid(other),
        })?;
        Ok((&verified).into())
    }

    /// Fetches the trust lists of `TrustListConfig.trust_list_urls` (those due, or all with
    /// `force`): one report per URL. A failure keeps the last good list in use.
    pub fn refresh_trust_lists(&self, force: bool) -> Vec<crate::trust_lists::SourceReport> {
        self.inner
            .refresh_trust_lists(time::OffsetDateTime::now_utc(), force)
            .into_iter()
            .map(Into::into)
            .collect()
    }

    /// The record of accepted trust lists, to save and hand back as
    /// `TrustListConfig.state_json` (not needed with a cache directory).
    pub fn trust_list_state_json(&self) -> Result<String, YinxinError> {
        let state = self.inner.trust_list_state().map_err(YinxinError::config)?;
        String::from_utf8(state.to_json())
            .map_err(|_| YinxinError::config_text("trust_list.state_unreadable", "the state is not UTF-8"))
    }

    /// Adds (or replaces) a signed status list (CWT); it must be signed under the trust
    /// anchors. Its signer's certificate also lets compact QR codes name their issuer by key id.
    pub fn add_status_list(&self, token: Vec<u8>) -> Result<(), YinxinError> {
        self.inner.add_status_list(&token, time::OffsetDateTime::now_utc()).map_err(YinxinError::invalid)
    }

    /// Makes an issuer certificate (PEM or DER) known, for compact QR codes that name their
    /// issuer by key id. It is still validated against the anchors at every use.
    pub fn add_issuer_certificate(&self, certificate: Vec<u8>) -> Result<(), YinxinError> {
        let cert = Certificate::from_pem_or_der(&certificate).map_err(YinxinError::unreadable)?;
        self.inner.add_issuer_certificate(cert);
        Ok(())
    }

    /// Verifies QR text now, or at `at_unix`.
    pub fn verify_qr(&self, text: String, at_unix: Option<i64>) -> Verdict {
        let now = match at(at_unix) {
            Ok(t) => t,
            Err(e) => return refused_code(e.code(), e.to_string()),
        };
        presentation_verdict(self.inner.verify_qr(&text, now))
    }

    /// Verifies a QR code that may answer this counter's request (`request_text`, which
    /// `verifier_public_key` (SPKI) signed; omit the key for an unsigned request): a code
    /// answering it is valid with `request_bound`; one answering another request is refused.
    pub fn verify_qr_for_request(
        &self,
        text: String,
        request_text: String,
        verifier_public_key: Option<Vec<u8>>,
        at_unix: Option<i64>,
    ) -> Verdict {
        let now = match at(at_unix) {
            Ok(t) => t,
            Err(e) => return refused_code(e.code(), e.to_string()),
        };
        let key =
            match verifier_public_key.map(|k| yinxin::crypto::PublicKey::from_pem_or_der(&k)).transpose() {
                Ok(k) => k,
                Err(e) => return refused(&e, None),
            };
        let binding = yinxin::present::request::request_from_text(&request_text)
            .and_then(|r| yinxin::present::request::RequestBinding::own(&r, key.as_ref()));
        match binding {
            Ok(b) => presentation_verdict(self.inner.verify_qr_for_request(&text, now, &b)),
            Err(e) => refused(&e, None),
        }
    }

    /// Verifies the QR code in an image (a camera frame or a screenshot).
    pub fn verify_image(&self, image: Vec<u8>, at_unix: Option<i64>) -> Verdict {
        match yinxin::present::qr_image::read_image(&image) {
            Ok(text) => self.verify_qr(text, at_unix),
            Err(e) => refused(&e, None),
        }
    }

    /// Verifies a whole credential (IssuerSigned CBOR), its status included.
    pub fn verify_license(&self, credential: Vec<u8>, at_unix: Option<i64>) -> Verdict {
        let now = match at(at_unix) {
            Ok(t) => t,
            Err(e) => return refused_code(e.code(), e.to_string()),
        };
        match self.inner.verify_license(&credential, now) {
            Ok(v) => accepted(&v),
            Err(e) => refused(&e, e.status_name()),
        }
    }
}

/// The verdict on a verified license.
fn accepted(license: &VerifiedLicense) -> Verdict {
    Verdict {
        valid: true,
        code: None,
        message: None,
        doc_type: Some(license.doc_type().to_owned()),
        status: status_name(license),
        disclosed: elements(license),
        created_unix: None,
        age_seconds: None,
        request_bound: false,
        agent_name: None,
        agent_id: None,
        on_behalf_of: None,
    }
}
