//! The signed Status List Token (CWT, COSE_Sign1 tag 18).

use ciborium::Value;
use coset::TaggedCborSerializable as _;
use time::OffsetDateTime;

use super::{STATUS_LIST_CWT_TYPE, StatusError, StatusList};
use crate::cose::build::{self, Headers};
use crate::cose::cbor::decode_value;
use crate::cose::sign1::{Sign1, parse as parse_sign1};
use crate::crypto::{AlgorithmPolicy, PublicKey, Signer, Verifier as _};
use crate::trust::{Certificate, TrustStore};

/// CWT claim keys (RFC 8392 and the draft).
const SUB: i64 = 2;
const EXP: i64 = 4;
const IAT: i64 = 6;
const TTL: i64 = 65534;
const STATUS_LIST: i64 = 65533;
/// Tokens larger than this are refused before parsing (a 2^24-entry 8-bit list of random
/// values compresses to about 16 MiB, which no deployment publishes; 4 MiB leaves room for
/// 2^24 2-bit entries with 10 % set).
pub const MAX_TOKEN_SIZE: usize = 4 << 20;
/// How far in the future a token's `iat` may be, for a verifier whose clock lags the issuer's:
/// the same tolerance licenses get (`license::DEFAULT_CLOCK_SKEW`).
pub(crate) const IAT_SKEW: time::Duration = time::Duration::minutes(5);

/// The claims of a Status List Token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenClaims {
    /// `sub`: the URI the list is published at (what credentials reference).
    pub sub: String,
    /// `iat`: when the list was signed.
    pub iat: OffsetDateTime,
    /// `exp`: after this the list must not be used.
    pub exp: Option<OffsetDateTime>,
    /// `ttl`: seconds a verifier may keep the list before fetching it again.
    pub ttl: Option<u64>,
}

/// A Status List Token whose signature and times were checked.
#[derive(Debug, Clone)]
pub struct VerifiedStatusList {
    claims: TokenClaims,
    list: StatusList,
    signer: Option<Certificate>,
}

impl VerifiedStatusList {
    /// The claims.
    pub fn claims(&self) -> &TokenClaims {
        &self.claims
    }

    /// The list.
    pub fn list(&self) -> &StatusList {
        &self.list
    }

    /// The signer's certificate, when verified through a trust store.
    pub fn signer(&self) -> Option<&Certificate> {
        self.signer.as_ref()
    }
}

/// Making and checking Status List Tokens.
#[derive(Debug, Clone, Copy)]
pub struct StatusListToken;

fn unix(t: OffsetDateTime) -> Value {
    Value::from(t.unix_timestamp())
}

fn malformed(what: &str) -> StatusError {
    StatusError::Malformed(what.to_owned())
}

impl StatusListToken {
    /// Signs `list` as a Status List CWT. `chain` (leaf first) goes in `x5chain` so verifiers
    /// can check the signer against their trust store.
    pub fn sign(
        list: &StatusList,
        claims: &TokenClaims,
        signer: &dyn Signer,
        chain: &[Certificate],
    ) -> Result<Vec<u8>, StatusError> {
        let mut payload =
            vec![(Value::from(SUB), Value::Text(claims.sub.clone())), (Value::from(IAT), unix(claims.iat))];
        if let Some(exp) = claims.exp {
            payload.push((Value::from(EXP), unix(exp)));
        }
        if let Some(ttl) = claims.ttl {
            payload.push((Value::from(TTL), Value::from(ttl)));
        }
        payload.push((Value::from(STATUS_LIST), list.to_cbor_value()?));
        let payload = crate::cose::cbor::encode_value(&Value::Map(payload)).map_err(StatusError::Encode)?;
        let x5chain: Vec<&[u8]> = chain.iter().map(Certificate::der).collect();
        let headers = Headers { typ: Some(STATUS_LIST_CWT_TYPE), kid: None, x5chain: &x5chain };
        let sign1 = build::sign1(signer, headers, payload).map_err(|e| StatusError::Encode(e.to_string()))?;
        sign1.to_tagged_vec().map_err(|e| StatusError::Encode(e.to_string()))
    }

