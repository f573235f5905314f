//! Interoperability with the system OpenSSL 3: signatures made by yinxin verify with
//! `openssl`, and keys and signatures made by `openssl` are read and verified by yinxin, for
//! Ed25519, P-256, P-384 and SM2 (with the default distinguishing ID).
//!
//! `openssl` must be on PATH (`.ci/run` installs it); without it these tests fail rather than
//! pass silently.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

use yinxin::crypto::{Algorithm, DEFAULT_SM2_DISTID, PublicKey, Signer, SoftwareKey, Verifier};

const MESSAGE: &[u8] = "营业执照 1.2.156.3005.2.11100000000013338W001".as_bytes();

fn openssl(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("openssl not runnable ({e}); install OpenSSL 3"))
}

fn openssl_ok(dir: &Path, args: &[&str]) {
    let out = openssl(dir, args);
    assert!(
        out.status.success(),
        "openssl {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn distid() -> String {
    format!("distid:{DEFAULT_SM2_DISTID}")
}

/// The openssl arguments that verify `sig` over `msg` with `pub.pem`.
fn verify_args(alg: Algorithm) -> Vec<String> {
    let mut args: Vec<String> =
        ["pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "msg", "-sigfile", "sig"]
            .map(String::from)
            .to_vec();
    match alg {
        Algorithm::Es256 => args.extend(["-digest", "sha256"].map(String::from)),
        Algorithm::Es384 => args.extend(["-digest", "sha384"].map(String::from)),
        Algorithm::Sm2Sm3 => args.extend(["-digest".into(), "sm3".into(), "-pkeyopt".into(), distid()]),
        _ => {}
    }
    args
}

#[test]
fn openssl_verifies_yinxin_signatures() {
    for alg in Algorithm::ALL {
        let dir = tempfile::tempdir().unwrap();
        let key = SoftwareKey::generate(alg).unwrap();
        std::fs::write(dir.path().join("pub.pem"), key.public_key().to_spki_pem().unwrap()).unwrap();
        std::fs::write(dir.path().join("msg"), MESSAGE).unwrap();
        std::fs::write(dir.path().join("sig"), key.sign_der(MESSAGE).unwrap()).unwrap();
        let args = verify_args(alg);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        openssl_ok(dir.path(), &args);

        // And OpenSSL refuses the same signature over another message.
        std::fs::write(dir.path().join("msg"), b"tampered").unwrap();
        assert!(!openssl(dir.path(), &args).status.success(), "{alg}: openssl accepted a tampered message");

        // OpenSSL reads yinxin's PKCS#8 private key and derives the same public key.
        std::fs::write(dir.path().join("key.pem"), key.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
        let out = openssl(dir.path(), &["pkey", "-in", "key.pem", "-pubout"]);
        assert!(out.status.success(), "{alg}");
        assert_eq!(&PublicKey::from_pem_or_der(&out.stdout).unwrap(), key.public_key(), "{alg}");
    }
}

#[test]
fn yinxin_verifies_openssl_keys_and_signatures() {
    for alg in Algorithm::ALL {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        match alg {
            Algorithm::Ed25519 => openssl_ok(d, &["genpkey", "-algorithm", "ed25519", "-out", "key.pem"]),
            Algorithm::Es256 => openssl_ok(
                d,
                &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "key.pem"],
            ),
            Algorithm::Sm2Sm3 => openssl_ok(d, &["genpkey", "-algorithm", "SM2", "-out", "key.pem"]),
            Algorithm::Es384 => openssl_ok(
                d,
                &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "key.pem"],
            ),
            _ => unreachable!(),
        }
        openssl_ok(d, &["pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"]);
        std::fs::write(d.join("msg"), MESSAGE).unwrap();
        let dist = distid();
        match alg {
            Algorithm::Ed25519 => openssl_ok(
                d,
                &["pkeyutl", "-sign", "-inkey", "key.pem", "-rawin", "-in", "msg", "-out", "sig"],
            ),
            Algorithm::Es256 => openssl_ok(d, &["dgst", "-sha256", "-sign", "key.pem", "-out", "sig", "msg"]),
            Algorithm::Es384 => openssl_ok(d, &["dgst", "-sha384", "-sign", "key.pem", "-out", "sig", "msg"]),
            _ => openssl_ok(d, &["dgst", "-sm3", "-sign", "key.pem", "-sigopt", &dist, "-out", "sig", "msg"]),
        }
        let public = PublicKey::from_pem_or_der(&std::fs::read(d.join("pub.pem")).unwrap()).unwrap();
        assert_eq!(public.algorithm(), alg);
        let sig = std::fs::read(d.join("sig")).unwrap();
        public.verify_der(MESSAGE, &sig).unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert!(public.verify_der(b"tampered", &sig).is_err(), "{alg}");

        // yinxin reads OpenSSL's PKCS#8 private key; both sides agree on the public key, and
        // what yinxin signs with it OpenSSL verifies.
        let private = SoftwareKey::from_pem_or_der(&std::fs::read(d.join("key.pem")).unwrap()).unwrap();
        assert_eq!(private.public_key(), &public, "{alg}");
        std::fs::write(d.join("sig"), private.sign_der(MESSAGE).unwrap()).unwrap();
        let args = verify_args(alg);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        openssl_ok(d, &args);
    }
}

#[test]
fn yinxin_reads_openssl_sec1_ec_private_keys() {
    for (curve, alg) in [("prime256v1", Algorithm::Es256), ("SM2", Algorithm::Sm2Sm3)] {
        let dir = tempfile::tempdir().unwrap();
        openssl_ok(dir.path(), &["ecparam", "-name", curve, "-genkey", "-noout", "-out", "key.pem"]);
        let pem = std::fs::read(dir.path().join("key.pem")).unwrap();
        if alg == Algorithm::Es256 {
            // OpenSSL 3 writes SM2 keys as PKCS#8, P-256 keys as SEC1.
            assert!(pem.starts_with(b"-----BEGIN EC PRIVATE KEY-----"));
        }
        let key = SoftwareKey::from_pem_or_der(&pem).unwrap();
        assert_eq!(key.algorithm(), alg);
        openssl_ok(dir.path(), &["pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"]);
        let public = PublicKey::from_pem_or_der(&std::fs::read(dir.path().join("pub.pem")).unwrap()).unwrap();
        assert_eq!(key.public_key(), &public, "{curve}");
    }
}
