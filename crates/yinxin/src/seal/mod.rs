//! Electronic seals (电子印章): GB/T 38540-2020 seals and seal signatures, GM/T 0031-2014 (v1)
//! and v5 ones read too, and the signatures in OFD documents ([`ofd`]).
//!
//! * [`Seal`] / [`SealSignature`]: decoded structures with the exact bytes that were signed.
//! * [`SealMaker`]: a seal-making authority makes v4 seals (SM2/SM3, its certificate inside);
//!   [`SealHolder`] signs data with a seal (its certificate must be in the seal's list).
//! * [`SealVerifier`]: checks a seal (maker signature and certificate, validity, status) and a
//!   signature (signature over `TBS_Sign`, `dataHash`, signer in the seal's list, signing time
//!   within the seal's validity and the certificates', the seal itself), returning
//!   [`VerifiedSeal`] / [`VerifiedSealSignature`].
//!
//! Seals are SM2 with SM3 only, as the standard says; signature values are DER
//! (GB/T 35276) and raw `r‖s` is read too. Seals made by yinxin may carry a status list
//! reference in `extDatas` (docs/decisions/0012), checked like a license's.

mod asn1;
mod error;
mod make;
mod model;
pub mod ofd;
pub(crate) mod time_stamp;
pub(crate) mod verify;

pub use error::SealError;
pub use make::{SealHolder, SealMaker, SealRequest, attach_time_stamp, time_stamp_imprint};
pub use model::{
    CertList, STATUS_EXTENSION_OID, Seal, SealExtension, SealPicture, SealSignature, SealVersion,
};
pub use time_stamp::{MAX_TIME_STAMP_SIZE, TimeStampCheck, TimeStampStatus};
pub use verify::{SealCheck, SealVerifier, VerifiedSeal, VerifiedSealSignature};

/// The largest seal or `SES_Signature` accepted (pictures make seals tens of kilobytes).
pub const MAX_SEAL_SIZE: usize = 1024 * 1024;
/// The signature algorithm of seals: SM2 with SM3 (GM/T 0006).
pub const SM2_WITH_SM3_OID: &str = "1.2.156.10197.1.501";
