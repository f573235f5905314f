//! Presentations: the holder's chosen elements, the issuer's signature, and the holder's
//! signature over both, a creation time and a fresh nonce.
//!
//! Encoding (general profile; CBOR map, text keys):
//! `{"v": 1, "docType": tstr, "issuerSigned": IssuerSigned (only the disclosed items),
//! "created": int (Unix seconds), "nonce": bstr (16 random bytes), "deviceSignature": bstr}`.
//! The holder signs `["YX1Presentation", docType, created, nonce, issuerSigned]` where
//! `issuerSigned` is the exact bytes of that map as sent, so the signature binds the disclosed
//! items and the issuer's signature together with the time and nonce.

use std::sync::Arc;

use ciborium_ll::{Encoder, Header};
use time::{Duration, OffsetDateTime};

use super::{PresentError, ReplayGuard};
use crate::cose::cbor::Walker;
use crate::crypto::{Signer, Verifier as _};
use crate::license::{
    IssuerSigned, LicenseVerifier, VerifiedLicense, parse_issuer_signed, parse_issuer_signed_at,
};
use crate::status::StatusListCache;

/// Default freshness window: a code is accepted for 300 seconds after it is made.
pub const DEFAULT_WINDOW: Duration = Duration::seconds(300);
/// Default tolerance for clocks that disagree.
pub const DEFAULT_SKEW: Duration = Duration::seconds(30);
/// The longest freshness window a verifier accepts (a day): a code is shown to be checked at
/// once, and the replay guard must remember every nonce for as long.
pub const MAX_WINDOW: Duration = Duration::days(1);
const CONTEXT: &str = "YX1Presentation";
const CONTEXT_COMPACT: &str = "YX1Compact";
const NONCE_LEN: usize = 16;
/// Presentations larger than this are refused before parsing.
pub const MAX_PRESENTATION: usize = 64 * 1024;

/// What a holder discloses.
#[derive(Debug, Clone, Copy)]
pub enum Disclosure<'a> {
    /// Every element of the license.
    All,
    /// These element identifiers (from any name space).
    Elements(&'a [&'a str]),
}

fn malformed(what: &str) -> PresentError {
    PresentError::Malformed(what.to_owned())
}

fn encode_err<E>(_: E) -> PresentError {
    malformed("encoding failed")
}

/// The bytes the holder signs.
fn to_be_signed(
    doc_type: &str,
    created: i64,
    nonce: &[u8],
    issuer_signed: &[u8],
) -> Result<Vec<u8>, PresentError> {
    let mut out = Vec::with_capacity(issuer_signed.len() + doc_type.len() + 64);
    let mut enc = Encoder::from(&mut out);
    enc.push(Header::Array(Some(5))).map_err(encode_err)?;
    enc.text(CONTEXT, None).map_err(encode_err)?;
    enc.text(doc_type, None).map_err(encode_err)?;
    push_int(&mut enc, created)?;
    enc.bytes(nonce, None).map_err(encode_err)?;
    enc.bytes(issuer_signed, None).map_err(encode_err)?;
    Ok(out)
}

fn push_int(enc: &mut Encoder<&mut Vec<u8>>, v: i64) -> Result<(), PresentError> {
    let h = if v >= 0 { Header::Positive(v.unsigned_abs()) } else { Header::Negative(v.unsigned_abs() - 1) };
    enc.push(h).map_err(encode_err)
}

/// Builds a presentation of `license` (an IssuerSigned, as issued) disclosing `disclose`,
/// signed by `holder` (whose key must be the one the license is bound to), created at `at`.
///
/// The smallest QR form that holds exactly the chosen elements: a pre-signed compact set
/// equal to them, or the tree form (any subset, decision 0017); the mdoc-style form only for
/// a license that has neither (issued before tree claims, or without them).
pub fn present(
    license: &[u8],
    holder: &dyn Signer,
    disclose: Disclosure<'_>,
    at: OffsetDateTime,
) -> Result<Vec<u8>, PresentError> {
    present_with(license, holder, disclose, at, None, false)
}

