//! Making a trust list: the VICAL payload, signed by the list operator as a COSE_Sign1 with
//! its certificate chain in `x5chain`. Only a list that reads back as written is returned.

use ciborium::Value;
use coset::CborSerializable as _;
use time::OffsetDateTime;

use super::decode::{decode, strip_zeros};
use super::model::{REGION_EXTENSION, region_subdivision};
use super::{MAX_DOC_TYPES, MAX_ENTRIES, MAX_TRUST_LIST_SIZE, TrustList, TrustListEntry, TrustListError};
use crate::cose::build::{self, Headers};
use crate::crypto::Signer;
use crate::trust::Certificate;

/// The VICAL version yinxin writes.
pub const VERSION: &str = "1.0";

fn tdate(t: OffsetDateTime) -> Value {
    Value::Tag(0, Box::new(Value::Text(crate::text::rfc3339(t))))
}

fn text(t: &str) -> Value {
    Value::Text(t.to_owned())
}

fn texts(items: &[String]) -> Value {
    Value::Array(items.iter().map(|t| text(t)).collect())
}

impl TrustListEntry {
    /// The entry for `cert` (the authority's root or issuing certificate), allowed to issue
    /// `doc_types` (see [`doc_type_of`](super::doc_type_of)): serial number, key identifier,
    /// name and validity are taken from the certificate.
    pub fn for_certificate(cert: &Certificate, doc_types: Vec<String>) -> Self {
        let name = cert.common_name().unwrap_or(cert.subject()).to_owned();
        Self {
            certificate: cert.der().to_vec(),
            serial_number: strip_zeros(cert.serial_number()).to_vec(),
            ski: cert.subject_key_id().to_vec(),
            doc_types,
            certificate_profile: Vec::new(),
            issuing_authority: Some(name),
            issuing_country: Some("CN".to_owned()),
            state_or_province: None,
            not_before: Some(cert.not_before()),
            not_after: Some(cert.not_after()),
        }
    }

    fn to_value(&self) -> Value {
        let mut m = vec![
            (text("certificate"), Value::Bytes(self.certificate.clone())),
            (text("serialNumber"), Value::Tag(2, Box::new(Value::Bytes(self.serial_number.clone())))),
            (text("ski"), Value::Bytes(self.ski.clone())),
            (text("docType"), texts(&self.doc_types)),
        ];
        if !self.certificate_profile.is_empty() {
            m.push((text("certificateProfile"), texts(&self.certificate_profile)));
        }
        let optional = [
            ("issuingAuthority", &self.issuing_authority),
            ("issuingCountry", &self.issuing_country),
            ("stateOrProvinceName", &self.state_or_province),
        ];
        for (k, v) in optional {
            if let Some(v) = v {
                m.push((text(k), text(v)));
            }
        }
        if let Some(t) = self.not_before {
            m.push((text("notBefore"), tdate(t)));
        }
        if let Some(t) = self.not_after {
            m.push((text("notAfter"), tdate(t)));
        }
        Value::Map(m)
    }
}

impl TrustList {
    /// A list from `provider`, issue `issue_id`, dated `date`, valid until `next_update`, with
    /// no entries yet.
    pub fn new(provider: &str, issue_id: u64, date: OffsetDateTime, next_update: OffsetDateTime) -> Self {
        Self {
            version: VERSION.to_owned(),
            provider: provider.to_owned(),
            date,
            issue_id: Some(issue_id),
            next_update: Some(next_update),
            region: None,
            entries: Vec::new(),
        }
    }

