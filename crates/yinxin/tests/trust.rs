//! Authority certificates and chain validation: every algorithm, interop with OpenSSL and
//! rcgen, and each failed check with its code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::process::Command;

use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode;
use yinxin::crypto::{Algorithm, AlgorithmPolicy, DEFAULT_SM2_DISTID, Signer, SoftwareKey};
use yinxin::trust::{
    Certificate, CertificateAuthority, CertificateProfile, MAX_CERTIFICATE_SIZE, Party, TrustError,
    TrustStore,
};

const ROOT_CODE: &str = "11100000000013338W";
const ISSUER_CODE: &str = "11510000MB0123456W";
const HOLDER_CODE: &str = "91510100MA61ABCDE3";

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

struct Pki {
    root: CertificateAuthority<SoftwareKey>,
    issuer: CertificateAuthority<SoftwareKey>,
    leaf: Certificate,
    leaf_key: SoftwareKey,
}

fn pki(alg: Algorithm) -> Pki {
    let t = now();
    let root = CertificateAuthority::new_root(
        SoftwareKey::generate(alg).unwrap(),
        "国家市场监督管理总局 根证书",
        &ROOT_CODE.parse().unwrap(),
        t - Duration::days(1),
        t + Duration::days(3650),
        Some(1),
    )
    .unwrap();
    let issuer_key = SoftwareKey::generate(alg).unwrap();
    let issuer_cert = root
        .issue(
            issuer_key.public_key(),
            "成都市市场监督管理局",
            &ISSUER_CODE.parse().unwrap(),
            CertificateProfile::Ca { path_len: Some(0) },
            t - Duration::days(1),
            t + Duration::days(1825),
        )
        .unwrap();
    let issuer = CertificateAuthority::from_parts(issuer_cert, issuer_key).unwrap();
    let leaf_key = SoftwareKey::generate(alg).unwrap();
    let leaf = issuer
        .issue(
            leaf_key.public_key(),
            "成都天府示例科技有限公司",
            &HOLDER_CODE.parse().unwrap(),
            CertificateProfile::EndEntity,
            t - Duration::days(1),
            t + Duration::days(365),
        )
        .unwrap();
    Pki { root, issuer, leaf, leaf_key }
}

fn store(p: &Pki) -> TrustStore {
    let mut s = TrustStore::new();
    s.add(p.root.certificate().clone());
    s
}

#[test]
fn chains_validate_for_every_algorithm() {
    for alg in Algorithm::ALL {
        let p = pki(alg);
        let s = store(&p);
        let issuer = p.issuer.certificate().clone();
        let v = s.verify_chain(&[p.leaf.clone(), issuer.clone()], now()).unwrap();
        assert_eq!(v.len(), 3, "{alg}");
        assert_eq!(v.anchor(), p.root.certificate());
        assert_eq!(v.leaf().party().unwrap().code(), HOLDER_CODE);
        assert_eq!(v.leaf().public_key(), p.leaf_key.public_key());
        // With the root included, and the issuer alone.
        s.verify_chain(&[p.leaf.clone(), issuer.clone(), p.root.certificate().clone()], now()).unwrap();
        let v = s.verify_chain(std::slice::from_ref(&issuer), now()).unwrap();
        assert_eq!(v.leaf().party().unwrap().code(), ISSUER_CODE);
        assert_eq!(v.leaf().common_name(), Some("成都市市场监督管理局"));
        assert_eq!(issuer.signature_algorithm(), alg);
        // Twice: the second time from the signature cache, same verdict.
        s.verify_chain(&[p.leaf.clone(), issuer], now()).unwrap();
    }
}

#[test]
fn certificates_round_trip_through_pem_and_der() {
    let p = pki(Algorithm::Sm2Sm3);
    let pem = p.leaf.to_pem();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
    assert_eq!(Certificate::from_pem_or_der(pem.as_bytes()).unwrap(), p.leaf);
    assert_eq!(Certificate::from_pem_or_der(p.leaf.der()).unwrap(), p.leaf);
    let bundle = format!("{}{}", p.root.certificate().to_pem(), p.issuer.certificate().to_pem());
    let s = TrustStore::from_pem_or_der(bundle.as_bytes()).unwrap();
    assert_eq!(s.anchors().len(), 2);
    assert!(p.leaf.subject().contains("NTRCN-91510100MA61ABCDE3"), "{}", p.leaf.subject());
}