/// An agent's presentation (issue 19): the license of a legal entity shown by its agent,
/// signed with the agent's key under `delegation` (from
/// [`sign_delegation`](super::delegation::sign_delegation)). The delegation must name this
/// license and the agent's key, be signed by the license's holder key and cover every chosen
/// element; `license_identifier` is always shown. `binding` answers a verifier's request.
pub fn present_as_agent(
    license: &[u8],
    agent: &dyn Signer,
    delegation: &[u8],
    disclose: Disclosure<'_>,
    at: OffsetDateTime,
    binding: Option<&super::request::RequestBinding>,
) -> Result<Vec<u8>, PresentError> {
    let parsed = parse_issuer_signed(license)?;
    let mso = crate::license::mso_of(&parsed)?;
    let entity = mso.holder_key.as_ref().ok_or(PresentError::HolderKeyMismatch)?;
    let terms = super::delegation::verify_delegation(delegation, entity)?;
    super::delegation::check_valid_at(&terms, at)?;
    if terms.agent_key != *agent.public_key() {
        return Err(PresentError::DelegationInvalid("it names another agent key".into()));
    }
    let identifier = parsed
        .namespaces
        .iter()
        .flat_map(|(_, items)| items.iter())
        .find(|i| i.element == "license_identifier")
        .and_then(|i| i.value.as_text().map(str::to_owned));
    if identifier.as_deref() != Some(terms.license.as_str()) {
        return Err(PresentError::DelegationInvalid("it names another license".into()));
    }
    let mut wanted: Vec<&str> = match disclose {
        Disclosure::Elements(w) => w.to_vec(),
        Disclosure::All => terms.elements.iter().map(String::as_str).collect(),
    };
    if !wanted.contains(&"license_identifier") {
        wanted.push("license_identifier");
    }
    if let Some(beyond) = wanted.iter().find(|w| !terms.elements.iter().any(|e| e == *w)) {
        return Err(PresentError::DelegationScope((*beyond).to_owned()));
    }
    let bound = binding.map(super::request::RequestBinding::bound_nonce);
    let inner = present_with(
        license,
        agent,
        Disclosure::Elements(&wanted),
        at,
        bound.as_ref().map(|b| &b[..]),
        true,
    )?;
    super::delegation::wrap(delegation, &inner)
}

/// [`present`] answering a verifier's request (decision 0019): the code's nonce is bound to the
/// request's nonce and the verifier's key id, so only that verifier accepts it, once. The
/// caller (the wallet) has verified the request and the holder's consent.
pub fn present_for_request(
    license: &[u8],
    holder: &dyn Signer,
    disclose: Disclosure<'_>,
    at: OffsetDateTime,
    binding: &super::request::RequestBinding,
) -> Result<Vec<u8>, PresentError> {
    present_with(license, holder, disclose, at, Some(&binding.bound_nonce()), false)
}

/// A fresh random nonce of `len` bytes, or the bound one.
pub(crate) fn nonce_for(bound: Option<&[u8]>, len: usize) -> Result<Vec<u8>, PresentError> {
    if let Some(b) = bound {
        return Ok(b.to_vec());
    }
    let mut nonce = vec![0u8; len];
    getrandom::fill(&mut nonce).map_err(|_| PresentError::Sign(crate::crypto::SignError::Rng))?;
    Ok(nonce)
}

