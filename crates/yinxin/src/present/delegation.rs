//! Delegations to agents (经办人) of a legal entity (issue 19): the entity (the holder key of its
//! license) signs that an employee's device key may show these elements of this license until
//! a date; the agent's presentation carries the delegation.
//!
//! A delegation is a COSE_Sign1 (`typ` `application/yinxin-delegation+cose`) by the entity's
//! holder key over `{"v": 1, "license": identifier, "entity": the entity's name, "elements":
//! [tstr…], "agent_key": SubjectPublicKeyInfo DER, "agent_name": tstr, "agent_id": resident ID
//! number, "from": int, "until": int}`.
//!
//! An agent's code is `[5, delegation, presentation]`: the presentation is made as the holder's
//! would be, signed by the agent's key, and always discloses `license_identifier`. A verifier
//! checks the license as for any code, then that the license's own holder key signed the
//! delegation, that it names this license, that it is valid now, that every disclosed element is
//! within it, and that the agent's key signed the presentation. Stripping the wrapper leaves a
//! code signed by a key that is not the license's: refused.

use ciborium::Value;
use time::OffsetDateTime;

use super::PresentError;
use crate::cose::build::{Headers, sign1};
use crate::cose::cbor::{decode_value, encode_value};
use crate::crypto::{PublicKey, Signer, Verifier as _};
use crate::id::ResidentId;

const VERSION: u64 = 1;
const TYP: &str = "application/yinxin-delegation+cose";
/// The first item of an agent's code.
pub(crate) const AGENT_FORM: u64 = 5;
/// The largest delegation accepted.
pub const MAX_DELEGATION: usize = 8 * 1024;

/// What the entity grants its agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegationTerms {
    /// The license identifier.
    pub license: String,
    /// The entity's name (the license's holder).
    pub entity: String,
    /// The elements the agent may show (`license_identifier` is always added).
    pub elements: Vec<String>,
    /// The agent's device key.
    pub agent_key: PublicKey,
    /// The agent's name.
    pub agent_name: String,
    /// The agent's resident identity number (GB 11643).
    pub agent_id: String,
    /// From when.
    pub from: OffsetDateTime,
    /// Until when.
    pub until: OffsetDateTime,
}

fn bad(what: impl Into<String>) -> PresentError {
    PresentError::DelegationInvalid(what.into())
}

impl DelegationTerms {
    fn encode(&self) -> Result<Vec<u8>, PresentError> {
        let mut elements = self.elements.clone();
        if !elements.iter().any(|e| e == "license_identifier") {
            elements.push("license_identifier".into());
        }
        encode_value(&Value::Map(vec![
            (Value::from("v"), Value::from(VERSION)),
            (Value::from("license"), Value::from(self.license.as_str())),
            (Value::from("entity"), Value::from(self.entity.as_str())),
            (
                Value::from("elements"),
                Value::Array(elements.iter().map(|e| Value::from(e.as_str())).collect()),
            ),
            (
                Value::from("agent_key"),
                Value::Bytes(self.agent_key.to_spki_der().map_err(|e| bad(e.to_string()))?),
            ),
            (Value::from("agent_name"), Value::from(self.agent_name.as_str())),
            (Value::from("agent_id"), Value::from(self.agent_id.as_str())),
            (Value::from("from"), Value::from(self.from.unix_timestamp())),
            (Value::from("until"), Value::from(self.until.unix_timestamp())),
        ]))
        .map_err(|e| bad(e.to_string()))
    }

    fn decode(bytes: &[u8]) -> Result<Self, PresentError> {
        let v = decode_value(bytes).map_err(|e| bad(e.to_string()))?;
        let m = v.as_map().ok_or_else(|| bad("not a map"))?;
        let get = |k: &str| m.iter().find(|(key, _)| key.as_text() == Some(k)).map(|(_, v)| v);
        let text = |k: &str| get(k).and_then(Value::as_text).map(str::to_owned).ok_or_else(|| bad(k));
        let time = |k: &str| {
            get(k)
                .and_then(Value::as_integer)
                .and_then(|i| i64::try_from(i).ok())
                .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
                .ok_or_else(|| bad(k))
        };
        if m.len() != 9
            || get("v").and_then(Value::as_integer).and_then(|i| u64::try_from(i).ok()) != Some(VERSION)
        {
            return Err(bad("not a delegation of a version this one reads"));
        }
        let elements = get("elements")
            .and_then(Value::as_array)
            .and_then(|a| a.iter().map(|e| e.as_text().map(str::to_owned)).collect::<Option<Vec<_>>>())
            .filter(|e| !e.is_empty() && e.len() <= 256)
            .ok_or_else(|| bad("elements"))?;
        let agent_key = PublicKey::from_spki_der(
            get("agent_key").and_then(Value::as_bytes).ok_or_else(|| bad("agent_key"))?,
        )
        .map_err(|e| bad(format!("agent_key: {e}")))?;
        let terms = Self {
            license: text("license")?,
            entity: text("entity")?,
            elements,
            agent_key,
            agent_name: text("agent_name")?,
            agent_id: text("agent_id")?,
            from: time("from")?,
            until: time("until")?,
        };
        terms.check()?;
        Ok(terms)
    }