#[test]
fn persons_are_named_by_resident_id() {
    let p = pki(Algorithm::Ed25519);
    let key = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let t = now();
    let person: Party = "510104199003071237".parse().unwrap();
    let cert = p
        .issuer
        .issue(key.public_key(), "张三", &person, CertificateProfile::EndEntity, t, t + Duration::days(30))
        .unwrap();
    assert_eq!(cert.party(), Some(&person));
    assert!(cert.subject().contains("IDCCN-510104199003071237"));
    assert!(matches!(cert.party(), Some(Party::Person(_))));
}

fn openssl(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new("openssl").args(args).current_dir(dir).output().expect("openssl on PATH")
}

#[test]
fn openssl_verifies_yinxin_chains() {
    for alg in Algorithm::ALL {
        let p = pki(alg);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("root.pem"), p.root.certificate().to_pem()).unwrap();
        std::fs::write(dir.path().join("ca.pem"), p.issuer.certificate().to_pem()).unwrap();
        std::fs::write(dir.path().join("leaf.pem"), p.leaf.to_pem()).unwrap();
        let distid = format!("distid:{DEFAULT_SM2_DISTID}");
        // OpenSSL 3.0 applies -vfyopt (the SM2 distinguishing ID) only to the certificate named
        // on the command line, so SM2 chains are checked one link at a time.
        let runs: Vec<Vec<&str>> = if alg == Algorithm::Sm2Sm3 {
            vec![
                vec!["verify", "-vfyopt", &distid, "-CAfile", "root.pem", "root.pem"],
                vec!["verify", "-vfyopt", &distid, "-CAfile", "root.pem", "ca.pem"],
                vec!["verify", "-vfyopt", &distid, "-partial_chain", "-CAfile", "ca.pem", "leaf.pem"],
            ]
        } else {
            vec![vec!["verify", "-CAfile", "root.pem", "-untrusted", "ca.pem", "leaf.pem"]]
        };
        for args in runs {
            let out = openssl(dir.path(), &args);
            assert!(
                out.status.success(),
                "{alg} {args:?}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn yinxin_validates_rcgen_chains() {
    for (alg, rc_alg) in
        [(Algorithm::Ed25519, &rcgen::PKCS_ED25519), (Algorithm::Es256, &rcgen::PKCS_ECDSA_P256_SHA256)]
    {
        let root_key = rcgen::KeyPair::generate_for(rc_alg).unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(rcgen::DnType::CommonName, "rcgen root");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages =
            vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::DigitalSignature];
        let root_cert = params.self_signed(&root_key).unwrap();
        let issuer = rcgen::Issuer::new(params, root_key);

        let leaf_key = rcgen::KeyPair::generate_for(rc_alg).unwrap();
        let mut leaf_params = rcgen::CertificateParams::new(vec!["signer.example".to_string()]).unwrap();
        leaf_params.distinguished_name.push(rcgen::DnType::CommonName, "rcgen leaf");
        leaf_params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
        let leaf_cert = leaf_params.signed_by(&leaf_key, &issuer).unwrap();

        let root = Certificate::from_der(root_cert.der()).unwrap();
        let leaf = Certificate::from_der(leaf_cert.der()).unwrap();
        assert_eq!(leaf.signature_algorithm(), alg);
        let mut s = TrustStore::new();
        s.add(root);
        s.verify_chain(&[leaf], now()).unwrap_or_else(|e| panic!("{alg}: {e}"));
    }
}

fn code(r: Result<yinxin::trust::VerifiedChain, TrustError>) -> &'static str {
    r.unwrap_err().code()
}