    fn check(&self) -> Result<(), TrustListError> {
        let invalid = |m: &str| Err(TrustListError::Invalid(m.to_owned()));
        if self.provider.trim().is_empty() {
            return invalid("the provider name is empty");
        }
        if self.issue_id.is_none() {
            return invalid(
                "a trust list needs an issue id (verifiers refuse lower ones than they accepted)",
            );
        }
        match self.next_update {
            None => return invalid("a trust list needs a next update time"),
            Some(next) if next <= self.date => {
                return invalid("the next update is not after the list's date");
            }
            Some(_) => {}
        }
        if let Some(region) = &self.region {
            region_subdivision(region)?;
        }
        if self.entries.len() > MAX_ENTRIES {
            return Err(TrustListError::TooManyEntries(format!(
                "{} entries (at most {MAX_ENTRIES})",
                self.entries.len()
            )));
        }
        for e in &self.entries {
            if e.doc_types.is_empty() {
                return invalid("an entry names no document type");
            }
            if e.doc_types.len() > MAX_DOC_TYPES {
                return Err(TrustListError::TooManyEntries(format!(
                    "an entry with {} document types",
                    e.doc_types.len()
                )));
            }
            for t in &e.doc_types {
                super::doc_type_of(t)?;
            }
            Certificate::from_der(&e.certificate).map_err(TrustListError::Certificate)?;
        }
        Ok(())
    }

    /// The VICAL payload (CBOR).
    pub fn to_cbor(&self) -> Result<Vec<u8>, TrustListError> {
        let mut m = vec![
            (text("version"), text(&self.version)),
            (text("vicalProvider"), text(&self.provider)),
            (text("date"), tdate(self.date)),
        ];
        if let Some(id) = self.issue_id {
            m.push((text("vicalIssueID"), Value::from(id)));
        }
        if let Some(t) = self.next_update {
            m.push((text("nextUpdate"), tdate(t)));
        }
        m.push((
            text("certificateInfos"),
            Value::Array(self.entries.iter().map(TrustListEntry::to_value).collect()),
        ));
        if let Some(region) = &self.region {
            m.push((text("extensions"), Value::Map(vec![(text(REGION_EXTENSION), text(region))])));
        }
        crate::cose::cbor::encode_value(&Value::Map(m)).map_err(TrustListError::Encode)
    }

    /// Signs the list as its operator: `signer` with `chain` (the operator's certificate
    /// first, then intermediates; the root may follow) in `x5chain`. Refuses a list a
    /// verifier would refuse: no issue id or next update, a next update not after the date, a
    /// bad region or document type, an unusable entry certificate, a chain whose first
    /// certificate is not the signer's or is not valid at the list's date, a list over the
    /// size limits.
    pub fn sign(&self, signer: &dyn Signer, chain: &[Certificate]) -> Result<Vec<u8>, TrustListError> {
        self.check()?;
        let leaf = chain.first().ok_or_else(|| TrustListError::SignerCertificate("is missing".into()))?;
        if leaf.public_key() != signer.public_key() {
            return Err(TrustListError::SignerCertificate("is not the signing key's".into()));
        }
        if self.date < leaf.not_before() || self.date > leaf.not_after() {
            return Err(TrustListError::SignerCertificate("is not valid at the list's date".into()));
        }
        let payload = self.to_cbor()?;
        let x5chain: Vec<&[u8]> = chain.iter().map(Certificate::der).collect();
        let sign1 = build::sign1(signer, Headers { typ: None, kid: None, x5chain: &x5chain }, payload)?;
        let bytes = sign1.to_vec().map_err(|e| TrustListError::Encode(e.to_string()))?;
        if bytes.len() > MAX_TRUST_LIST_SIZE {
            return Err(TrustListError::TooLarge(bytes.len()));
        }
        let parsed = crate::cose::sign1::parse(&bytes)?;
        let mut expected = self.clone();
        for t in [Some(&mut expected.date), expected.next_update.as_mut()].into_iter().flatten() {
            *t = t.replace_nanosecond(0).unwrap_or(*t);
        }
        for e in &mut expected.entries {
            for t in [e.not_before.as_mut(), e.not_after.as_mut()].into_iter().flatten() {
                *t = t.replace_nanosecond(0).unwrap_or(*t);
            }
        }
        if decode(parsed.payload)? != expected {
            return Err(TrustListError::Encode("the list does not read back as written".into()));
        }
        Ok(bytes)
    }
}
