//! The verifier's check of an e-license file (GB/T 36905): every signature of the OFD, the
//! attached credential with its trust and status, the visible text against the signed
//! elements, and that a seal of the license's issuer sealed it.

use time::OffsetDateTime;

use super::Verifier;
use crate::license::{LicenseError, VerifiedLicense};
use crate::seal::ofd::elicense::{LicenseFile, read_license_file};
use crate::seal::ofd::{OfdError, SignatureVerdict};

/// Everything found about an e-license file; valid only when every part is
/// ([`LicenseFileReport::is_valid`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LicenseFileReport {
    /// The attached credential's verification, status included.
    pub license: Result<VerifiedLicense, LicenseError>,
    /// One verdict per signature of the file.
    pub seals: Vec<SignatureVerdict>,
    /// The pages show exactly what the credential's signed elements say (false when the
    /// credential did not verify: there is nothing trusted to compare with).
    pub text_matches: bool,
    /// A valid seal signature's signer is the license's issuer (the code its certificate
    /// names is the issuer certificate's).
    pub sealed_by_issuer: bool,
    /// What was read from the file.
    pub file: LicenseFile,
}

impl LicenseFileReport {
    /// The credential verified, the file carries at least one signature and every one is
    /// valid, the text matches, and the issuer sealed it.
    pub fn is_valid(&self) -> bool {
        self.license.is_ok()
            && !self.seals.is_empty()
            && self.seals.iter().all(|s| s.valid)
            && self.text_matches
            && self.sealed_by_issuer
    }

    /// The stable code of the first failed part, in the order: credential, seals, text, issuer.
    pub fn error_code(&self) -> Option<String> {
        use crate::ErrorCode as _;
        if let Err(e) = &self.license {
            return Some(e.code().to_owned());
        }
        if self.seals.is_empty() {
            return Some("ofd.unsigned".into());
        }
        if let Some((code, _)) = self.seals.iter().find_map(|s| s.error.clone()) {
            return Some(code);
        }
        if !self.text_matches {
            return Some("license_file.text_mismatch".into());
        }
        (!self.sealed_by_issuer).then(|| "license_file.seal_not_issuers".into())
    }
}

impl Verifier {
    /// Verifies an e-license file at `at`: every signature, the attached credential (trust,
    /// status), the visible text against its elements, and the issuer's seal. `Err` only when
    /// the file cannot be read as an e-license file at all.
    pub fn verify_license_file(&self, ofd: &[u8], at: OffsetDateTime) -> Result<LicenseFileReport, OfdError> {
        let file = read_license_file(ofd, self.ofd_limits)?;
        let license = self.verify_license(&file.credential, at);
        // The issuer's certificate, validated with the credential, may be the CA of the
        // issuer's seal certificates: it links their chains to the same anchors.
        let seal_verifier = match &license {
            Ok(l) => self.seals.clone().with_intermediate(l.chain().leaf().clone()),
            Err(_) => self.seals.clone(),
        };
        let seals = crate::seal::ofd::verify_ofd(ofd, &seal_verifier, self.ofd_limits, at)?;
        let text_matches = license.as_ref().is_ok_and(|l| file.shows(l.elements()));
        let issuer =
            license.as_ref().ok().and_then(|l| l.chain().leaf().party().map(|p| p.code().to_owned()));
        let sealed_by_issuer = issuer.is_some_and(|issuer| {
            seals.iter().any(|s| {
                s.valid && s.seal_valid == Some(true) && s.signer_party.as_deref() == Some(issuer.as_str())
            })
        });
        Ok(LicenseFileReport { license, seals, text_matches, sealed_by_issuer, file })
    }
}