fn present_with(
    license: &[u8],
    holder: &dyn Signer,
    disclose: Disclosure<'_>,
    at: OffsetDateTime,
    bound: Option<&[u8]>,
    agent: bool,
) -> Result<Vec<u8>, PresentError> {
    let parsed = parse_issuer_signed(license)?;
    check_chosen(&parsed, disclose)?;
    let all: Vec<(&str, &str, &crate::license::ElementValue)> = parsed
        .namespaces
        .iter()
        .flat_map(|(ns, items)| items.iter().map(move |i| (ns.as_str(), i.element.as_str(), &i.value)))
        .collect();
    let mut want: Vec<String> = match disclose {
        Disclosure::Elements(wanted) => wanted.iter().map(|s| (*s).to_owned()).collect(),
        Disclosure::All => all.iter().map(|(_, n, _)| (*n).to_owned()).collect(),
    };
    want.sort();
    want.dedup();
    // A pre-signed compact set with exactly the chosen elements.
    let mut set = None;
    for (_, raw) in &parsed.qr_sets {
        let Ok((mut names, key)) = crate::license::compact_set_view(raw) else { continue };
        names.sort();
        if names == want {
            if key != *holder.public_key() && !agent {
                return Err(PresentError::HolderKeyMismatch);
            }
            set = Some(*raw);
            break;
        }
    }
    let wanted: Vec<&str> = want.iter().map(String::as_str).collect();
    let tree = |t: &[u8]| super::tree_form::unsigned(t, &all, holder.public_key(), &wanted, at, bound, agent);
    match (set, parsed.tree) {
        (Some(set), Some(t)) => {
            // Both hold exactly these elements: measure each with a stand-in signature of the
            // holder's length, so the holder key (a keystore that may ask the user) signs once.
            let sizer = SizingSigner(holder.public_key().clone());
            let size = |p: Vec<u8>| super::qr_text::encode(&p).map_or(usize::MAX, |t| t.len());
            let unsigned = tree(t)?;
            if size(present_compact(set, &sizer, at, bound)?)
                <= size(super::tree_form::sign(unsigned.clone(), &sizer)?)
            {
                present_compact(set, holder, at, bound)
            } else {
                super::tree_form::sign(unsigned, holder)
            }
        }
        (Some(set), None) => present_compact(set, holder, at, bound),
        (None, Some(t)) => super::tree_form::sign(tree(t)?, holder),
        (None, None) => present_mdoc(&parsed, holder, disclose, at, bound, agent),
    }
}

/// Every element chosen is one of the license's (in any name space).
fn check_chosen(parsed: &IssuerSigned<'_>, disclose: Disclosure<'_>) -> Result<(), PresentError> {
    if let Disclosure::Elements(wanted) = disclose {
        for name in wanted {
            if !parsed.namespaces.iter().any(|(_, items)| items.iter().any(|i| i.element == *name)) {
                return Err(PresentError::ElementNotInLicense((*name).to_owned()));
            }
        }
    }
    Ok(())
}

/// Signs with random bytes of the key's signature length: sizes a code without the holder key.
struct SizingSigner(crate::crypto::PublicKey);

impl Signer for SizingSigner {
    fn algorithm(&self) -> crate::crypto::Algorithm {
        self.0.algorithm()
    }

    fn public_key(&self) -> &crate::crypto::PublicKey {
        &self.0
    }

    fn sign(&self, _: &[u8]) -> Result<Vec<u8>, crate::crypto::SignError> {
        let mut out = vec![0u8; self.0.algorithm().raw_signature_len()];
        getrandom::fill(&mut out).map_err(|_| crate::crypto::SignError::Rng)?;
        Ok(out)
    }
}

/// The mdoc-style form (ISO 18013-5 items and issuerAuth), which any license has: larger, for
/// verifiers that read mdoc structures.
pub fn present_mdoc_form(
    license: &[u8],
    holder: &dyn Signer,
    disclose: Disclosure<'_>,
    at: OffsetDateTime,
) -> Result<Vec<u8>, PresentError> {
    present_mdoc(&parse_issuer_signed(license)?, holder, disclose, at, None, false)
}

