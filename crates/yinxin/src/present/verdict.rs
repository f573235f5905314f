//! The JSON verdict on a presentation, as `yinxin verify --json` prints it and
//! `POST /v1/verify` answers it: one shape for every consumer.
//!
//! Valid: `{"valid": true, "verdict": "VALID", "doc_type", "status", "issuer": {"name",
//! "code"}, "trust_list", "disclosed": {element: value}, "created", "age_s", "request_bound",
//! "agent", "on_behalf_of"}`. Invalid: `{"valid": false, "verdict": "INVALID", "error":
//! <code>, "message", "status"}`. `status` is valid, revoked, suspended, unknown or null (no
//! status reference); dates in `disclosed` are `YYYY-MM-DD`, times are Unix seconds.

use serde_json::{Value, json};

use super::{PresentError, VerifiedPresentation};
use crate::ErrorCode as _;

/// The verdict of a verification, as JSON.
pub fn to_json(result: &Result<VerifiedPresentation, PresentError>) -> Value {
    match result {
        Ok(v) => valid(v),
        Err(e) => invalid(e),
    }
}

fn valid(v: &VerifiedPresentation) -> Value {
    let license = v.license();
    let disclosed: serde_json::Map<String, Value> = license
        .elements()
        .values()
        .flat_map(|items| items.iter().map(|(k, val)| (k.clone(), val.to_json())))
        .collect();
    let leaf = license.chain().leaf();
    json!({
        "valid": true,
        "verdict": "VALID",
        "doc_type": license.doc_type(),
        "status": license.status_outcome().map(crate::status::StatusOutcome::name),
        "issuer": {
            "name": leaf.common_name(),
            "code": leaf.party().map(|p| p.code().to_owned()),
        },
        "trust_list": trust_list_json(license.chain()),
        "disclosed": disclosed,
        "created": v.created().unix_timestamp(),
        "age_s": v.age().whole_seconds(),
        "request_bound": v.request_bound(),
        "agent": v.agent().map(|a| json!({"name": a.name, "id": a.id})),
        "on_behalf_of": v.agent().map(|a| a.entity.clone()),
    })
}

fn invalid(e: &PresentError) -> Value {
    json!({
        "valid": false,
        "verdict": "INVALID",
        "error": e.code(),
        "message": e.to_string(),
        "status": e.status_name(),
    })
}

/// The trust list an issuer was trusted through: `{"provider", "region", "next_update"}`, or
/// null for a configured anchor.
pub fn trust_list_json(chain: &crate::trust::VerifiedChain) -> Value {
    chain.scope().map_or(Value::Null, |s| {
        json!({
            "provider": s.provider,
            "region": s.region,
            "next_update": s.next_update.map(crate::text::rfc3339),
        })
    })
}
