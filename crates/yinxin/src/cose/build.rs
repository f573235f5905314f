//! COSE_Sign1 as yinxin signs it, built with coset: `alg` (protected, from the signer, never
//! chosen separately), an optional protected `typ`, and `kid` or `x5chain` unprotected.

use ciborium::Value;
use coset::{CoseSign1, CoseSign1Builder, HeaderBuilder};

use crate::crypto::{Algorithm, SignError, Signer};

/// The `typ` header label (RFC 9596).
pub(crate) const TYP: i64 = 16;
/// The `x5chain` header label (RFC 9360).
pub(crate) const X5CHAIN: i64 = 33;

/// The COSE algorithm header value of a yinxin algorithm (SM2: decision 0002).
pub(crate) fn algorithm_header(alg: Algorithm) -> coset::Algorithm {
    match alg {
        Algorithm::Ed25519 => coset::Algorithm::Assigned(coset::iana::Algorithm::EdDSA),
        Algorithm::Es256 => coset::Algorithm::Assigned(coset::iana::Algorithm::ES256),
        Algorithm::Sm2Sm3 => coset::Algorithm::PrivateUse(alg.cose_value()),
        Algorithm::Es384 => coset::Algorithm::Assigned(coset::iana::Algorithm::ES384),
    }
}

/// The headers of a COSE_Sign1 besides `alg`.
#[derive(Debug, Default)]
pub(crate) struct Headers<'a> {
    /// Protected `typ`.
    pub typ: Option<&'a str>,
    /// Unprotected `kid`.
    pub kid: Option<Vec<u8>>,
    /// Unprotected `x5chain`, leaf first (one certificate is written as a bstr).
    pub x5chain: &'a [&'a [u8]],
}

/// Signs `payload` with `signer` under `headers` (empty external AAD).
pub(crate) fn sign1(
    signer: &dyn Signer,
    headers: Headers<'_>,
    payload: Vec<u8>,
) -> Result<CoseSign1, SignError> {
    sign1_with_aad(signer, headers, payload, b"")
}

/// Signs `payload` with `signer` under `headers` and external AAD `aad` (RFC 9052 §4.3), which
/// the verifier must supply itself.
pub(crate) fn sign1_with_aad(
    signer: &dyn Signer,
    headers: Headers<'_>,
    payload: Vec<u8>,
    aad: &[u8],
) -> Result<CoseSign1, SignError> {
    let mut protected = HeaderBuilder::new();
    if let Some(typ) = headers.typ {
        protected = protected.value(TYP, Value::Text(typ.to_owned()));
    }
    let mut protected = protected.build();
    protected.alg = Some(algorithm_header(signer.algorithm()));
    let mut unprotected = HeaderBuilder::new();
    if let Some(kid) = headers.kid {
        unprotected = unprotected.key_id(kid);
    }
    match headers.x5chain {
        [] => {}
        [one] => unprotected = unprotected.value(X5CHAIN, Value::Bytes(one.to_vec())),
        many => {
            unprotected = unprotected
                .value(X5CHAIN, Value::Array(many.iter().map(|c| Value::Bytes(c.to_vec())).collect()));
        }
    }
    Ok(CoseSign1Builder::new()
        .protected(protected)
        .unprotected(unprotected.build())
        .payload(payload)
        .try_create_signature(aad, |tbs| signer.sign(tbs))?
        .build())
}