#[test]
fn every_failed_check_has_its_code() {
    let p = pki(Algorithm::Es256);
    let s = store(&p);
    let issuer = p.issuer.certificate().clone();
    let leaf = p.leaf.clone();
    let chain = [leaf.clone(), issuer.clone()];

    // Untrusted root: another authority's chain.
    let other = pki(Algorithm::Es256);
    assert_eq!(
        code(s.verify_chain(&[other.leaf.clone(), other.issuer.certificate().clone()], now())),
        "trust.untrusted_root"
    );
    assert_eq!(code(store(&other).verify_chain(&chain, now())), "trust.untrusted_root");
    // Missing intermediate.
    assert_eq!(code(s.verify_chain(std::slice::from_ref(&leaf), now())), "trust.untrusted_root");
    // Another authority's certificate under the same name: the names chain, the signature does not.
    assert_eq!(
        s.verify_chain(&[leaf.clone(), other.issuer.certificate().clone()], now()),
        Err(TrustError::SignatureInvalid(0))
    );
    // Expired and not yet valid, at the leaf and further up.
    assert_eq!(s.verify_chain(&chain, now() + Duration::days(400)), Err(TrustError::Expired(0)));
    assert_eq!(s.verify_chain(&chain, now() + Duration::days(2000)), Err(TrustError::Expired(0)));
    assert_eq!(code(s.verify_chain(&chain, now() - Duration::days(2))), "trust.cert_not_yet_valid");
    // Empty and too long.
    assert_eq!(code(s.verify_chain(&[], now())), "trust.chain_empty");
    let long = vec![leaf.clone(); 6];
    assert_eq!(code(s.verify_chain(&long, now())), "trust.chain_too_long");
    // The policy.
    let gm = s.clone().with_policy(AlgorithmPolicy::gm_only());
    assert_eq!(code(gm.verify_chain(&chain, now())), "trust.algorithm_not_allowed");
}

#[test]
fn tampered_certificates_fail() {
    let p = pki(Algorithm::Sm2Sm3);
    let s = store(&p);
    let der = p.leaf.der().to_vec();
    // Change one byte inside the subject's common name (a UTF-8 character of the name).
    let name = "成都天府示例科技有限公司".as_bytes();
    let pos = der.windows(name.len()).position(|w| w == name).unwrap();
    let mut bad = der.clone();
    bad[pos + 4] ^= 0x01;
    match Certificate::from_der(&bad) {
        Ok(cert) => assert_eq!(
            s.verify_chain(&[cert, p.issuer.certificate().clone()], now()),
            Err(TrustError::SignatureInvalid(0))
        ),
        Err(e) => assert_eq!(e.code(), "trust.cert_malformed"),
    }
    // Truncated, oversized, and trailing data.
    assert_eq!(Certificate::from_der(&der[..der.len() - 1]).unwrap_err().code(), "trust.cert_malformed");
    assert_eq!(
        Certificate::from_der(&vec![0x30; MAX_CERTIFICATE_SIZE + 1]).unwrap_err().code(),
        "trust.cert_too_large"
    );
    let mut trailing = der.clone();
    trailing.push(0);
    assert_eq!(Certificate::from_der(&trailing).unwrap_err().code(), "trust.cert_malformed");
    assert_eq!(
        Certificate::from_pem_or_der(b"-----BEGIN CERTIFICATE-----\n").unwrap_err().code(),
        "trust.cert_pem"
    );
    // Not a certificate at all: said so, in words, never as Rust debug text.
    let key_pem = SoftwareKey::generate(Algorithm::Es256).unwrap().to_pkcs8_pem().unwrap();
    let public_pem = SoftwareKey::generate(Algorithm::Es256).unwrap().public_key().to_spki_pem().unwrap();
    for (input, holds) in [
        (b"hello\n".to_vec(), "text"),
        (vec![0x1b, 0x02, 0x41, 0x42], "binary data"),
        (key_pem.as_bytes().to_vec(), "a private key"),
        (public_pem.as_bytes().to_vec(), "a public key"),
    ] {
        for e in [
            Certificate::from_pem_or_der(&input).unwrap_err(),
            TrustStore::from_pem_or_der(&input).unwrap_err(),
        ] {
            assert_eq!(e.code(), "trust.not_a_certificate", "{holds}");
            assert!(e.to_string().ends_with(&format!("the file holds {holds}")), "{e}");
        }
    }
    for e in [
        Certificate::from_der(&der[..der.len() - 1]).unwrap_err(),
        Certificate::from_der(&trailing).unwrap_err(),
    ] {
        let text = e.to_string();
        assert!(!text.contains("Nom") && !text.contains("Tag(") && !text.contains('{'), "{text}");
    }
}

