//! The holder's public key as a COSE_Key (RFC 9052), for deviceKeyInfo.

use coset::{CoseKey, KeyType, Label, iana};

use crate::crypto::{Algorithm, COSE_ALG_SM2_SM3, PublicKey};

/// The COSE_Key `crv` value yinxin uses for the SM2 curve: no IANA value exists, so it takes the
/// same private-use value as the SM2 signature algorithm (docs/decisions/0002).
pub const COSE_CRV_SM2: i64 = COSE_ALG_SM2_SM3;

const CRV: i64 = -1;
const X: i64 = -2;
const Y: i64 = -3;

/// Encodes a public key as a COSE_Key: OKP/Ed25519, EC2/P-256, EC2/P-384, EC2/SM2.
pub(crate) fn to_cose_key(key: &PublicKey) -> CoseKey {
    let raw = key.to_raw();
    let int = |i: i64| ciborium::Value::from(i);
    let (kty, params) = match key.algorithm() {
        Algorithm::Ed25519 => (
            iana::KeyType::OKP,
            vec![(CRV, int(iana::EllipticCurve::Ed25519 as i64)), (X, ciborium::Value::Bytes(raw))],
        ),
        alg @ (Algorithm::Es256 | Algorithm::Sm2Sm3 | Algorithm::Es384) => {
            // Uncompressed SEC1: 04 ‖ x ‖ y.
            let (x, y) = raw.get(1..).unwrap_or_default().split_at(raw.len().saturating_sub(1) / 2);
            let crv = match alg {
                Algorithm::Es256 => iana::EllipticCurve::P_256 as i64,
                Algorithm::Es384 => iana::EllipticCurve::P_384 as i64,
                _ => COSE_CRV_SM2,
            };
            (
                iana::KeyType::EC2,
                vec![
                    (CRV, int(crv)),
                    (X, ciborium::Value::Bytes(x.to_vec())),
                    (Y, ciborium::Value::Bytes(y.to_vec())),
                ],
            )
        }
    };
    CoseKey {
        kty: KeyType::Assigned(kty),
        params: params.into_iter().map(|(l, v)| (Label::Int(l), v)).collect(),
        ..CoseKey::default()
    }
}

fn param(key: &CoseKey, label: i64) -> Option<&ciborium::Value> {
    key.params.iter().find(|(l, _)| *l == Label::Int(label)).map(|(_, v)| v)
}

/// Decodes a COSE_Key into a public key; `None` for unsupported or malformed keys.
pub(crate) fn from_cose_key(key: &CoseKey) -> Option<PublicKey> {
    let crv = param(key, CRV).and_then(|v| v.as_integer()).and_then(|i| i64::try_from(i).ok())?;
    let x = param(key, X)?.as_bytes()?;
    match (&key.kty, crv) {
        (KeyType::Assigned(iana::KeyType::OKP), c) if c == iana::EllipticCurve::Ed25519 as i64 => {
            PublicKey::from_raw(Algorithm::Ed25519, x).ok()
        }
        (KeyType::Assigned(iana::KeyType::EC2), c) => {
            let (alg, len) = if c == iana::EllipticCurve::P_256 as i64 {
                (Algorithm::Es256, 32)
            } else if c == iana::EllipticCurve::P_384 as i64 {
                (Algorithm::Es384, 48)
            } else if c == COSE_CRV_SM2 {
                (Algorithm::Sm2Sm3, 32)
            } else {
                return None;
            };
            let y = param(key, Y)?.as_bytes()?;
            if x.len() != len || y.len() != len {
                return None;
            }
            let mut sec1 = Vec::with_capacity(2 * len + 1);
            sec1.push(4);
            sec1.extend_from_slice(x);
            sec1.extend_from_slice(y);
            PublicKey::from_raw(alg, &sec1).ok()
        }
        _ => None,
    }
}
