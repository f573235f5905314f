//! Signature algorithms and keys: GM/T vectors, round trips, and every negative case.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use sm3::Digest as _;
use yinxin::ErrorCode;
use yinxin::crypto::{
    Algorithm, AlgorithmPolicy, DEFAULT_SM2_DISTID, DigestAlgorithm, Hasher, KeyError, PublicKey,
    SignatureFormat, Signer, SoftwareKey, Verifier, VerifyError, der_to_raw, raw_to_der,
    verify_ed25519_batch,
};

#[test]
fn sm3_examples_of_gb_t_32905() {
    let gm = yinxin_test_vectors::gm();
    assert!(gm.sm3.len() >= 2);
    for ex in &gm.sm3 {
        let d = DigestAlgorithm::Sm3.digest(ex.message_ascii.as_bytes());
        assert_eq!(hex::encode(d), ex.digest_hex, "{}", ex.message_ascii);
        // Streaming in pieces gives the same digest.
        let mut h = Hasher::new(DigestAlgorithm::Sm3);
        for chunk in ex.message_ascii.as_bytes().chunks(3) {
            h.update(chunk);
        }
        assert_eq!(hex::encode(h.finalize()), ex.digest_hex);
    }
}

#[test]
fn sha256_known_answer() {
    assert_eq!(
        hex::encode(DigestAlgorithm::Sha256.digest(b"abc")),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn sm2_example_of_gb_t_32918_5_annex_a() {
    let ex = yinxin_test_vectors::gm().sm2_signature;
    assert_eq!(ex.distinguishing_id_ascii, DEFAULT_SM2_DISTID);
    let key = PublicKey::from_raw(Algorithm::Sm2Sm3, &ex.public_key_sec1()).unwrap();
    let message = ex.message_ascii.as_bytes();
    let sig = ex.signature_raw();
    key.verify(message, &sig).unwrap();
    key.verify_der(message, &raw_to_der(Algorithm::Sm2Sm3, &sig).unwrap()).unwrap();

    // Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) and e = SM3(Z_A ‖ M) as the
    // standard lists them.
    let a = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC";
    let b = "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93";
    let xg = "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7";
    let yg = "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0";
    let mut z = sm3::Sm3::new();
    z.update(((ex.distinguishing_id_ascii.len() * 8) as u16).to_be_bytes());
    z.update(ex.distinguishing_id_ascii.as_bytes());
    for h in [a, b, xg, yg, &ex.public_key_x_hex, &ex.public_key_y_hex] {
        z.update(hex::decode(h).unwrap());
    }
    let z_a = z.finalize();
    assert_eq!(hex::encode_upper(z_a), ex.z_a_hex.to_uppercase());
    let mut e = sm3::Sm3::new();
    e.update(z_a);
    e.update(message);
    let e = e.finalize();
    assert_eq!(hex::encode_upper(e), ex.e_hex.to_uppercase());

    // The private key of the example derives the example's public key.
    use sm2::pkcs8::EncodePrivateKey as _;
    let secret = sm2::SecretKey::from_slice(&hex::decode(&ex.private_key_hex).unwrap()).unwrap();
    let pkcs8 = secret.to_pkcs8_der().unwrap();
    let soft = SoftwareKey::from_pkcs8_der(pkcs8.as_bytes()).unwrap();
    assert_eq!(soft.public_key(), &key);
    // And what it signs now verifies with the example's public key.
    let fresh = soft.sign(message).unwrap();
    key.verify(message, &fresh).unwrap();

    // Tampering with r, s, or the message fails.
    let mut bad = sig.clone();
    bad[63] ^= 1;
    assert_eq!(key.verify(message, &bad), Err(VerifyError::Invalid));
    assert_eq!(key.verify(b"message digesT", &sig), Err(VerifyError::Invalid));
    // Another distinguishing ID is another signed message.
    let other = key.with_sm2_distid("ALICE123@YAHOO.COM").unwrap();
    assert_eq!(other.verify(message, &sig), Err(VerifyError::Invalid));
}

fn keys() -> Vec<SoftwareKey> {
    Algorithm::ALL.iter().map(|&a| SoftwareKey::generate(a).unwrap()).collect()
}

#[test]
fn sign_and_verify_each_algorithm_in_both_formats() {
    for key in keys() {
        let alg = key.algorithm();
        let msg = b"1.2.156.3005.2.11100000000013338W001";
        let raw = key.sign(msg).unwrap();
        assert_eq!(raw.len(), alg.raw_signature_len(), "{alg}");
        key.public_key().verify(msg, &raw).unwrap();
        let der = key.sign_der(msg).unwrap();
        key.public_key().verify_der(msg, &der).unwrap();
        key.public_key().verify_as(msg, &der, SignatureFormat::Der).unwrap();
        assert_eq!(der_to_raw(alg, &raw_to_der(alg, &raw).unwrap()).unwrap(), raw, "{alg}");
        if alg != Algorithm::Ed25519 {
            assert_eq!(der[0], 0x30, "{alg}: DER SEQUENCE");
            // DER given where raw is expected is malformed, not merely invalid.
            assert!(key.public_key().verify(msg, &der).is_err(), "{alg}");
        }
    }
}

#[test]
fn every_negative_case_fails_with_its_code() {
    let keys = keys();
    for key in &keys {
        let alg = key.algorithm();
        let pk = key.public_key();
        let msg = b"license payload";
        let sig = key.sign(msg).unwrap();

        // Tampered message.
        assert_eq!(pk.verify(b"license paylaod", &sig), Err(VerifyError::Invalid), "{alg}");
        // Every tampered byte of the signature.
        for i in 0..sig.len() {
            let mut bad = sig.clone();
            bad[i] ^= 0x40;
            let err = pk.verify(msg, &bad).unwrap_err();
            assert!(matches!(err, VerifyError::Invalid | VerifyError::Malformed), "{alg} byte {i}: {err:?}");
        }
        // Truncated, empty, oversized.
        assert_eq!(pk.verify(msg, &sig[..63]), Err(VerifyError::Malformed), "{alg}");
        assert_eq!(pk.verify(msg, &[]), Err(VerifyError::Malformed), "{alg}");
        let mut long = sig.clone();
        long.push(0);
        assert_eq!(pk.verify(msg, &long).unwrap_err().code(), "crypto.signature_malformed", "{alg}");
        // Wrong key of the same algorithm.
        let other = SoftwareKey::generate(alg).unwrap();
        assert_eq!(other.public_key().verify(msg, &sig), Err(VerifyError::Invalid), "{alg}");
        // Keys of the other algorithms.
        for k in keys.iter().filter(|k| k.algorithm() != alg) {
            assert!(k.public_key().verify(msg, &sig).is_err(), "{alg} verified by {}", k.algorithm());
            let err = k.public_key().verify_with(alg, msg, &sig).unwrap_err();
            assert_eq!(err.code(), "crypto.algorithm_mismatch");
        }
        // A zero signature is malformed for ECDSA and SM2 (r, s must be in [1, n-1]).
        if alg != Algorithm::Ed25519 {
            assert_eq!(pk.verify(msg, &[0u8; 64]), Err(VerifyError::Malformed), "{alg}");
            assert_eq!(pk.verify_der(msg, b"\x30\x00"), Err(VerifyError::Malformed), "{alg}");
        }
    }
}

#[test]
fn pkcs8_and_spki_round_trip_in_der_and_pem() {
    for key in keys() {
        let alg = key.algorithm();
        let der = key.to_pkcs8_der().unwrap();
        let again = SoftwareKey::from_pkcs8_der(&der).unwrap();
        assert_eq!(again.public_key(), key.public_key(), "{alg}");
        let pem = key.to_pkcs8_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{alg}");
        let again = SoftwareKey::from_pem(&pem).unwrap();
        assert_eq!(again.public_key(), key.public_key(), "{alg}");
        // A signature by the re-imported key verifies with the original public key.
        key.public_key().verify(b"m", &again.sign(b"m").unwrap()).unwrap();

        let spki = key.public_key().to_spki_der().unwrap();
        assert_eq!(&PublicKey::from_spki_der(&spki).unwrap(), key.public_key(), "{alg}");
        let pem = key.public_key().to_spki_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{alg}");
        let pk = PublicKey::from_pem_or_der(pem.as_bytes()).unwrap();
        assert_eq!(&pk, key.public_key(), "{alg}");
        assert_eq!(pk.key_id(), key.key_id(), "{alg}: key id depends on the key only");
        assert_eq!(PublicKey::from_raw(alg, &pk.to_raw()).unwrap(), pk, "{alg}");
    }
}

#[test]
fn spki_names_the_algorithm() {
    // Ed25519 SPKI of RFC 8410 §10.1.
    let der = hex::decode(
        "302a300506032b657003210019bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1",
    )
    .unwrap();
    let pk = PublicKey::from_spki_der(&der).unwrap();
    assert_eq!(pk.algorithm(), Algorithm::Ed25519);
    assert_eq!(pk.to_spki_der().unwrap(), der);
    // The same bit string under an unknown OID (X25519, 1.3.101.110) is refused.
    let mut x25519 = der.clone();
    x25519[8] = 0x6e;
    assert_eq!(PublicKey::from_spki_der(&x25519), Err(KeyError::UnsupportedAlgorithm));
}

#[test]
fn malformed_keys_are_refused_with_codes() {
    let cases: [(&[u8], &str); 4] = [
        (b"", "crypto.key_malformed"),
        (b"\x30\x03\x02\x01", "crypto.key_malformed"),
        (b"-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----\n", "crypto.key_pem"),
        (b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n", "crypto.key_pem_label"),
    ];
    for (input, code) in cases {
        assert_eq!(PublicKey::from_pem_or_der(input).unwrap_err().code(), code, "{input:?}");
        assert_eq!(SoftwareKey::from_pem_or_der(input).unwrap_err().code(), code, "{input:?}");
    }
    // A private key where a public key belongs, and the reverse.
    let key = SoftwareKey::generate(Algorithm::Es256).unwrap();
    let private_pem = key.to_pkcs8_pem().unwrap();
    assert_eq!(
        PublicKey::from_pem_or_der(private_pem.as_bytes()).unwrap_err().code(),
        "crypto.key_pem_label"
    );
    let public_pem = key.public_key().to_spki_pem().unwrap();
    assert_eq!(
        SoftwareKey::from_pem_or_der(public_pem.as_bytes()).unwrap_err().code(),
        "crypto.key_pem_label"
    );
    // A point off the curve.
    let mut raw = key.public_key().to_raw();
    raw[40] ^= 1;
    assert_eq!(PublicKey::from_raw(Algorithm::Es256, &raw), Err(KeyError::Malformed));
    assert_eq!(PublicKey::from_raw(Algorithm::Sm2Sm3, &raw), Err(KeyError::Malformed));
    assert_eq!(PublicKey::from_raw(Algorithm::Ed25519, &raw[..31]), Err(KeyError::Malformed));
}

#[test]
fn small_order_ed25519_keys_are_refused() {
    // The identity point and a point of order 8: any signature "verifies" under such keys.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert_eq!(PublicKey::from_raw(Algorithm::Ed25519, &identity).unwrap_err().code(), "crypto.key_weak");
    let order8 = hex::decode("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a").unwrap();
    assert_eq!(PublicKey::from_raw(Algorithm::Ed25519, &order8), Err(KeyError::WeakKey));
}

#[test]
fn secrets_never_show_in_debug() {
    for key in keys() {
        let debug = format!("{key:?}");
        let der = key.to_pkcs8_der().unwrap();
        let secret_tail = hex::encode(&der[der.len() - 16..]);
        assert!(!debug.contains(&secret_tail), "{debug}");
        assert!(!debug.contains(&format!("{:?}", &der[der.len() - 8..])), "{debug}");
        assert!(debug.contains(&format!("{:?}", key.algorithm())), "{debug}");
    }
}

#[test]
fn sm2_distid_is_part_of_the_signature() {
    let key = SoftwareKey::generate(Algorithm::Sm2Sm3).unwrap().with_sm2_distid("yinxin@example").unwrap();
    assert_eq!(key.public_key().sm2_distid(), Some("yinxin@example"));
    let sig = key.sign(b"m").unwrap();
    key.public_key().verify(b"m", &sig).unwrap();
    let default = key.public_key().with_sm2_distid(DEFAULT_SM2_DISTID).unwrap();
    assert_eq!(default.verify(b"m", &sig), Err(VerifyError::Invalid));
    assert_eq!(key.public_key().with_sm2_distid(&"x".repeat(8192)).unwrap_err().code(), "crypto.sm2_distid");
    let ed = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    assert_eq!(ed.public_key().with_sm2_distid("x"), Err(KeyError::UnsupportedAlgorithm));
}

#[test]
fn ed25519_batch_verification() {
    let keys: Vec<SoftwareKey> = (0..8).map(|_| SoftwareKey::generate(Algorithm::Ed25519).unwrap()).collect();
    let messages: Vec<Vec<u8>> = (0..64u32).map(|i| format!("license {i}").into_bytes()).collect();
    let sigs: Vec<Vec<u8>> = messages.iter().enumerate().map(|(i, m)| keys[i % 8].sign(m).unwrap()).collect();
    let items: Vec<(&PublicKey, &[u8], &[u8])> =
        (0..64).map(|i| (keys[i % 8].public_key(), messages[i].as_slice(), sigs[i].as_slice())).collect();
    verify_ed25519_batch(&items).unwrap();
    verify_ed25519_batch(&[]).unwrap();

    // One bad signature anywhere fails the batch.
    let mut bad = sigs[17].clone();
    bad[5] ^= 1;
    let mut tampered = items.clone();
    tampered[17].2 = &bad;
    assert_eq!(verify_ed25519_batch(&tampered), Err(VerifyError::Invalid));
    // A signature under the wrong key fails.
    let mut swapped = items.clone();
    swapped[3].0 = keys[4].public_key();
    assert_eq!(verify_ed25519_batch(&swapped), Err(VerifyError::Invalid));
    // Other algorithms are refused.
    let p256 = SoftwareKey::generate(Algorithm::Es256).unwrap();
    let mut mixed = items.clone();
    mixed[0].0 = p256.public_key();
    assert_eq!(verify_ed25519_batch(&mixed), Err(VerifyError::Batch));
    let mut short = items;
    short[0].2 = &sigs[0][..10];
    assert_eq!(verify_ed25519_batch(&short), Err(VerifyError::Malformed));
}

#[test]
fn algorithm_table_and_policy() {
    assert_eq!(Algorithm::from_cose_value(-8), Some(Algorithm::Ed25519));
    assert_eq!(Algorithm::from_cose_value(-7), Some(Algorithm::Es256));
    assert_eq!(Algorithm::from_cose_value(yinxin::crypto::COSE_ALG_SM2_SM3), Some(Algorithm::Sm2Sm3));
    assert_eq!(Algorithm::from_cose_value(-48), None);
    for alg in Algorithm::ALL {
        assert_eq!(Algorithm::from_signature_oid(&alg.signature_oid()), Some(alg));
        assert_eq!(alg.name().parse::<Algorithm>().unwrap(), alg);
    }
    assert_eq!(Algorithm::Sm2Sm3.signature_oid().to_string(), "1.2.156.10197.1.501");
    assert_eq!(Algorithm::Es256.signature_oid().to_string(), "1.2.840.10045.4.3.2");
    assert_eq!(DigestAlgorithm::Sm3.oid().to_string(), "1.2.156.10197.1.401");
    assert_eq!(DigestAlgorithm::from_mdoc_name("SHA-256"), Some(DigestAlgorithm::Sha256));
    assert!("rsa".parse::<Algorithm>().is_err());

    let gm = AlgorithmPolicy::gm_only();
    assert!(gm.check(Algorithm::Sm2Sm3).is_ok());
    assert_eq!(gm.check(Algorithm::Es256).unwrap_err().code(), "crypto.algorithm_not_allowed");
    assert_eq!(gm.check_digest(DigestAlgorithm::Sha256).unwrap_err().code(), "crypto.digest_not_allowed");
    assert!(Algorithm::ALL.iter().all(|&a| AlgorithmPolicy::all().allows(a)));
    let ed_only = AlgorithmPolicy::only(&[Algorithm::Ed25519], &[]);
    assert!(ed_only.allows(Algorithm::Ed25519) && !ed_only.allows(Algorithm::Sm2Sm3));
}

#[test]
fn signers_are_usable_as_trait_objects_across_threads() {
    let signers: Vec<Box<dyn Signer>> = Algorithm::ALL
        .iter()
        .map(|&a| Box::new(SoftwareKey::generate(a).unwrap()) as Box<dyn Signer>)
        .collect();
    std::thread::scope(|s| {
        for signer in &signers {
            s.spawn(move || {
                let sig = signer.sign(b"threaded").unwrap();
                let verifier: &dyn Verifier = signer.public_key();
                verifier.verify(b"threaded", &sig).unwrap();
                assert_eq!(verifier.key_id(), signer.key_id());
            });
        }
    });
}

#[test]
fn sec1_private_keys_on_both_curves() {
    use p256::elliptic_curve::Generate as _;
    let sm2_secret = sm2::SecretKey::try_generate().unwrap();
    let key = SoftwareKey::from_sec1_der(&sm2_secret.to_sec1_der().unwrap()).unwrap();
    assert_eq!(key.algorithm(), Algorithm::Sm2Sm3);
    assert_eq!(key.public_key().to_raw(), sm2_secret.public_key().to_sec1_bytes().to_vec());
    let p256_secret = p256::SecretKey::try_generate().unwrap();
    let key = SoftwareKey::from_pem_or_der(&p256_secret.to_sec1_der().unwrap()).unwrap();
    assert_eq!(key.algorithm(), Algorithm::Es256);
}