fn present_mdoc(
    parsed: &IssuerSigned<'_>,
    holder: &dyn Signer,
    disclose: Disclosure<'_>,
    at: OffsetDateTime,
    bound: Option<&[u8]>,
    agent: bool,
) -> Result<Vec<u8>, PresentError> {
    let mso = crate::license::mso_of(parsed)?;
    if mso.holder_key.as_ref() != Some(holder.public_key()) && !agent {
        return Err(PresentError::HolderKeyMismatch);
    }
    check_chosen(parsed, disclose)?;
    // The IssuerSigned with only the chosen items, each item and issuerAuth byte for byte.
    let chosen: Vec<(&str, Vec<&[u8]>)> = parsed
        .namespaces
        .iter()
        .map(|(ns, items)| {
            let raw = items
                .iter()
                .filter(|i| match disclose {
                    Disclosure::All => true,
                    Disclosure::Elements(wanted) => wanted.contains(&i.element.as_str()),
                })
                .map(|i| i.raw)
                .collect::<Vec<_>>();
            (ns.as_str(), raw)
        })
        .filter(|(_, raw)| !raw.is_empty())
        .collect();
    let mut issuer_signed = Vec::new();
    {
        let mut enc = Encoder::from(&mut issuer_signed);
        enc.push(Header::Map(Some(2))).map_err(encode_err)?;
        enc.text("nameSpaces", None).map_err(encode_err)?;
        enc.push(Header::Map(Some(chosen.len()))).map_err(encode_err)?;
    }
    for (ns, items) in &chosen {
        {
            let mut enc = Encoder::from(&mut issuer_signed);
            enc.text(ns, None).map_err(encode_err)?;
            enc.push(Header::Array(Some(items.len()))).map_err(encode_err)?;
        }
        for raw in items {
            issuer_signed.extend_from_slice(raw);
        }
    }
    Encoder::from(&mut issuer_signed).text("issuerAuth", None).map_err(encode_err)?;
    issuer_signed.extend_from_slice(parsed.issuer_auth_raw);

    let nonce = nonce_for(bound, NONCE_LEN)?;
    let created = at.unix_timestamp();
    let signature = holder.sign(&to_be_signed(&mso.doc_type, created, &nonce, &issuer_signed)?)?;

    let mut out = Vec::with_capacity(issuer_signed.len() + 160);
    let mut enc = Encoder::from(&mut out);
    enc.push(Header::Map(Some(6))).map_err(encode_err)?;
    enc.text("v", None).map_err(encode_err)?;
    enc.push(Header::Positive(1)).map_err(encode_err)?;
    enc.text("docType", None).map_err(encode_err)?;
    enc.text(&mso.doc_type, None).map_err(encode_err)?;
    enc.text("issuerSigned", None).map_err(encode_err)?;
    out.extend_from_slice(&issuer_signed);
    let mut enc = Encoder::from(&mut out);
    enc.text("created", None).map_err(encode_err)?;
    push_int(&mut enc, created)?;
    enc.text("nonce", None).map_err(encode_err)?;
    enc.bytes(&nonce, None).map_err(encode_err)?;
    enc.text("deviceSignature", None).map_err(encode_err)?;
    enc.bytes(&signature, None).map_err(encode_err)?;
    Ok(out)
}

/// The names of the pre-signed compact QR sets of a license, with their elements.
pub fn compact_sets(license: &[u8]) -> Result<Vec<(String, Vec<String>)>, PresentError> {
    let parsed = parse_issuer_signed(license)?;
    parsed
        .qr_sets
        .iter()
        .map(|(name, raw)| Ok((name.clone(), crate::license::compact_set_view(raw)?.0)))
        .collect()
}

fn compact_to_be_signed(compact: &[u8], created: i64, nonce: &[u8]) -> Result<Vec<u8>, PresentError> {
    let mut out = Vec::with_capacity(compact.len() + 48);
    let mut enc = Encoder::from(&mut out);
    enc.push(Header::Array(Some(4))).map_err(encode_err)?;
    enc.text(CONTEXT_COMPACT, None).map_err(encode_err)?;
    enc.bytes(compact, None).map_err(encode_err)?;
    push_int(&mut enc, created)?;
    enc.bytes(nonce, None).map_err(encode_err)?;
    Ok(out)
}

