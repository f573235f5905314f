//! # yinxin (印信): trusted electronic licenses and electronic seals
//!
//! One library for the three roles of an e-license (电子证照) system, each a single object
//! configured once:
//!
//! * [`Authority`]: an issuing authority issues licenses (ISO 18013-5 credentials bound to
//!   the holder's key), revokes and suspends them through a [`registry::Registry`], and
//!   publishes signed status lists.
//! * [`Wallet`]: the holder keeps licenses and shows them as QR codes that disclose only the
//!   elements chosen, signed by the holder's key (a software key, or the phone's keystore).
//! * [`Verifier`]: a counter, an app or a service checks a QR code, a license file, a seal
//!   signature or a sealed OFD document against its trust anchors and status lists, offline,
//!   and gets a verified value or the precise reason of the refusal.
//!
//! ```
//! use time::{Duration, OffsetDateTime};
//! use yinxin::authority::AuthoritySetup;
//! use yinxin::crypto::{Algorithm, SoftwareKey};
//! use yinxin::license::{IssueOptions, LicenseData};
//! use yinxin::present::Disclosure;
//! use yinxin::{Verifier, Wallet};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let now = OffsetDateTime::now_utc();
//! // An issuing authority with a root CA (in production both come from the PKI).
//! let setup = AuthoritySetup::generate(
//!     Algorithm::Ed25519,
//!     "成都市市场监督管理局",
//!     &"11510000MB0123456W".parse()?,
//!     now - Duration::minutes(5),
//!     now + Duration::days(3650),
//!     now + Duration::days(1825),
//! )?;
//! let authority = setup.authority()?;
//!
//! // A holder's wallet: the app would keep its key in the platform keystore.
//! let wallet = Wallet::new(SoftwareKey::generate(Algorithm::Es256)?);
//!
//! // The authority issues a business license to the holder's key.
//! let data = LicenseData::from_json(LICENSE_JSON.as_bytes())?;
//! let options = IssueOptions { qr_sets: data.qr_sets(), ..IssueOptions::default() };
//! let issued = authority.issue(&data, wallet.holder_key(), &options)?;
//! let id = issued.identifier.to_string();
//! wallet.add_license(issued.bytes)?;
//!
//! // At the counter the holder shows two elements; the counter checks everything, once.
//! let shown = ["holder_name", "holder_code"];
//! let qr = wallet.present_qr(&id, Disclosure::Elements(&shown), now)?;
//! let counter = Verifier::builder()
//!     .trust_anchor(setup.root_certificate().clone())
//!     .issuer_certificate(authority.certificate().clone())
//!     .build()?;
//! let verified = counter.verify_qr(&qr, now)?;
//! assert_eq!(verified.license().meta("holder_code").and_then(|v| v.as_text()), Some("91510100MA61ABCDE3"));
//! assert!(counter.verify_qr(&qr, now).is_err(), "一次一验: a code is accepted once");
//! # Ok(())
//! # }
//! # const LICENSE_JSON: &str = r#"{
//! #   "holder_kind": "legal_entity",
//! #   "meta": {
//! #     "license_name": "营业执照", "license_type_code": "11100000000013338W001",
//! #     "license_number": "510100000123456",
//! #     "license_identifier": "1.2.156.3005.2.11100000000013338W001.11510000MB0123456W.510100202411220001.001.B",
//! #     "issuer_name": "成都市市场监督管理局", "issuer_code": "11510000MB0123456W",
//! #     "issue_date": "2024-11-22", "holder_name": "成都天府示例科技有限公司",
//! #     "holder_code": "91510100MA61ABCDE3", "holder_code_type": "001",
//! #     "valid_from": "2024-11-22", "valid_until": null
//! #   },
//! #   "surface": { "legal_representative": "李四" },
//! #   "disclosure_sets": { "counter_check": ["holder_name", "holder_code"] }
//! # }"#;
//! ```
//!
//! Underneath, each part is a module whose types stay public for experts:
//!
//! * [`id`]: the national identifiers (USCC, GB 32100; resident identity number, GB 11643;
//!   e-license identifier, GB/T 36904), types that can only hold valid values.
//! * [`crypto`]: Ed25519, ECDSA P-256 and SM2 with SM3 behind the [`crypto::Signer`] and
//!   [`crypto::Verifier`] traits, software keys, digests, the deployment's
//!   [`crypto::AlgorithmPolicy`].
//! * [`cose`]: the one COSE/CBOR layer every signed format is read and written with.
//! * [`trust`]: X.509 certificates, chain validation, the trust store.
//! * [`license`]: the GB/T 36903 model, issuance and verification of ISO 18013-5 credentials.
//! * [`status`]: IETF Token Status Lists: revocation and suspension.
//! * [`present`]: presentations and their QR codes, the replay guard.
//! * [`seal`]: GB/T 38540 electronic seals and OFD documents.
//! * [`registry`]: the issuer's registry interface (implemented by `yinxin-registry`).
//!
//! Layers run one way: `id`, `crypto` → `cose` → `trust` → `license`, `status` → `present`,
//! `seal` → the role objects. Every error type carries a stable code string (see
//! [`ErrorCode`]) that the CLI prints and the language bindings expose, so that callers can
//! match on failures without parsing messages.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod authority;
pub mod cose;
pub mod crypto;
mod error;
pub mod fetch;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
pub mod id;
pub mod license;
pub mod present;
pub mod registry;
pub mod seal;
pub mod status;
pub mod text;
pub mod trust;
pub mod verifier;
pub mod wallet;

pub use authority::Authority;
pub use error::ErrorCode;
pub use verifier::{LicenseFileReport, Verifier, VerifierBuilder, VerifierError};
pub use wallet::Wallet;

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