    fn check(&self) -> Result<(), PresentError> {
        ResidentId::parse(&self.agent_id).map_err(|e| bad(format!("agent_id: {e}")))?;
        if self.agent_name.trim().is_empty() || self.entity.trim().is_empty() {
            return Err(bad("the agent's and the entity's names are required"));
        }
        if self.until <= self.from {
            return Err(bad("until is not after from"));
        }
        Ok(())
    }
}

/// The entity signs `terms` with its license's holder key.
pub fn sign_delegation(entity: &dyn Signer, terms: &DelegationTerms) -> Result<Vec<u8>, PresentError> {
    terms.check()?;
    let headers = Headers { typ: Some(TYP), kid: None, x5chain: &[] };
    let signed = sign1(entity, headers, terms.encode()?)?;
    coset::CborSerializable::to_vec(signed).map_err(|e| bad(e.to_string()))
}

/// The terms of a delegation if `entity_key` signed it (any time: see [`check_valid_at`]).
pub fn verify_delegation(bytes: &[u8], entity_key: &PublicKey) -> Result<DelegationTerms, PresentError> {
    if bytes.len() > MAX_DELEGATION {
        return Err(bad("too large"));
    }
    let sign1 = crate::cose::sign1::parse(bytes).map_err(|e| bad(e.to_string()))?;
    if sign1.typ != Some(TYP) {
        return Err(bad("not a delegation (typ)"));
    }
    let alg = sign1.algorithm().map_err(|_| bad("algorithm"))?;
    if alg != entity_key.algorithm() {
        return Err(bad("signed with another algorithm than the license's holder key"));
    }
    let tbs = sign1.sig_structure().map_err(|e| bad(e.to_string()))?;
    entity_key
        .verify(&tbs, sign1.signature)
        .map_err(|_| bad("not signed by the license's holder (a foreign delegation)"))?;
    DelegationTerms::decode(sign1.payload)
}

/// The terms without checking who signed them (for the agent's wallet, which checks the
/// signature against the license when it imports both).
pub fn read_delegation(bytes: &[u8]) -> Result<DelegationTerms, PresentError> {
    if bytes.len() > MAX_DELEGATION {
        return Err(bad("too large"));
    }
    DelegationTerms::decode(crate::cose::sign1::parse(bytes).map_err(|e| bad(e.to_string()))?.payload)
}

/// Refuses terms outside their period at `at`.
pub fn check_valid_at(terms: &DelegationTerms, at: OffsetDateTime) -> Result<(), PresentError> {
    if at < terms.from || at > terms.until {
        return Err(PresentError::DelegationExpired(crate::text::rfc3339(terms.until)));
    }
    Ok(())
}

/// `[5, delegation, presentation]`.
pub(crate) fn wrap(delegation: &[u8], presentation: &[u8]) -> Result<Vec<u8>, PresentError> {
    encode_value(&Value::Array(vec![
        Value::from(AGENT_FORM),
        Value::Bytes(delegation.to_vec()),
        Value::Bytes(presentation.to_vec()),
    ]))
    .map_err(|e| bad(e.to_string()))
}

/// An agent's code taken apart: the delegation and the presentation, as bytes of the code.
pub(crate) type AgentParts<'a> = (&'a [u8], &'a [u8]);

/// `(delegation, presentation)` of an agent's code; `None` when `bytes` is not one.
pub(crate) fn unwrap(bytes: &[u8]) -> Result<Option<AgentParts<'_>>, PresentError> {
    use ciborium_ll::Header;
    let mut w = crate::cose::cbor::Walker::new(bytes);
    let Ok(3) = w.array() else { return Ok(None) };
    if !matches!(w.header(), Ok(Header::Positive(AGENT_FORM))) {
        return Ok(None);
    }
    let mut bstr = |what: &str| match w.header() {
        Ok(Header::Bytes(Some(len))) => w.take(len).map_err(|_| bad(what.to_owned())),
        _ => Err(bad(what.to_owned())),
    };
    let delegation = bstr("delegation")?;
    let presentation = bstr("presentation")?;
    if !w.at_end() {
        return Err(bad("trailing bytes"));
    }
    Ok(Some((delegation, presentation)))
}
