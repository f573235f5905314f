//! Requests with reader authentication (decision 0019): before the holder shows anything, a
//! verifier may show a request code saying who asks, for which elements, and why.
//!
//! A request is the CBOR map `{"v": 1, "elements": [tstr…], "purpose": tstr, "nonce": bstr
//! (16 random bytes), "at": int (Unix seconds)}`, signed by the verifier as a COSE_Sign1 whose
//! `x5chain` carries its certificate (and intermediates). The certificate, issued under a
//! verifier anchor the holder's wallet trusts, lists the elements it may request
//! ([`OID_MAY_REQUEST`](crate::trust::OID_MAY_REQUEST)). An unsigned request (the bare map) is
//! allowed for simple cases; a wallet refuses it elements the holder marked sensitive.
//!
//! The QR text is `YXR1:` + base45 of the request (zlib when shorter), so a request can never
//! be mistaken for a presentation (`YX1:`).
//!
//! The holder answers with a presentation whose nonce is bound to the request:
//! `SHA-256("yinxin request binding\0" ‖ request nonce ‖ verifier key id)`, cut to
//! [`BOUND_NONCE_LEN`] bytes (longer than any random nonce, so every verifier tells a bound code
//! from a plain one). The holder's signature covers that nonce, so the code cannot be turned
//! into a plain one; only the verifier that made the request (its nonce, its key) accepts it,
//! and only once.

use ciborium::Value;
use time::{Duration, OffsetDateTime};

use crate::ErrorCode;
use crate::cose::build::{Headers, sign1};
use crate::cose::cbor::{decode_value, encode_value};
use crate::crypto::{DigestAlgorithm, KeyId, Signer, Verifier as _};
use crate::trust::{Certificate, TrustError, TrustStore};

/// The prefix of a request's QR text.
pub const REQUEST_PREFIX: &str = "YXR1:";
/// Random bytes of a request's nonce.
pub const REQUEST_NONCE_LEN: usize = 16;
/// Bytes of a presentation nonce bound to a request.
pub const BOUND_NONCE_LEN: usize = 20;
/// How old a request may be when the wallet answers it.
pub const MAX_REQUEST_AGE: Duration = Duration::minutes(10);
/// How far in the future a request's time may be (clock skew).
pub const REQUEST_SKEW: Duration = Duration::seconds(60);
/// The most elements one request may ask for.
pub const MAX_REQUESTED: usize = 256;
/// The longest purpose, in characters.
pub const MAX_PURPOSE: usize = 500;
/// The largest request accepted (certificates included).
pub const MAX_REQUEST: usize = 32 * 1024;

const VERSION: u64 = 1;
const TYP: &str = "application/yinxin-request+cose";

/// Why a request was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// Not a request, or one that breaks the format.
    #[error("not a valid request: {0}")]
    Malformed(String),
    /// The verifier's certificate does not chain to a verifier anchor the wallet trusts.
    #[error("the verifier's certificate is not trusted: {0}")]
    Untrusted(#[source] TrustError),
    /// The signature does not verify with the verifier's certificate.
    #[error("the request's signature does not verify with the verifier's certificate")]
    SignatureInvalid,
    /// The verifier asks for elements its certificate does not authorise.
    #[error("the verifier is not authorised to request: {}", .0.join(", "))]
    NotAuthorised(Vec<String>),
    /// An unauthenticated request asks for elements the holder marked sensitive.
    #[error("an unauthenticated request may not obtain: {}", .0.join(", "))]
    Sensitive(Vec<String>),
    /// The request is older than [`MAX_REQUEST_AGE`] or from the future.
    #[error("the request is not fresh (made {made}, now {now})", made = crate::text::rfc3339(*.made), now = crate::text::rfc3339(*.now))]
    Stale {
        /// When the request was made.
        made: OffsetDateTime,
        /// When it was checked.
        now: OffsetDateTime,
    },
    /// The request could not be made (the key refused to sign, encoding).
    #[error("the request could not be made: {0}")]
    Make(String),
    /// This request is not the verifier's own (another key signed it).
    #[error("the request was not made with this verifier key")]
    NotOwn,
}

