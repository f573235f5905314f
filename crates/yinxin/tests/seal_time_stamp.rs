//! Time stamps over seal signatures (issue 17): RFC 3161 tokens made by `openssl ts` (an ECDSA
//! P-256 TSA, message imprints in SHA-256 and SM3) and by an SM2 TSA whose key and certificate
//! OpenSSL makes and uses ([`Sm2Tsa`]), attached to signatures yinxin makes.
//! Verified with TSA anchors (the stamped time becomes the signing time), unverified without,
//! invalid when anything in them is wrong.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode;
use yinxin::crypto::Algorithm;
use yinxin::seal::ofd::{OfdLimits, Stamp, sign_ofd, verify_ofd};
use yinxin::seal::{
    SealHolder, SealMaker, SealPicture, SealRequest, SealSignature, SealVerifier, TimeStampStatus,
    attach_time_stamp, time_stamp_imprint,
};
use yinxin::trust::{Certificate, TrustStore};
use yinxin_test_vectors::kit;

const TS_CONFIG: &str = "[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = ./serial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sm3
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
[ v3_tsa ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
[ v3_plain ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
";

fn openssl(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// A root and a time stamping certificate under it, made by OpenSSL in `dir`:
/// `<prefix>-ca.{key,pem}` (CN "`<cn>` root") and `<prefix>-tsa.{key,pem}` (CN `<cn>`, the
/// `ext` section of ts.cnf), keys from `genpkey` with `key_args`, signed with `md` and `sign`
/// options.
fn root_and_leaf(dir: &Path, prefix: &str, cn: &str, key_args: &[&str], md: &str, sign: &[&str], ext: &str) {
    let f = |what: &str| format!("{prefix}-{what}");
    let (ca_key, ca, key, csr, leaf) = (f("ca.key"), f("ca.pem"), f("tsa.key"), f("tsa.csr"), f("tsa.pem"));
    let (root_subject, subject) = (format!("/CN={cn} root"), format!("/CN={cn}"));
    openssl(dir, &[&["genpkey"][..], key_args, &["-out", &ca_key]].concat());
    openssl(
        dir,
        &[
            &["req", "-x509", "-new", "-key", &ca_key, md, "-subj", &root_subject, "-days", "3650"][..],
            &["-extensions", "v3_ca", "-config", "ts.cnf", "-out", &ca],
            sign,
        ]
        .concat(),
    );
    openssl(dir, &[&["genpkey"][..], key_args, &["-out", &key]].concat());
    openssl(dir, &["req", "-new", "-key", &key, md, "-subj", &subject, "-out", &csr]);
    openssl(
        dir,
        &[
            &["x509", "-req", "-in", &csr, "-CA", &ca, "-CAkey", &ca_key, md, "-days", "365"][..],
            &["-extfile", "ts.cnf", "-extensions", ext, "-set_serial", "7", "-out", &leaf],
            sign,
        ]
        .concat(),
    );
}

/// A time stamping authority made by OpenSSL: a P-256 root and a TSA certificate under it,
/// with (or without) the timeStamping extended key usage.
struct Tsa {
    dir: PathBuf,
    name: &'static str,
}

impl Tsa {
    fn new(dir: &Path, name: &'static str, time_stamping: bool) -> Self {
        std::fs::write(dir.join("ts.cnf"), TS_CONFIG).unwrap();
        std::fs::write(dir.join("serial"), "01\n").unwrap();
        let ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
        let ext = if time_stamping { "v3_tsa" } else { "v3_plain" };
        root_and_leaf(dir, name, name, &ec, "-sha256", &[], ext);
        Self { dir: dir.to_owned(), name }
    }

    /// A token over `data`, its imprint in `digest` (`sha256` or `sm3`).
    fn stamp(&self, data: &[u8], digest: &str) -> Vec<u8> {
        let f = |what: &str| format!("{}-{what}", self.name);
        std::fs::write(self.dir.join(f("data")), data).unwrap();
        openssl(
            &self.dir,
            &["ts", "-query", "-data", &f("data"), &format!("-{digest}"), "-cert", "-out", &f("req.tsq")],
        );
        openssl(
            &self.dir,
            &["ts", "-reply", "-queryfile", &f("req.tsq"), "-signer", &f("tsa.pem"), "-inkey", &f("tsa.key")]
                .iter()
                .chain(&["-config", "ts.cnf", "-token_out", "-out", &f("token.der")])
                .copied()
                .collect::<Vec<_>>(),
        );
        std::fs::read(self.dir.join(f("token.der"))).unwrap()
    }

    /// The TSTInfo of `token` signed again by this authority's certificate with `openssl cms`
    /// (which, unlike `openssl ts`, signs with a certificate not for time stamping).
    fn resign(&self, token: &[u8]) -> Vec<u8> {
        let f = |what: &str| format!("{}-{what}", self.name);
        std::fs::write(self.dir.join(f("in.der")), token).unwrap();
        openssl(
            &self.dir,
            &[
                "cms",
                "-verify",
                "-noverify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                &f("in.der"),
                "-out",
                &f("tst.der"),
            ],
        );
        openssl(
            &self.dir,
            &[
                "cms",
                "-sign",
                "-binary",
                "-nodetach",
                "-in",
                &f("tst.der"),
                "-econtent_type",
                "id-smime-ct-TSTInfo",
            ]
            .iter()
            .chain(&["-signer", &f("tsa.pem"), "-inkey", &f("tsa.key"), "-md", "sha256", "-outform", "DER"])
            .chain(&["-out", &f("resigned.der")])
            .copied()
            .collect::<Vec<_>>(),
        );
        std::fs::read(self.dir.join(f("resigned.der"))).unwrap()
    }

    fn anchors(&self) -> TrustStore {
        let pem = std::fs::read(self.dir.join(format!("{}-ca.pem", self.name))).unwrap();
        let mut t = TrustStore::new();
        t.add(Certificate::from_pem_or_der(&pem).unwrap());
        t
    }
}

/// DER: a tag and its content.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn oid(dotted: &str) -> Vec<u8> {
    use der::Encode as _;
    der::asn1::ObjectIdentifier::new_unwrap(dotted).to_der().unwrap()
}

/// An SM2 time stamping authority: OpenSSL makes its SM2 root and TSA certificate (signed with
/// the GM/T 0009 default ID, which OpenSSL 3.0 leaves empty unless told) and signs
/// with its key (`openssl pkeyutl`, SM2 with SM3 and the default ID), and `openssl ts` (with an
/// ECDSA key beside it) writes the TSTInfo. OpenSSL 3.0 cannot sign CMS with SM2 ("pkcs7 add
/// signature error"), so the SignedData around them is assembled here, as GB/T 35275 lays it
/// out.
struct Sm2Tsa {
    ec: Tsa,
    dir: PathBuf,
}

impl Sm2Tsa {
    fn new(dir: &Path) -> Self {
        let ec = Tsa::new(dir, "tstinfo", true);
        let id = ["-sigopt", "distid:1234567812345678"];
        root_and_leaf(dir, "sm2", "SM2 TSA", &["-algorithm", "SM2"], "-sm3", &id, "v3_tsa");
        Self { ec, dir: dir.to_owned() }
    }

    fn stamp(&self, data: &[u8]) -> Vec<u8> {
        use der::{Decode as _, Encode as _};
        use sm3::Digest as _;
        let token = self.ec.stamp(data, "sm3");
        std::fs::write(self.dir.join("sm2-in.der"), token).unwrap();
        openssl(
            &self.dir,
            &[
                "cms",
                "-verify",
                "-noverify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                "sm2-in.der",
                "-out",
                "sm2-tst.der",
            ],
        );
        let tst = std::fs::read(self.dir.join("sm2-tst.der")).unwrap();
        let pem = std::fs::read(self.dir.join("sm2-tsa.pem")).unwrap();
        let cert_der = Certificate::from_pem_or_der(&pem).unwrap().der().to_vec();
        let cert = x509_cert::Certificate::from_der(&cert_der).unwrap();
        let sm3_alg = tlv(0x30, &oid("1.2.156.10197.1.401"));
        let content_type =
            tlv(0x30, &[oid("1.2.840.113549.1.9.3"), tlv(0x31, &oid("1.2.840.113549.1.9.16.1.4"))].concat());
        let digest = tlv(0x04, &sm3::Sm3::digest(&tst));
        let message_digest = tlv(0x30, &[oid("1.2.840.113549.1.9.4"), tlv(0x31, &digest)].concat());
        let mut attrs = [content_type, message_digest];
        attrs.sort();
        let attrs = attrs.concat();
        std::fs::write(self.dir.join("sm2-attrs.der"), tlv(0x31, &attrs)).unwrap();
        openssl(
            &self.dir,
            &[
                "pkeyutl",
                "-sign",
                "-inkey",
                "sm2-tsa.key",
                "-rawin",
                "-digest",
                "sm3",
                "-in",
                "sm2-attrs.der",
            ]
            .iter()
            .chain(&["-pkeyopt", "distid:1234567812345678", "-out", "sm2-sig.der"])
            .copied()
            .collect::<Vec<_>>(),
        );
        let signature = std::fs::read(self.dir.join("sm2-sig.der")).unwrap();
        let sid = tlv(
            0x30,
            &[
                cert.tbs_certificate().issuer().to_der().unwrap(),
                cert.tbs_certificate().serial_number().to_der().unwrap(),
            ]
            .concat(),
        );
        let signer_info = tlv(
            0x30,
            &[
                tlv(0x02, &[1]),
                sid,
                sm3_alg.clone(),
                tlv(0xa0, &attrs),
                tlv(0x30, &oid("1.2.156.10197.1.501")),
                tlv(0x04, &signature),
            ]
            .concat(),
        );
        let encap = tlv(0x30, &[oid("1.2.840.113549.1.9.16.1.4"), tlv(0xa0, &tlv(0x04, &tst))].concat());
        let signed_data = tlv(
            0x30,
            &[tlv(0x02, &[3]), tlv(0x31, &sm3_alg), encap, tlv(0xa0, &cert_der), tlv(0x31, &signer_info)]
                .concat(),
        );
        tlv(0x30, &[oid("1.2.840.113549.1.7.2"), tlv(0xa0, &signed_data)].concat())
    }

    fn anchors(&self) -> TrustStore {
        let pem = std::fs::read(self.dir.join("sm2-ca.pem")).unwrap();
        let mut t = TrustStore::new();
        t.add(Certificate::from_pem_or_der(&pem).unwrap());
        t
    }
}

struct Desk {
    holder: SealHolder,
    trust: TrustStore,
}

/// A seal valid from `from` for `days` days (maker and signer certificates from a day before
/// now for years).
fn desk(from: OffsetDateTime, days: i64) -> Desk {
    let now = OffsetDateTime::now_utc();
    let root = kit::root(Algorithm::Sm2Sm3, "印章根CA", now - Duration::days(400));
    let (maker_key, maker_cert) = kit::signer(
        &root,
        Algorithm::Sm2Sm3,
        "印章制作中心",
        kit::ISSUER_CODE,
        now - Duration::days(300),
        3000,
    );
    let (holder_key, holder_cert) = kit::signer(
        &root,
        Algorithm::Sm2Sm3,
        "成都示例科技有限公司",
        "91510100MA61ABCDE3",
        now - Duration::days(300),
        3000,
    );
    let seal = SealMaker::new(Box::new(maker_key), maker_cert)
        .unwrap()
        .make(&SealRequest {
            es_id: "510100000001".into(),
            name: "成都示例科技有限公司合同专用章".into(),
            kind: 1,
            holder_certificates: vec![holder_cert.clone()],
            picture: SealPicture { kind: "PNG".into(), data: vec![0x89, b'P'], width_mm: 40, height_mm: 40 },
            created: from,
            valid_start: from,
            valid_end: from + Duration::days(days),
            vid: "yinxin".into(),
            status: None,
        })
        .unwrap();
    Desk {
        holder: SealHolder::new(&seal, Box::new(holder_key), holder_cert).unwrap(),
        trust: kit::trust(&root),
    }
}

#[test]
fn an_openssl_time_stamp_is_verified_with_tsa_anchors_and_unverified_without() {
    let dir = tempfile::tempdir().unwrap();
    let tsa = Tsa::new(dir.path(), "tsa", true);
    let now = OffsetDateTime::now_utc();
    let d = desk(now - Duration::days(10), 100);
    let data = b"a contract";
    let sig = d.holder.sign(data, now, "contract.txt").unwrap();
    for digest in ["sha256", "sm3"] {
        let stamped =
            attach_time_stamp(&sig, &tsa.stamp(&time_stamp_imprint(&sig).unwrap(), digest)).unwrap();
        assert!(SealSignature::from_der(&stamped).unwrap().has_time_stamp());

        let plain = SealVerifier::new(d.trust.clone());
        let ok = plain.verify_signature(&stamped, data, now).unwrap();
        let ts = ok.time_stamp().unwrap();
        assert_eq!(ts.status, TimeStampStatus::Unverified, "{digest}");
        assert_eq!(ts.tsa.as_deref(), Some("CN=tsa"));
        let stamped_at = ts.gen_time.unwrap();
        assert!((stamped_at - now).abs() < Duration::minutes(5), "{stamped_at} vs {now}");

        let with_tsa = SealVerifier::new(d.trust.clone()).with_tsa_anchors(tsa.anchors());
        let ok = with_tsa.verify_signature(&stamped, data, now).unwrap();
        assert_eq!(ok.time_stamp().unwrap().status, TimeStampStatus::Verified, "{digest}");
    }
}

#[test]
fn an_sm2_time_stamp_is_verified_too() {
    let dir = tempfile::tempdir().unwrap();
    let tsa = Sm2Tsa::new(dir.path());
    let now = OffsetDateTime::now_utc();
    let d = desk(now - Duration::days(10), 100);
    let data = b"a contract";
    let sig = d.holder.sign(data, now, "contract.txt").unwrap();
    let imprint = time_stamp_imprint(&sig).unwrap();
    let stamped = attach_time_stamp(&sig, &tsa.stamp(&imprint)).unwrap();
    let v = SealVerifier::new(d.trust.clone()).with_tsa_anchors(tsa.anchors());
    let ok = v.verify_signature(&stamped, data, now).unwrap();
    let ts = ok.time_stamp().unwrap();
    assert_eq!(ts.status, TimeStampStatus::Verified, "{:?}", ts.problem);
    assert_eq!(ts.tsa.as_deref(), Some("CN=SM2 TSA"));
    // Its root not trusted: invalid; over something else: invalid.
    let ec_only = SealVerifier::new(d.trust.clone()).with_tsa_anchors(tsa.ec.anchors());
    assert_eq!(ec_only.verify_signature(&stamped, data, now).unwrap_err().code(), "seal.time_stamp_invalid");
    let other = attach_time_stamp(&sig, &tsa.stamp(b"another value")).unwrap();
    assert_eq!(v.verify_signature(&other, data, now).unwrap_err().code(), "seal.time_stamp_invalid");
}

#[test]
fn a_verified_time_stamp_is_the_signing_time() {
    // The seal expired yesterday; the signer wrote a timeInfo inside its validity, but the
    // TSA stamped the signature today.
    let dir = tempfile::tempdir().unwrap();
    let tsa = Tsa::new(dir.path(), "tsa", true);
    let now = OffsetDateTime::now_utc();
    let d = desk(now - Duration::days(30), 29);
    let data = b"a contract";
    let sig = d.holder.sign(data, now - Duration::days(5), "contract.txt").unwrap();
    let stamped = attach_time_stamp(&sig, &tsa.stamp(&time_stamp_imprint(&sig).unwrap(), "sha256")).unwrap();
    // Without TSA anchors the stamp is not trusted: judged at timeInfo, valid.
    let plain = SealVerifier::new(d.trust.clone());
    assert!(plain.verify_signature(&stamped, data, now).is_ok());
    // With them, judged at the stamped time: outside the seal's validity.
    let with_tsa = SealVerifier::new(d.trust.clone()).with_tsa_anchors(tsa.anchors());
    let err = with_tsa.verify_signature(&stamped, data, now).unwrap_err();
    assert_eq!(err.code(), "seal.signed_outside_validity");
}

#[test]
fn wrong_time_stamps_are_invalid_each_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let tsa = Tsa::new(dir.path(), "tsa", true);
    let other = Tsa::new(dir.path(), "other", true);
    let plain_cert = Tsa::new(dir.path(), "plain", false);
    let now = OffsetDateTime::now_utc();
    let d = desk(now - Duration::days(10), 100);
    let data = b"a contract";
    let sig = d.holder.sign(data, now, "contract.txt").unwrap();
    let imprint = time_stamp_imprint(&sig).unwrap();
    let v = SealVerifier::new(d.trust.clone()).with_tsa_anchors(tsa.anchors());
    let reason = |token: &[u8]| {
        let stamped = attach_time_stamp(&sig, token).unwrap();
        let err = v.verify_signature(&stamped, data, now).unwrap_err();
        assert_eq!(err.code(), "seal.time_stamp_invalid");
        err.to_string()
    };
    // A stamp over something else.
    assert!(reason(&tsa.stamp(b"another signature", "sha256")).contains("message imprint"));
    // A TSA the verifier does not trust.
    assert!(reason(&other.stamp(&imprint, "sha256")).contains("the TSA certificate"));
    // A certificate not for time stamping (its root trusted, no extended key usage): the
    // good token's TSTInfo signed by it.
    let v_plain = SealVerifier::new(d.trust.clone()).with_tsa_anchors(plain_cert.anchors());
    let resigned = plain_cert.resign(&tsa.stamp(&imprint, "sha256"));
    let err = v_plain.verify_signature(&attach_time_stamp(&sig, &resigned).unwrap(), data, now).unwrap_err();
    assert_eq!(err.code(), "seal.time_stamp_invalid");
    assert!(err.to_string().contains("not for time stamping"), "{err}");
    // The same re-signing with a proper TSA certificate verifies: the refusal above is the
    // certificate's usage, not the re-signing.
    let resigned = tsa.resign(&tsa.stamp(&imprint, "sha256"));
    assert!(v.verify_signature(&attach_time_stamp(&sig, &resigned).unwrap(), data, now).is_ok());
    // Every single-byte change of a good token is refused or leaves the stamp not verified.
    let good = tsa.stamp(&imprint, "sha256");
    for i in (0..good.len()).step_by(7) {
        let mut bad = good.clone();
        bad[i] ^= 0x01;
        let Ok(stamped) = attach_time_stamp(&sig, &bad) else { continue };
        if let Ok(ok) = v.verify_signature(&stamped, data, now) {
            // Bytes no check covers (e.g. unsigned parts): the stamp must still verify as a
            // whole, with the same time.
            let ts = ok.time_stamp().unwrap();
            assert_eq!(ts.status, TimeStampStatus::Verified, "byte {i}");
        }
    }
    // Garbage and an oversized token.
    assert!(reason(b"\x30\x03\x02\x01\x01").contains("no content"));
    assert_eq!(attach_time_stamp(&sig, &vec![0u8; 70_000]).unwrap_err().code(), "seal.too_large");
}

#[test]
fn ofd_verdicts_report_the_time_stamp() {
    let dir = tempfile::tempdir().unwrap();
    let tsa = Tsa::new(dir.path(), "tsa", true);
    let now = OffsetDateTime::now_utc();
    let d = desk(now - Duration::days(10), 100);
    // An OFD signed by yinxin, its SignedValue.dat then stamped by the TSA.
    let doc = yinxin_test_vectors::read_vector("ofd/SESV4SignDoc.ofd");
    let signed = sign_ofd(&doc, &d.holder, &Stamp::default(), now, OfdLimits::default()).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(signed.ofd.clone())).unwrap();
    let value_path = signed.signature.trim_start_matches('/').replace("Signature.xml", "SignedValue.dat");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        use std::io::{Read as _, Write as _};
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == value_path {
            data = attach_time_stamp(&data, &tsa.stamp(&time_stamp_imprint(&data).unwrap(), "sm3")).unwrap();
        }
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&data).unwrap();
    }
    let stamped = out.finish().unwrap().into_inner();
    let v = SealVerifier::new(d.trust.clone()).with_tsa_anchors(tsa.anchors());
    let verdicts = verify_ofd(&stamped, &v, OfdLimits::default(), now).unwrap();
    let ours = verdicts.iter().find(|v| v.signature == signed.signature).unwrap();
    assert!(ours.valid, "{:?}", ours.errors);
    assert_eq!(ours.time_stamp, Some(TimeStampStatus::Verified));
    assert!(ours.time_stamped_at.is_some());
    let unverified =
        verify_ofd(&stamped, &SealVerifier::new(d.trust.clone()), OfdLimits::default(), now).unwrap();
    let ours = unverified.iter().find(|v| v.signature == signed.signature).unwrap();
    assert_eq!(ours.time_stamp, Some(TimeStampStatus::Unverified));
    assert!(ours.valid);
}