    fn parse(bytes: &[u8]) -> Result<Sign1<'_>, StatusError> {
        if bytes.len() > MAX_TOKEN_SIZE {
            return Err(StatusError::TooLarge(bytes.len()));
        }
        Ok(parse_sign1(bytes)?)
    }

    /// The protected `typ` the draft requires, checked before anything else is believed.
    fn check_type(sign1: &Sign1<'_>) -> Result<(), StatusError> {
        if sign1.typ == Some(STATUS_LIST_CWT_TYPE) {
            Ok(())
        } else {
            Err(StatusError::Type(sign1.typ.map(str::to_owned)))
        }
    }

    fn claims_and_list(sign1: &Sign1<'_>) -> Result<(TokenClaims, StatusList), StatusError> {
        let payload = sign1.payload;
        let value = decode_value(payload).map_err(|e| StatusError::Malformed(e.to_string()))?;
        let map = value.as_map().ok_or_else(|| malformed("claims are not a map"))?;
        let get = |k: i64| map.iter().find(|(key, _)| key.as_integer() == Some(k.into())).map(|(_, v)| v);
        let time = |k: i64, name: &str| -> Result<Option<OffsetDateTime>, StatusError> {
            match get(k) {
                None => Ok(None),
                Some(v) => {
                    let secs =
                        v.as_integer().and_then(|i| i64::try_from(i).ok()).ok_or_else(|| malformed(name))?;
                    OffsetDateTime::from_unix_timestamp(secs).map(Some).map_err(|_| malformed(name))
                }
            }
        };
        let claims = TokenClaims {
            sub: get(SUB).and_then(Value::as_text).ok_or_else(|| malformed("sub"))?.to_owned(),
            iat: time(IAT, "iat")?.ok_or_else(|| malformed("iat"))?,
            exp: time(EXP, "exp")?,
            ttl: match get(TTL) {
                None => None,
                Some(v) => {
                    Some(v.as_integer().and_then(|i| u64::try_from(i).ok()).ok_or_else(|| malformed("ttl"))?)
                }
            },
        };
        let list_value = get(STATUS_LIST).ok_or_else(|| malformed("status_list"))?;
        let list = StatusList::from_cbor_value(list_value, super::MAX_ENTRIES)?;
        Ok((claims, list))
    }

    fn check_signature(
        sign1: &Sign1<'_>,
        key: &PublicKey,
        policy: AlgorithmPolicy,
    ) -> Result<(), StatusError> {
        let alg = sign1.algorithm().map_err(|_| StatusError::Algorithm)?;
        if alg != key.algorithm() || !policy.allows(alg) {
            return Err(StatusError::Algorithm);
        }
        let tbs = sign1.sig_structure().map_err(|e| StatusError::Malformed(e.to_string()))?;
        key.verify(&tbs, sign1.signature).map_err(|_| StatusError::SignatureInvalid)
    }

    fn check_times(claims: &TokenClaims, at: OffsetDateTime) -> Result<(), StatusError> {
        if claims.iat > at.saturating_add(IAT_SKEW) {
            return Err(StatusError::NotYetValid);
        }
        if claims.exp.is_some_and(|exp| at > exp) {
            return Err(StatusError::Expired);
        }
        Ok(())
    }

    /// Verifies a token signed by `key` (e.g. the draft's example key), at time `at`.
    pub fn verify_with_key(
        bytes: &[u8],
        key: &PublicKey,
        policy: AlgorithmPolicy,
        at: OffsetDateTime,
    ) -> Result<VerifiedStatusList, StatusError> {
        let sign1 = Self::parse(bytes)?;
        Self::check_type(&sign1)?;
        Self::check_signature(&sign1, key, policy)?;
        let (claims, list) = Self::claims_and_list(&sign1)?;
        Self::check_times(&claims, at)?;
        Ok(VerifiedStatusList { claims, list, signer: None })
    }

    /// Verifies a token whose signer certificate chain (x5chain) leads to `trust`, at `at`.
    pub fn verify_with_trust(
        bytes: &[u8],
        trust: &TrustStore,
        at: OffsetDateTime,
    ) -> Result<VerifiedStatusList, StatusError> {
        let sign1 = Self::parse(bytes)?;
        Self::check_type(&sign1)?;
        if sign1.x5chain.is_empty() {
            return Err(malformed("no x5chain"));
        }
        let chain = crate::trust::certificates_of(&sign1.x5chain, Some(trust))
            .map_err(|e| StatusError::Malformed(e.to_string()))?;
        let verified = trust.verify_chain(&chain, at).map_err(StatusError::Chain)?;
        Self::check_signature(&sign1, verified.leaf().public_key(), trust.policy())?;
        let (claims, list) = Self::claims_and_list(&sign1)?;
        Self::check_times(&claims, at)?;
        Ok(VerifiedStatusList { claims, list, signer: Some(verified.leaf().clone()) })
    }

    /// Reads a token **without checking its signature or times**, for display.
    pub fn read_unverified(bytes: &[u8]) -> Result<(TokenClaims, StatusList), StatusError> {
        Self::claims_and_list(&Self::parse(bytes)?)
    }
}
