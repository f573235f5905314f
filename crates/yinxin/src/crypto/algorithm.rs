//! The one table of algorithm identifiers: names, COSE values and X.509 OIDs.

use std::fmt;
use std::str::FromStr;

use der::asn1::ObjectIdentifier as Oid;

/// The COSE algorithm value yinxin uses for SM2 signatures with SM3 (GB/T 32918, distinguishing
/// ID per key).
///
/// IANA has registered no COSE value for SM2. COSE reserves values below -65536 for private use;
/// yinxin takes -65536 - 156 (156 being China's ISO 3166 numeric code), so that the value is easy
/// to recognise and unlikely to clash with other private-use experiments. See
/// `docs/decisions/0002-sm2-cose-algorithm-value.md`.
pub const COSE_ALG_SM2_SM3: i64 = -65692;
// COSE private use is "less than -65536" (RFC 9053 §11.1); coset refuses anything else.
const _: () = assert!(COSE_ALG_SM2_SM3 < -65536);

/// Object identifiers used by the algorithm table.
pub mod oids {
    use der::asn1::ObjectIdentifier as Oid;

    /// Ed25519 (RFC 8410): both the key and the signature algorithm.
    pub const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
    /// id-ecPublicKey (RFC 5480).
    pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    /// The P-256 curve (prime256v1 / secp256r1).
    pub const PRIME256V1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    /// ecdsa-with-SHA256.
    pub const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
    /// The P-384 curve (secp384r1).
    pub const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");
    /// ecdsa-with-SHA384.
    pub const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
    /// The P-521 curve (secp521r1): recognised to name it, not supported.
    pub const SECP521R1: Oid = Oid::new_unwrap("1.3.132.0.35");
    /// The SM2 curve (sm2p256v1), also used by some systems as the key algorithm itself.
    pub const SM2_CURVE: Oid = Oid::new_unwrap("1.2.156.10197.1.301");
    /// SM2 signature (sm2-1), seen in some GB/T 38540 implementations.
    pub const SM2_SIGN: Oid = Oid::new_unwrap("1.2.156.10197.1.301.1");
    /// SM3withSM2, the X.509 signature algorithm of Chinese government PKI.
    pub const SM3_WITH_SM2: Oid = Oid::new_unwrap("1.2.156.10197.1.501");
    /// SHA-256.
    pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    /// SM3.
    pub const SM3: Oid = Oid::new_unwrap("1.2.156.10197.1.401");
}

/// A signature algorithm yinxin can sign and verify with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Algorithm {
    /// Ed25519 (RFC 8032), COSE `EdDSA` (-8).
    Ed25519,
    /// ECDSA over P-256 with SHA-256, COSE `ES256` (-7).
    Es256,
    /// SM2 with SM3 (GB/T 32918), COSE [`COSE_ALG_SM2_SM3`].
    Sm2Sm3,
    /// ECDSA over P-384 with SHA-384, COSE `ES384` (-35): what many foreign issuing authorities
    /// and trust lists use.
    Es384,
}

/// One row of the table.
struct Row {
    alg: Algorithm,
    name: &'static str,
    cose: i64,
    signature_oid: Oid,
    key_oid: Oid,
    curve_oid: Option<Oid>,
    digest: Option<DigestAlgorithm>,
}

const TABLE: [Row; 4] = [
    Row {
        alg: Algorithm::Ed25519,
        name: "ed25519",
        cose: -8,
        signature_oid: oids::ED25519,
        key_oid: oids::ED25519,
        curve_oid: None,
        digest: None,
    },
    Row {
        alg: Algorithm::Es256,
        name: "es256",
        cose: -7,
        signature_oid: oids::ECDSA_WITH_SHA256,
        key_oid: oids::EC_PUBLIC_KEY,
        curve_oid: Some(oids::PRIME256V1),
        digest: Some(DigestAlgorithm::Sha256),
    },
    Row {
        alg: Algorithm::Sm2Sm3,
        name: "sm2",
        cose: COSE_ALG_SM2_SM3,
        signature_oid: oids::SM3_WITH_SM2,
        key_oid: oids::EC_PUBLIC_KEY,
        curve_oid: Some(oids::SM2_CURVE),
        digest: Some(DigestAlgorithm::Sm3),
    },
    Row {
        alg: Algorithm::Es384,
        name: "es384",
        cose: -35,
        signature_oid: oids::ECDSA_WITH_SHA384,
        key_oid: oids::EC_PUBLIC_KEY,
        curve_oid: Some(oids::SECP384R1),
        // SHA-384 is internal to the signature scheme, as SHA-512 is to Ed25519.
        digest: None,
    },
];

impl Algorithm {
    /// Every algorithm, in table order.
    pub const ALL: [Algorithm; 4] =
        [Algorithm::Ed25519, Algorithm::Es256, Algorithm::Sm2Sm3, Algorithm::Es384];