/// The compact profile: `{"v": 2, "c": compact claims (COSE_Sign1, inline), "t": created,
/// "n": nonce, "s": holder signature over ["YX1Compact", c, t, n]}`.
fn present_compact(
    compact: &[u8],
    holder: &dyn Signer,
    at: OffsetDateTime,
    bound: Option<&[u8]>,
) -> Result<Vec<u8>, PresentError> {
    let nonce = nonce_for(bound, NONCE_LEN)?;
    let created = at.unix_timestamp();
    let signature = holder.sign(&compact_to_be_signed(compact, created, &nonce)?)?;
    let mut out = Vec::with_capacity(compact.len() + 120);
    let mut enc = Encoder::from(&mut out);
    enc.push(Header::Map(Some(5))).map_err(encode_err)?;
    enc.text("v", None).map_err(encode_err)?;
    enc.push(Header::Positive(2)).map_err(encode_err)?;
    enc.text("c", None).map_err(encode_err)?;
    out.extend_from_slice(compact);
    let mut enc = Encoder::from(&mut out);
    enc.text("t", None).map_err(encode_err)?;
    push_int(&mut enc, created)?;
    enc.text("n", None).map_err(encode_err)?;
    enc.bytes(&nonce, None).map_err(encode_err)?;
    enc.text("s", None).map_err(encode_err)?;
    enc.bytes(&signature, None).map_err(encode_err)?;
    Ok(out)
}

/// A parsed compact presentation.
struct ParsedCompact<'a> {
    compact: &'a [u8],
    created: i64,
    nonce: &'a [u8],
    signature: &'a [u8],
}

fn parse_compact(bytes: &[u8]) -> Result<Option<ParsedCompact<'_>>, PresentError> {
    let mut w = Walker::new(bytes);
    let Ok(entries) = w.map() else { return Ok(None) };
    if entries == 0 || !matches!(w.text(), Ok("v")) || !matches!(w.header(), Ok(Header::Positive(2))) {
        return Ok(None);
    }
    let (mut compact, mut created, mut nonce, mut signature) = (None, None, None, None);
    for _ in 1..entries {
        match w.text()? {
            "c" if compact.is_none() => compact = Some(w.skip()?),
            "t" if created.is_none() => {
                created = Some(match w.header()? {
                    Header::Positive(n) => i64::try_from(n).map_err(|_| malformed("created"))?,
                    _ => return Err(malformed("created")),
                })
            }
            "n" if nonce.is_none() => nonce = Some(bytes_of(&mut w)?),
            "s" if signature.is_none() => signature = Some(bytes_of(&mut w)?),
            _ => return Err(malformed("unknown or duplicate key")),
        }
    }
    if !w.at_end() {
        return Err(malformed("trailing bytes"));
    }
    Ok(Some(ParsedCompact {
        compact: compact.ok_or_else(|| malformed("c"))?,
        created: created.ok_or_else(|| malformed("t"))?,
        nonce: nonce.ok_or_else(|| malformed("n"))?,
        signature: signature.ok_or_else(|| malformed("s"))?,
    }))
}

/// A parsed presentation, borrowing the input.
struct Parsed<'a> {
    doc_type: &'a str,
    issuer_signed_raw: &'a [u8],
    issuer_signed: IssuerSigned<'a>,
    created: i64,
    nonce: &'a [u8],
    signature: &'a [u8],
}