impl ErrorCode for RequestError {
    fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "request.malformed",
            Self::Untrusted(_) => "request.verifier_untrusted",
            Self::SignatureInvalid => "request.signature_invalid",
            Self::NotAuthorised(_) => "request.not_authorised",
            Self::Sensitive(_) => "request.sensitive",
            Self::Stale { .. } => "request.stale",
            Self::Make(_) => "request.make",
            Self::NotOwn => "request.not_own",
        }
    }
}

fn bad(what: impl Into<String>) -> RequestError {
    RequestError::Malformed(what.into())
}

/// The content of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Content {
    elements: Vec<String>,
    purpose: String,
    nonce: [u8; REQUEST_NONCE_LEN],
    at: i64,
}

impl Content {
    fn new(elements: &[&str], purpose: &str, at: OffsetDateTime) -> Result<Self, RequestError> {
        let mut nonce = [0u8; REQUEST_NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| RequestError::Make(e.to_string()))?;
        let c = Self {
            elements: elements.iter().map(|e| (*e).to_owned()).collect(),
            purpose: purpose.to_owned(),
            nonce,
            at: at.unix_timestamp(),
        };
        c.check()?;
        Ok(c)
    }

    fn check(&self) -> Result<(), RequestError> {
        if self.elements.is_empty() || self.elements.len() > MAX_REQUESTED {
            return Err(bad(format!("a request asks for 1 to {MAX_REQUESTED} elements")));
        }
        let mut sorted = self.elements.clone();
        sorted.sort();
        sorted.dedup();
        if sorted.len() != self.elements.len() {
            return Err(bad("an element is asked for twice"));
        }
        if self.elements.iter().any(|e| e.is_empty() || e.len() > 64) {
            return Err(bad("an element identifier is empty or longer than 64 bytes"));
        }
        if self.purpose.trim().is_empty() || self.purpose.chars().count() > MAX_PURPOSE {
            return Err(bad(format!("a request states its purpose (1 to {MAX_PURPOSE} characters)")));
        }
        Ok(())
    }

    fn encode(&self) -> Result<Vec<u8>, RequestError> {
        encode_value(&Value::Map(vec![
            (Value::from("v"), Value::from(VERSION)),
            (
                Value::from("elements"),
                Value::Array(self.elements.iter().map(|e| Value::from(e.as_str())).collect()),
            ),
            (Value::from("purpose"), Value::from(self.purpose.as_str())),
            (Value::from("nonce"), Value::Bytes(self.nonce.to_vec())),
            (Value::from("at"), Value::from(self.at)),
        ]))
        .map_err(|e| RequestError::Make(e.to_string()))
    }

    fn decode(bytes: &[u8]) -> Result<Self, RequestError> {
        let v = decode_value(bytes).map_err(|e| bad(e.to_string()))?;
        let m = v.as_map().ok_or_else(|| bad("not a map"))?;
        let get = |k: &str| m.iter().find(|(key, _)| key.as_text() == Some(k)).map(|(_, v)| v);
        if m.len() != 5 {
            return Err(bad("a request has exactly v, elements, purpose, nonce and at"));
        }
        if get("v").and_then(Value::as_integer).and_then(|i| u64::try_from(i).ok()) != Some(VERSION) {
            return Err(bad("a request version this one does not read"));
        }
        let elements = get("elements")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("elements"))?
            .iter()
            .map(|e| e.as_text().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| bad("elements"))?;
        let c = Self {
            elements,
            purpose: get("purpose").and_then(Value::as_text).ok_or_else(|| bad("purpose"))?.to_owned(),
            nonce: get("nonce")
                .and_then(Value::as_bytes)
                .and_then(|b| <[u8; REQUEST_NONCE_LEN]>::try_from(b.as_slice()).ok())
                .ok_or_else(|| bad("nonce"))?,
            at: get("at")
                .and_then(Value::as_integer)
                .and_then(|i| i64::try_from(i).ok())
                .ok_or_else(|| bad("at"))?,
        };
        c.check()?;
        Ok(c)
    }
}

