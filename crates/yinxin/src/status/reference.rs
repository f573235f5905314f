//! The status reference a credential carries (draft-ietf-oauth-status-list: `status_list` with
//! `idx` and `uri`), naming its entry in the issuer's Token Status List.

use ciborium::Value;

use crate::cose::cbor::map_get;

/// Where a credential's revocation and suspension status is published.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct StatusReference {
    /// The index of the credential's entry in the list.
    pub index: u64,
    /// The URI the Status List Token is published at.
    pub uri: String,
}

impl StatusReference {
    /// `{"status_list": {"idx": index, "uri": uri}}`.
    pub(crate) fn to_cbor(&self) -> Value {
        Value::Map(vec![(
            Value::Text("status_list".into()),
            Value::Map(vec![
                (Value::Text("idx".into()), Value::from(self.index)),
                (Value::Text("uri".into()), Value::Text(self.uri.clone())),
            ]),
        )])
    }

    pub(crate) fn from_cbor(value: &Value) -> Option<Self> {
        let list = map_get(value.as_map()?, "status_list")?.as_map()?;
        let index = u64::try_from(map_get(list, "idx")?.as_integer()?).ok()?;
        let uri = map_get(list, "uri")?.as_text()?.to_owned();
        Some(Self { index, uri })
    }
}