fn parse(bytes: &[u8]) -> Result<Parsed<'_>, PresentError> {
    if bytes.len() > MAX_PRESENTATION {
        return Err(malformed("too large"));
    }
    let mut w = Walker::new(bytes);
    let (mut version, mut doc_type, mut issuer, mut created, mut nonce, mut signature) =
        (None, None, None, None, None, None);
    for _ in 0..w.map()? {
        match w.text()? {
            "v" if version.is_none() => version = Some(w.header()?),
            "docType" if doc_type.is_none() => doc_type = Some(w.text()?),
            "issuerSigned" if issuer.is_none() => {
                let start = w.pos();
                let parsed = parse_issuer_signed_at(&mut w)?;
                issuer = Some((w.slice(start, w.pos())?, parsed));
            }
            "created" if created.is_none() => {
                created = Some(match w.header()? {
                    Header::Positive(n) => i64::try_from(n).map_err(|_| malformed("created"))?,
                    _ => return Err(malformed("created")),
                })
            }
            "nonce" if nonce.is_none() => nonce = Some(bytes_of(&mut w)?),
            "deviceSignature" if signature.is_none() => signature = Some(bytes_of(&mut w)?),
            _ => return Err(malformed("unknown or duplicate key")),
        }
    }
    if !w.at_end() {
        return Err(malformed("trailing bytes"));
    }
    if version != Some(Header::Positive(1)) {
        return Err(malformed("version"));
    }
    let (issuer_signed_raw, issuer_signed) = issuer.ok_or_else(|| malformed("issuerSigned"))?;
    Ok(Parsed {
        doc_type: doc_type.ok_or_else(|| malformed("docType"))?,
        issuer_signed_raw,
        issuer_signed,
        created: created.ok_or_else(|| malformed("created"))?,
        nonce: nonce.ok_or_else(|| malformed("nonce"))?,
        signature: signature.ok_or_else(|| malformed("deviceSignature"))?,
    })
}

fn bytes_of<'a>(w: &mut Walker<'a>) -> Result<&'a [u8], PresentError> {
    match w.header()? {
        Header::Bytes(Some(len)) => Ok(w.take(len)?),
        _ => Err(malformed("expected bytes")),
    }
}

/// A presentation that passed every check. Only [`PresentationVerifier`] makes these.
#[derive(Debug, Clone)]
pub struct VerifiedPresentation {
    license: VerifiedLicense,
    created: OffsetDateTime,
    age: Duration,
    request_bound: bool,
    agent: Option<Agent>,
}

/// The agent (经办人) who showed a legal entity's license, from a delegation the entity signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// The agent's name.
    pub name: String,
    /// The agent's resident identity number.
    pub id: String,
    /// The entity the agent acts for (its name as the delegation states it).
    pub entity: String,
    /// When the delegation ends.
    pub until: OffsetDateTime,
}

impl VerifiedPresentation {
    /// For a code an agent showed: who, for whom. `None` when the holder showed it.
    pub fn agent(&self) -> Option<&Agent> {
        self.agent.as_ref()
    }

    /// Whether the code answered this verifier's request (its nonce and key id), through
    /// [`PresentationVerifier::verify_for_request`].
    pub fn request_bound(&self) -> bool {
        self.request_bound
    }

    /// The disclosed part of the license, verified (elements, issuer chain, validity, status).
    pub fn license(&self) -> &VerifiedLicense {
        &self.license
    }

    /// When the holder made the presentation.
    pub fn created(&self) -> OffsetDateTime {
        self.created
    }

    /// How old the presentation was when verified.
    pub fn age(&self) -> Duration {
        self.age
    }
}

/// Verifies presentations: the license checks of [`LicenseVerifier`] (on the disclosed
/// elements), status against the lists given, the holder's signature with the key the issuer
/// bound to the license, the creation time within the window, and the nonce once only.
#[derive(Debug, Clone)]
pub struct PresentationVerifier {
    licenses: LicenseVerifier,
    lists: Arc<StatusListCache>,
    replay: Arc<ReplayGuard>,
    window: Duration,
    skew: Duration,
}

impl PresentationVerifier {
    /// A verifier with the default window (300 s) and skew (30 s), a fresh replay guard, and
    /// the status lists of `lists`.
    pub fn new(licenses: LicenseVerifier, lists: Arc<StatusListCache>) -> Self {
        Self {
            licenses,
            lists,
            replay: Arc::new(ReplayGuard::new(DEFAULT_WINDOW + DEFAULT_SKEW, super::DEFAULT_REPLAY_CAPACITY)),
            window: DEFAULT_WINDOW,
            skew: DEFAULT_SKEW,
        }
    }