#[test]
fn leaves_cannot_issue_and_path_length_is_enforced() {
    let p = pki(Algorithm::Ed25519);
    let s = store(&p);
    let t = now();
    // The end-entity certificate cannot become an issuing authority.
    assert_eq!(
        CertificateAuthority::from_parts(p.leaf.clone(), p.leaf_key).unwrap_err().code(),
        "trust.issuer_not_ca"
    );

    // The issuing authority has pathLen 0: it cannot make a sub-CA.
    let sub_key = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let err = p
        .issuer
        .issue(
            sub_key.public_key(),
            "sub",
            &"11430000006122244L".parse().unwrap(),
            CertificateProfile::Ca { path_len: None },
            t,
            t + Duration::days(10),
        )
        .unwrap_err();
    assert_eq!(err.code(), "trust.issuer_not_ca");

    // A root with pathLen 0 directly above two CA levels is refused by the verifier.
    let root0 = CertificateAuthority::new_root(
        SoftwareKey::generate(Algorithm::Ed25519).unwrap(),
        "root0",
        &ROOT_CODE.parse().unwrap(),
        t - Duration::days(1),
        t + Duration::days(100),
        None,
    )
    .unwrap();
    let mid_key = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let mid = root0
        .issue(
            mid_key.public_key(),
            "mid",
            &ISSUER_CODE.parse().unwrap(),
            CertificateProfile::Ca { path_len: Some(0) },
            t - Duration::days(1),
            t + Duration::days(50),
        )
        .unwrap();
    let mid = CertificateAuthority::from_parts(mid, mid_key).unwrap();
    // mid (pathLen 0) can still issue an end entity...
    let ee_key = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let ee = mid
        .issue(
            ee_key.public_key(),
            "ee",
            &HOLDER_CODE.parse().unwrap(),
            CertificateProfile::EndEntity,
            t - Duration::days(1),
            t + Duration::days(10),
        )
        .unwrap();
    let mut s0 = TrustStore::new();
    s0.add(root0.certificate().clone());
    s0.verify_chain(&[ee.clone(), mid.certificate().clone()], t).unwrap();
    // A leaf repeated as its own issuer is a name mismatch.
    assert_eq!(s.verify_chain(&[p.leaf.clone(), p.leaf.clone()], t), Err(TrustError::IssuerMismatch(0)));

    // A validity period outside the issuer's is refused at issuance.
    let err = p
        .issuer
        .issue(
            ee_key.public_key(),
            "late",
            &HOLDER_CODE.parse().unwrap(),
            CertificateProfile::EndEntity,
            t,
            t + Duration::days(5000),
        )
        .unwrap_err();
    assert_eq!(err.code(), "trust.cert_validity");
}

#[test]
fn path_length_is_checked_by_the_verifier() {
    // Build root (pathLen 0) -> mid CA -> leaf with rcgen, which does not enforce pathLen itself.
    let root_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
    let mut rp = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    rp.distinguished_name.push(rcgen::DnType::CommonName, "root pathlen 0");
    rp.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
    let root = rp.self_signed(&root_key).unwrap();
    let root_issuer = rcgen::Issuer::new(rp, root_key);
    let mid_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
    let mut mp = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    mp.distinguished_name.push(rcgen::DnType::CommonName, "mid");
    mp.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let mid = mp.signed_by(&mid_key, &root_issuer).unwrap();
    let mid_issuer = rcgen::Issuer::new(mp, mid_key);
    let mid2_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
    let mut m2 = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    m2.distinguished_name.push(rcgen::DnType::CommonName, "mid2");
    m2.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let mid2 = m2.signed_by(&mid2_key, &mid_issuer).unwrap();
    let mid2_issuer = rcgen::Issuer::new(m2, mid2_key);
    let leaf_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
    let mut lp = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    lp.distinguished_name.push(rcgen::DnType::CommonName, "leaf");
    let leaf = lp.signed_by(&leaf_key, &mid2_issuer).unwrap();
    let mut s = TrustStore::new();
    s.add(Certificate::from_der(root.der()).unwrap());
    let chain: Vec<Certificate> =
        [leaf.der(), mid2.der(), mid.der()].iter().map(|d| Certificate::from_der(d).unwrap()).collect();
    // root (pathLen 0) has two CA certificates below it.
    assert_eq!(s.verify_chain(&chain, now()), Err(TrustError::PathLength(3)));
}