/// A signed request: `elements` for `purpose`, signed by the verifier's `signer`, whose
/// certificate (and intermediates) `chain` carries, leaf first.
pub fn make_request(
    signer: &dyn Signer,
    chain: &[Certificate],
    elements: &[&str],
    purpose: &str,
    at: OffsetDateTime,
) -> Result<Vec<u8>, RequestError> {
    let leaf = chain.first().ok_or_else(|| RequestError::Make("no verifier certificate".into()))?;
    if leaf.public_key() != signer.public_key() {
        return Err(RequestError::Make("the key is not the certificate's".into()));
    }
    let content = Content::new(elements, purpose, at)?;
    let ders: Vec<&[u8]> = chain.iter().map(Certificate::der).collect();
    let headers = Headers { typ: Some(TYP), kid: None, x5chain: &ders };
    let signed = sign1(signer, headers, content.encode()?).map_err(|e| RequestError::Make(e.to_string()))?;
    coset::CborSerializable::to_vec(signed).map_err(|e| RequestError::Make(e.to_string()))
}

/// An unsigned request (no reader authentication): for simple cases; a wallet refuses it the
/// elements its holder marked sensitive.
pub fn make_unsigned_request(
    elements: &[&str],
    purpose: &str,
    at: OffsetDateTime,
) -> Result<Vec<u8>, RequestError> {
    Content::new(elements, purpose, at)?.encode()
}

/// A request as QR text (`YXR1:…`).
pub fn request_text(request: &[u8]) -> Result<String, RequestError> {
    let text = super::qr_text::encode(request).map_err(|e| bad(e.to_string()))?;
    let body = text.strip_prefix(super::qr_text::QR_PREFIX).ok_or_else(|| bad("prefix"))?;
    Ok(format!("{REQUEST_PREFIX}{body}"))
}

/// The request in QR text (within the QR text limits).
pub fn request_from_text(text: &str) -> Result<Vec<u8>, RequestError> {
    let body = text.trim().strip_prefix(REQUEST_PREFIX).ok_or_else(|| bad("not a request code (YXR1:)"))?;
    super::qr_text::decode(&format!("{}{body}", super::qr_text::QR_PREFIX)).map_err(|e| bad(e.to_string()))
}

/// The verifier that signed a request.
#[derive(Debug, Clone)]
pub struct RequestingVerifier {
    /// Its certificate (verified under the wallet's verifier anchors).
    pub certificate: Certificate,
    /// Its name (the certificate's common name, else the subject).
    pub name: String,
    /// Its USCC, when the certificate names one.
    pub code: Option<String>,
    /// Its key id.
    pub key_id: KeyId,
}

/// A request whose signature, certificate chain, authorisation and freshness were checked;
/// only [`RequestVerifier::verify`] makes one.
#[derive(Debug, Clone)]
pub struct VerifiedRequest {
    content: Content,
    verifier: Option<RequestingVerifier>,
}

impl VerifiedRequest {
    /// The elements asked for.
    pub fn elements(&self) -> &[String] {
        &self.content.elements
    }

    /// The stated purpose.
    pub fn purpose(&self) -> &str {
        &self.content.purpose
    }

    /// Who asks: `None` for an unsigned request.
    pub fn verifier(&self) -> Option<&RequestingVerifier> {
        self.verifier.as_ref()
    }

    /// When the request was made.
    pub fn made(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.content.at).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// What a presentation answering this request is bound to.
    pub fn binding(&self) -> RequestBinding {
        RequestBinding {
            nonce: self.content.nonce,
            verifier_key_id: self.verifier.as_ref().map(|v| v.key_id.as_bytes().to_vec()).unwrap_or_default(),
        }
    }
}

/// What a presentation answering a request is bound to: the request's nonce and the
/// verifier's key id (empty for an unsigned request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestBinding {
    nonce: [u8; REQUEST_NONCE_LEN],
    verifier_key_id: Vec<u8>,
}

impl RequestBinding {
    /// The verifier's own binding for a request it made: it reads back its request and checks
    /// that its key signed it (a signed request), or takes it as it is (unsigned).
    pub fn own(
        request: &[u8],
        verifier_key: Option<&crate::crypto::PublicKey>,
    ) -> Result<Self, RequestError> {
        if request.len() > MAX_REQUEST {
            return Err(bad("too large"));
        }
        match request.first() {
            Some(b) if b >> 5 == 5 => {
                let content = Content::decode(request)?;
                Ok(Self { nonce: content.nonce, verifier_key_id: Vec::new() })
            }
            _ => {
                let sign1 = crate::cose::sign1::parse(request).map_err(|e| bad(e.to_string()))?;
                let leaf = sign1.x5chain.first().ok_or_else(|| bad("no verifier certificate"))?;
                let cert = Certificate::from_der(leaf).map_err(|e| bad(e.to_string()))?;
                let key = verifier_key.ok_or(RequestError::NotOwn)?;
                if cert.public_key() != key {
                    return Err(RequestError::NotOwn);
                }
                let tbs = sign1.sig_structure().map_err(|e| bad(e.to_string()))?;
                key.verify(&tbs, sign1.signature).map_err(|_| RequestError::SignatureInvalid)?;
                let content = Content::decode(sign1.payload)?;
                Ok(Self { nonce: content.nonce, verifier_key_id: key.key_id().as_bytes().to_vec() })
            }
        }
    }

