//! Authorities and trust: X.509 certificates for issuing authorities and seal holders, and the
//! verifier's trust store.
//!
//! * [`Party`] names an organisation (by its USCC) or a person (by resident ID number); the code
//!   goes in the certificate subject's `organizationIdentifier` (`NTRCN-<USCC>`) or
//!   `serialNumber` (`IDCCN-<resident ID>`), following the ETSI EN 319 412-1 semantics, so any
//!   X.509 tool shows it.
//! * [`CertificateAuthority`] creates root and issuing-authority certificates and end-entity
//!   signing certificates for all three algorithms, signing through the
//!   [`Signer`](crate::crypto::Signer) trait (so an authority key can live in an HSM).
//! * [`Certificate`] parses any X.509 certificate (x509-parser) into the facts yinxin checks.
//! * [`TrustStore`] validates a chain to a configured root at a given time: signatures,
//!   validity, basicConstraints and path length, keyUsage, the algorithm policy, and caps on
//!   chain length and certificate size. It returns a [`VerifiedChain`], which only it can make.

mod authority;
mod certificate;
mod error;
pub mod list;
mod listed;
mod party;
pub(crate) mod store;

pub use authority::{CertificateAuthority, CertificateProfile};
pub use certificate::{
    Certificate, MAX_CERTIFICATE_SIZE, MAX_MAY_REQUEST, OID_MAY_REQUEST, parse_pem_certificates,
};
pub use error::{CertificateError, IssueCertificateError, TrustError};
pub use listed::AnchorScope;
pub use party::{Party, PartyError};
pub(crate) use store::certificates_of;
pub use store::{MAX_CHAIN_LENGTH, TrustStore, VerifiedChain};