#[test]
fn unknown_critical_extensions_are_refused() {
    let root_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
    let mut rp = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    rp.distinguished_name.push(rcgen::DnType::CommonName, "root");
    rp.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let root = rp.self_signed(&root_key).unwrap();
    let issuer = rcgen::Issuer::new(rp, root_key);
    let leaf_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
    let mut lp = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    let mut ext = rcgen::CustomExtension::from_oid_content(&[1, 2, 156, 99999, 1], vec![0x05, 0x00]);
    ext.set_criticality(true);
    lp.custom_extensions.push(ext);
    let leaf = lp.signed_by(&leaf_key, &issuer).unwrap();
    let mut s = TrustStore::new();
    s.add(Certificate::from_der(root.der()).unwrap());
    let leaf = Certificate::from_der(leaf.der()).unwrap();
    assert_eq!(s.verify_chain(&[leaf], now()), Err(TrustError::UnknownCriticalExtension(0)));
}

#[test]
fn a_leaf_key_cannot_act_as_a_ca() {
    // Certificate "issued" by an end-entity certificate's key: the verifier sees the leaf as an
    // issuer and refuses it (basicConstraints cA = false).
    let p = pki(Algorithm::Es256);
    let s = store(&p);
    let t = now();
    let ee_as_root = CertificateAuthority::new_root(
        p.leaf_key,
        "成都天府示例科技有限公司",
        &HOLDER_CODE.parse().unwrap(),
        t - Duration::days(1),
        t + Duration::days(100),
        None,
    )
    .unwrap();
    // A certificate whose issuer name is the leaf's subject, signed by the leaf key.
    let victim_key = SoftwareKey::generate(Algorithm::Es256).unwrap();
    let forged = ee_as_root
        .issue(
            victim_key.public_key(),
            "victim",
            &"11430000006122244L".parse().unwrap(),
            CertificateProfile::EndEntity,
            t,
            t + Duration::days(10),
        )
        .unwrap();
    let chain = [forged, p.leaf.clone(), p.issuer.certificate().clone()];
    assert_eq!(s.verify_chain(&chain, t), Err(TrustError::NotCa(1)));
    assert_eq!(p.issuer.signer().algorithm(), Algorithm::Es256);
}

/// DER TLV: `tag`, definite length, `content`.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match content.len() {
        n if n < 0x80 => out.push(n as u8),
        n if n < 0x100 => out.extend([0x81, n as u8]),
        n => out.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(content);
    out
}

/// The element at the start of `der`: (its whole bytes, its content).
fn element(der: &[u8]) -> (&[u8], &[u8]) {
    let (len, head) = match der[1] {
        n if n < 0x80 => (n as usize, 2),
        0x81 => (der[2] as usize, 3),
        0x82 => ((der[2] as usize) << 8 | der[3] as usize, 4),
        _ => panic!("length"),
    };
    (&der[..head + len], &der[head..head + len])
}

#[test]
fn version_1_certificates_with_extensions_are_refused() {
    let p = pki(Algorithm::Ed25519);
    let (_, cert) = element(p.leaf.der());
    let (tbs, tbs_content) = element(cert);
    let (alg_id, _) = element(&cert[tbs.len()..]);
    // The TBS without its `[0] EXPLICIT version` (v3): the default, version 1, with the
    // extensions left in. Signed again by the issuer, so only the version rule can refuse it.
    let (version, _) = element(tbs_content);
    assert_eq!(version, [0xa0, 0x03, 0x02, 0x01, 0x02], "a version 3 certificate");
    let v1_tbs = tlv(0x30, &tbs_content[version.len()..]);
    let signature = p.issuer.signer().sign(&v1_tbs).unwrap();
    let mut bits = vec![0];
    bits.extend(signature);
    let v1 = tlv(0x30, &[v1_tbs.as_slice(), alg_id, &tlv(0x03, &bits)].concat());
    let e = Certificate::from_der(&v1).unwrap_err();
    assert_eq!(e.code(), "trust.cert_malformed");
    assert!(e.to_string().contains("a version 1 certificate with extensions"), "{e}");
    // The same surgery keeping the version (the control) gives a certificate that parses.
    let same_tbs = tlv(0x30, tbs_content);
    let signature = p.issuer.signer().sign(&same_tbs).unwrap();
    let mut bits = vec![0];
    bits.extend(signature);
    let v3 = tlv(0x30, &[same_tbs.as_slice(), alg_id, &tlv(0x03, &bits)].concat());
    Certificate::from_der(&v3).unwrap();
}