    /// The same verifier with another freshness window (and a replay guard sized for it): more
    /// than zero and at most [`MAX_WINDOW`]; anything else is refused as
    /// [`PresentError::Window`].
    pub fn with_window(mut self, window: Duration) -> Result<Self, PresentError> {
        if window <= Duration::ZERO || window > MAX_WINDOW {
            return Err(PresentError::Window(window.whole_seconds()));
        }
        self.window = window;
        self.replay =
            Arc::new(ReplayGuard::new(self.window.saturating_add(self.skew), super::DEFAULT_REPLAY_CAPACITY));
        Ok(self)
    }

    /// The same verifier sharing `replay` (e.g. one guard for every counter of an office).
    pub fn with_replay_guard(mut self, replay: Arc<ReplayGuard>) -> Self {
        self.replay = replay;
        self
    }

    /// Verifies QR text.
    pub fn verify_qr(&self, text: &str, at: OffsetDateTime) -> Result<VerifiedPresentation, PresentError> {
        self.verify(&super::qr_text::decode(text)?, at)
    }

    /// Verifies a presentation at time `at`. The nonce is recorded only when every other check
    /// passed, so a forged copy cannot burn a genuine code.
    pub fn verify(&self, bytes: &[u8], at: OffsetDateTime) -> Result<VerifiedPresentation, PresentError> {
        self.verify_with(bytes, at, None)
    }

    /// Verifies a presentation that may answer this verifier's request `binding` (decision
    /// 0019): a code bound to it is accepted with [`VerifiedPresentation::request_bound`]; a
    /// code bound to any other request is refused; a plain code is verified as by
    /// [`PresentationVerifier::verify`].
    pub fn verify_for_request(
        &self,
        bytes: &[u8],
        at: OffsetDateTime,
        binding: &super::request::RequestBinding,
    ) -> Result<VerifiedPresentation, PresentError> {
        self.verify_with(bytes, at, Some(binding))
    }

    fn verify_with(
        &self,
        bytes: &[u8],
        at: OffsetDateTime,
        binding: Option<&super::request::RequestBinding>,
    ) -> Result<VerifiedPresentation, PresentError> {
        if bytes.len() > MAX_PRESENTATION {
            return Err(malformed("too large"));
        }
        match super::delegation::unwrap(bytes)? {
            Some((delegation, inner)) => self.verify_form(inner, at, binding, Some(delegation)),
            None => self.verify_form(bytes, at, binding, None),
        }
    }

    /// The key that must have signed the presentation: the license's holder key, or, for an
    /// agent's code, the agent key of a delegation the holder key signed, valid at `at`, naming
    /// this license and covering every disclosed element.
    fn signing_key(
        license: &VerifiedLicense,
        delegation: Option<&[u8]>,
        at: OffsetDateTime,
    ) -> Result<(crate::crypto::PublicKey, Option<Agent>), PresentError> {
        let Some(delegation) = delegation else { return Ok((license.holder_key().clone(), None)) };
        let terms = super::delegation::verify_delegation(delegation, license.holder_key())?;
        super::delegation::check_valid_at(&terms, at)?;
        if license.meta("license_identifier").and_then(|v| v.as_text()) != Some(terms.license.as_str()) {
            return Err(PresentError::DelegationInvalid(
                "it names another license (or the code does not show license_identifier)".into(),
            ));
        }
        for name in license.elements().values().flat_map(|m| m.keys()) {
            if !terms.elements.contains(name) {
                return Err(PresentError::DelegationScope(name.clone()));
            }
        }
        let agent =
            Agent { name: terms.agent_name, id: terms.agent_id, entity: terms.entity, until: terms.until };
        Ok((terms.agent_key, Some(agent)))
    }