    fn row(self) -> &'static Row {
        match self {
            Self::Ed25519 => &TABLE[0],
            Self::Es256 => &TABLE[1],
            Self::Sm2Sm3 => &TABLE[2],
            Self::Es384 => &TABLE[3],
        }
    }

    /// The stable short name: `ed25519`, `es256`, `sm2` or `es384`.
    pub fn name(self) -> &'static str {
        self.row().name
    }

    /// The COSE algorithm value (RFC 9053; private use for SM2).
    pub fn cose_value(self) -> i64 {
        self.row().cose
    }

    /// The algorithm with this COSE value, if yinxin knows it.
    pub fn from_cose_value(value: i64) -> Option<Self> {
        TABLE.iter().find(|r| r.cose == value).map(|r| r.alg)
    }

    /// The X.509 `signatureAlgorithm` OID.
    pub fn signature_oid(self) -> Oid {
        self.row().signature_oid
    }

    /// The algorithm with this X.509 signature OID. `sm2-1` (1.2.156.10197.1.301.1), which some
    /// seal systems write, is read as SM2 with SM3.
    pub fn from_signature_oid(oid: &Oid) -> Option<Self> {
        if *oid == oids::SM2_SIGN {
            return Some(Self::Sm2Sm3);
        }
        TABLE.iter().find(|r| r.signature_oid == *oid).map(|r| r.alg)
    }

    /// The `SubjectPublicKeyInfo` algorithm OID of keys for this algorithm.
    pub fn key_oid(self) -> Oid {
        self.row().key_oid
    }

    /// The named-curve parameter of the key algorithm, for the EC algorithms.
    pub fn curve_oid(self) -> Option<Oid> {
        self.row().curve_oid
    }

    /// The message digest the signature scheme applies, where it is a separate algorithm
    /// (Ed25519 hashes internally with SHA-512 and has none).
    pub fn digest(self) -> Option<DigestAlgorithm> {
        self.row().digest
    }

    /// The length of a raw signature (`r ‖ s`, or an Ed25519 signature): 96 for ES384, 64 for
    /// the others.
    pub fn raw_signature_len(self) -> usize {
        match self {
            Self::Es384 => 96,
            _ => 64,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Algorithm {
    type Err = super::KeyError;
    /// Accepts the names `ed25519`, `es256` (or `p256`), `sm2` (or `sm2sm3`) and `es384` (or
    /// `p384`), any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "ed25519" | "eddsa" => Ok(Self::Ed25519),
            "es256" | "p256" | "p-256" => Ok(Self::Es256),
            "sm2" | "sm2sm3" | "sm2-sm3" => Ok(Self::Sm2Sm3),
            "es384" | "p384" | "p-384" => Ok(Self::Es384),
            _ => Err(super::KeyError::UnsupportedAlgorithm),
        }
    }
}

/// A message digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// SHA-256 (FIPS 180-4).
    Sha256,
    /// SM3 (GB/T 32905).
    Sm3,
}

impl DigestAlgorithm {
    /// Every digest algorithm.
    pub const ALL: [DigestAlgorithm; 2] = [DigestAlgorithm::Sha256, DigestAlgorithm::Sm3];

    /// The stable short name: `sha256` or `sm3`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sm3 => "sm3",
        }
    }

    /// The identifier an ISO 18013-5 MobileSecurityObject uses (`SHA-256`; `SM3` for SM3, which
    /// the standard does not list).
    pub fn mdoc_name(self) -> &'static str {
        match self {
            Self::Sha256 => "SHA-256",
            Self::Sm3 => "SM3",
        }
    }

    /// The algorithm with this ISO 18013-5 name.
    pub fn from_mdoc_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.mdoc_name() == name)
    }

    /// The COSE value (RFC 9054), where one is registered.
    pub fn cose_value(self) -> Option<i64> {
        match self {
            Self::Sha256 => Some(-16),
            Self::Sm3 => None,
        }
    }

    /// The ASN.1 OID.
    pub fn oid(self) -> Oid {
        match self {
            Self::Sha256 => oids::SHA256,
            Self::Sm3 => oids::SM3,
        }
    }

    /// The algorithm with this OID.
    pub fn from_oid(oid: &Oid) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.oid() == *oid)
    }

    /// The output length in bytes (32 for both).
    pub fn output_len(self) -> usize {
        32
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> [u8; 32] {
        let mut h = super::Hasher::new(self);
        h.update(data);
        h.finalize()
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DigestAlgorithm {
    type Err = super::KeyError;
    /// Accepts `sha256` (or `sha-256`) and `sm3`, any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "sha256" | "sha-256" => Ok(Self::Sha256),
            "sm3" => Ok(Self::Sm3),
            _ => Err(super::KeyError::UnsupportedAlgorithm),
        }
    }
}
