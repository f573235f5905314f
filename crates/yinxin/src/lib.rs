//! # yinxin (印信): trusted electronic licenses and electronic seals
//!
//! yinxin is the library that issuing authorities, holders' apps and verifiers share:
//!
//! * [`id`]: the national identifiers every license and seal names: the unified social
//!   credit code of an organisation ([`id::Uscc`], GB 32100), the resident identity number of a
//!   person ([`id::ResidentId`], GB 11643) and the e-license identifier
//!   ([`id::LicenseIdentifier`], GB/T 36904). Each type can only hold a valid value.
//! * [`crypto`]: the signature algorithms yinxin accepts (Ed25519, ECDSA P-256, SM2 with SM3),
//!   the [`crypto::Signer`] and [`crypto::Verifier`] traits that keep the rest of the library
//!   independent of where a key lives, software keys, digests and the deployment
//!   [`crypto::AlgorithmPolicy`].
//!
//! Every error type carries a stable code string (see [`ErrorCode`]) that the CLI prints and
//! the language bindings expose, so that callers can match on failures without parsing
//! messages.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cose;
pub mod crypto;
mod error;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
pub mod id;
pub mod license;
pub mod present;
pub mod seal;
pub mod status;
pub mod text;
pub mod trust;

pub use error::ErrorCode;

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