    fn verify_form(
        &self,
        bytes: &[u8],
        at: OffsetDateTime,
        binding: Option<&super::request::RequestBinding>,
        delegation: Option<&[u8]>,
    ) -> Result<VerifiedPresentation, PresentError> {
        if let Some(c) = parse_compact(bytes)? {
            let license = self.licenses.verify_compact(c.compact, at)?;
            let license = self.licenses.apply_status(license, at, &self.lists)?;
            let tbs = compact_to_be_signed(c.compact, c.created, c.nonce)?;
            let (key, agent) = Self::signing_key(&license, delegation, at)?;
            key.verify(&tbs, c.signature).map_err(|_| PresentError::HolderSignatureInvalid)?;
            return self.finish(license, c.created, c.nonce, at, binding, agent);
        }
        if let Some(t) = super::tree_form::parse(bytes)? {
            self.learn_issuer(&t.license, at);
            let license = self.licenses.verify_tree(t.license, at)?;
            let license = self.licenses.apply_status(license, at, &self.lists)?;
            let (key, agent) = Self::signing_key(&license, delegation, at)?;
            key.verify(&super::tree_form::to_be_signed(t.signed_part)?, t.signature)
                .map_err(|_| PresentError::HolderSignatureInvalid)?;
            return self.finish(license, t.created, t.nonce, at, binding, agent);
        }
        let p = parse(bytes)?;
        let license = self.licenses.verify_disclosed(p.issuer_signed, at)?;
        if license.doc_type() != p.doc_type {
            return Err(PresentError::DocType);
        }
        let license = self.licenses.apply_status(license, at, &self.lists)?;
        let tbs = to_be_signed(p.doc_type, p.created, p.nonce, p.issuer_signed_raw)?;
        let (key, agent) = Self::signing_key(&license, delegation, at)?;
        key.verify(&tbs, p.signature).map_err(|_| PresentError::HolderSignatureInvalid)?;
        self.finish(license, p.created, p.nonce, at, binding, agent)
    }

    /// When the code names an issuer key the trust store does not know, learns its
    /// certificate from the status list the code names, if that list (verified under the trust
    /// store like any other) was signed with that key. Nothing of the code is trusted here: the
    /// code is then verified in full.
    fn learn_issuer(&self, d: &crate::license::tree::verify::Disclosed<'_>, at: OffsetDateTime) {
        let trust = self.licenses.trust();
        if trust.issuer_by_key_id(&d.kid).is_some() {
            return;
        }
        let Ok(header) = crate::license::tree::Header::decode(d.header) else { return };
        let Some(status) = header.status else { return };
        if let Some(cert) = self.lists.signer_with_key(&status.uri, &d.kid, at) {
            if trust.verify_chain(std::slice::from_ref(&cert), at).is_ok() {
                trust.add_issuer(cert);
            }
        }
    }

    /// The checks after the signatures: freshness, then the nonce (recorded last).
    fn finish(
        &self,
        license: VerifiedLicense,
        created: i64,
        nonce: &[u8],
        at: OffsetDateTime,
        binding: Option<&super::request::RequestBinding>,
        agent: Option<Agent>,
    ) -> Result<VerifiedPresentation, PresentError> {
        let created = OffsetDateTime::from_unix_timestamp(created).map_err(|_| malformed("created"))?;
        // A bound nonce (longer than any random one) answers one verifier's request.
        let request_bound = nonce.len() == super::request::BOUND_NONCE_LEN;
        if request_bound {
            match binding {
                None => return Err(PresentError::RequestBound),
                Some(b) if b.bound_nonce().as_slice() != nonce => return Err(PresentError::RequestMismatch),
                Some(_) => {}
            }
        }
        if created > at.saturating_add(self.skew) {
            return Err(PresentError::Future);
        }
        let age = at - created;
        if age > self.window.saturating_add(self.skew) {
            return Err(PresentError::Expired);
        }
        self.replay.check_and_record(nonce, created, at)?;
        Ok(VerifiedPresentation { license, created, age, request_bound, agent })
    }
}