    /// The presentation nonce bound to this request.
    pub(crate) fn bound_nonce(&self) -> [u8; BOUND_NONCE_LEN] {
        let mut input = b"yinxin request binding\0".to_vec();
        input.extend_from_slice(&self.nonce);
        input.extend_from_slice(&self.verifier_key_id);
        let digest = DigestAlgorithm::Sha256.digest(&input);
        let mut out = [0u8; BOUND_NONCE_LEN];
        out.copy_from_slice(digest.get(..BOUND_NONCE_LEN).unwrap_or(&[0; BOUND_NONCE_LEN]));
        out
    }
}

/// Checks requests for a wallet: the verifier anchors it trusts.
#[derive(Debug, Clone)]
pub struct RequestVerifier {
    anchors: TrustStore,
}

impl RequestVerifier {
    /// A verifier of requests whose verifier certificates chain to `anchors`.
    pub fn new(anchors: TrustStore) -> Self {
        Self { anchors }
    }

    /// Verifies a request at `at`: for a signed one the certificate chain under the anchors, the
    /// signature with the certificate's key and algorithm (never the header's alone), every
    /// element within the certificate's authorisation; for both, the format and freshness.
    pub fn verify(&self, request: &[u8], at: OffsetDateTime) -> Result<VerifiedRequest, RequestError> {
        if request.len() > MAX_REQUEST {
            return Err(bad("too large"));
        }
        let (content, verifier) = match request.first() {
            // A CBOR map: the unsigned form.
            Some(b) if b >> 5 == 5 => (Content::decode(request)?, None),
            _ => {
                let sign1 = crate::cose::sign1::parse(request).map_err(|e| bad(e.to_string()))?;
                if sign1.typ != Some(TYP) {
                    return Err(bad("not a request (typ)"));
                }
                if sign1.x5chain.is_empty() {
                    return Err(bad("no verifier certificate"));
                }
                let chain = crate::trust::store::certificates_of(&sign1.x5chain, Some(&self.anchors))
                    .map_err(RequestError::Untrusted)?;
                let verified = self.anchors.verify_chain(&chain, at).map_err(RequestError::Untrusted)?;
                let leaf = verified.leaf().clone();
                let key = leaf.public_key();
                let alg = sign1.algorithm().map_err(|_| bad("algorithm"))?;
                if alg != key.algorithm() || !self.anchors.policy().allows(alg) {
                    return Err(RequestError::SignatureInvalid);
                }
                let tbs = sign1.sig_structure().map_err(|e| bad(e.to_string()))?;
                key.verify(&tbs, sign1.signature).map_err(|_| RequestError::SignatureInvalid)?;
                let content = Content::decode(sign1.payload)?;
                let allowed = leaf.may_request().unwrap_or_default();
                let beyond: Vec<String> =
                    content.elements.iter().filter(|e| !allowed.contains(e)).cloned().collect();
                if !beyond.is_empty() {
                    return Err(RequestError::NotAuthorised(beyond));
                }
                let name = leaf.common_name().map_or_else(|| leaf.subject().to_owned(), str::to_owned);
                let code = leaf.party().and_then(|p| p.uscc().map(|u| u.to_string()));
                let key_id = key.key_id();
                (content, Some(RequestingVerifier { certificate: leaf, name, code, key_id }))
            }
        };
        let made = OffsetDateTime::from_unix_timestamp(content.at).map_err(|_| bad("at"))?;
        if made > at.saturating_add(REQUEST_SKEW) || at.saturating_sub(MAX_REQUEST_AGE) > made {
            return Err(RequestError::Stale { made, now: at });
        }
        Ok(VerifiedRequest { content, verifier })
    }
}
