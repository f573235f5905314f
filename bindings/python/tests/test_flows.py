"""The real flows through the Python bindings: issue, present, verify once, revoke, tamper,
a key held outside Rust (HolderKey), seals and OFD files from other implementations."""

import json
import os
import pathlib
import time

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

import yinxin

ROOT = pathlib.Path(__file__).resolve().parents[3]
SHARED = pathlib.Path(os.environ.get("YINXIN_SHARED", ROOT.parent / "shared"))
BUSINESS = (SHARED / "fixtures" / "business-license.json").read_text(encoding="utf-8")
COUNTER_CHECK = ["holder_name", "holder_code", "legal_representative", "valid_until", "license_identifier"]
STATUS_URI = "https://status.example.gov.cn/lists/7"


@pytest.fixture(scope="module")
def authority():
    return yinxin.Authority.generate("es256", "成都市市场监督管理局", "11510000MB0123456W", 365)


def verifier(authority, window=300):
    return yinxin.Verifier(
        yinxin.VerifierConfig(
            trust_anchors_pem=authority.root_certificate_pem(),
            window_seconds=window,
            accept_unknown_status=False,
            gm_only=False,
        )
    )


def issue_to(wallet, authority, index):
    issued = authority.issuer().issue(BUSINESS, wallet.holder_public_key(), STATUS_URI, index, None)
    summary = wallet.add_license(issued.credential)
    assert summary.identifier == issued.identifier
    return issued


def with_status(authority, entries=()):
    v = verifier(authority)
    token = authority.issuer().sign_status_list(
        STATUS_URI, 1024, [yinxin.StatusEntry(index=i, status=s) for i, s in entries], 3600, 24
    )
    v.add_status_list(token)
    return v


def disclosed(verdict):
    return {e.identifier: json.loads(e.value_json) for e in verdict.disclosed}


def test_issue_present_verify_once(authority):
    wallet = yinxin.Wallet.with_software_key("es256")
    issued = issue_to(wallet, authority, 3)
    [summary] = wallet.licenses()
    assert summary.license_name == "营业执照"
    assert summary.holder_name == "成都天府示例科技有限公司"
    assert {s.name for s in summary.disclosure_sets} == {"full", "counter_check"}

    qr = wallet.present(issued.identifier, COUNTER_CHECK, None)
    assert qr.startswith("YX1:") and len(qr) <= 700
    v = with_status(authority)
    first = v.verify_qr(qr, None)
    assert first.valid, first.message
    assert first.doc_type == "cn.gov.elicense.11100000000013338W001"
    assert first.status == "valid"
    shown = disclosed(first)
    assert shown["legal_representative"] == "李四"
    assert shown["holder_code"] == "91510100MA61ABCDE3"
    assert set(shown) == set(COUNTER_CHECK)
    assert 0 <= first.age_seconds <= 5

    second = v.verify_qr(qr, None)
    assert not second.valid
    assert second.code == "present.replayed"


def test_revoked_suspended_and_unknown_status_are_refused(authority):
    wallet = yinxin.Wallet.with_software_key("es256")
    issued = issue_to(wallet, authority, 11)
    revoked = with_status(authority, [(11, 1)]).verify_qr(wallet.present(issued.identifier, COUNTER_CHECK, None), None)
    assert (revoked.code, revoked.status) == ("license.revoked", "revoked")
    suspended = with_status(authority, [(11, 2)]).verify_qr(wallet.present(issued.identifier, COUNTER_CHECK, None), None)
    assert (suspended.code, suspended.status) == ("license.suspended", "suspended")
    # A counter without the issuer's list knows neither the issuer certificate nor the status.
    no_lists = verifier(authority)
    assert no_lists.verify_qr(wallet.present(issued.identifier, COUNTER_CHECK, None), None).code == "license.issuer_key_unknown"
    no_lists.add_issuer_certificate(authority.issuer_certificate_pem().encode())
    unknown = no_lists.verify_qr(wallet.present(issued.identifier, COUNTER_CHECK, None), None)
    assert (unknown.code, unknown.status) == ("license.status_unknown", "unknown")
    # The whole credential, too.
    assert with_status(authority, [(11, 1)]).verify_license(issued.credential, None).code == "license.revoked"
    whole = with_status(authority).verify_license(issued.credential, None)
    assert whole.valid and whole.status == "valid"


def test_tampered_expired_and_foreign_codes_are_refused(authority):
    wallet = yinxin.Wallet.with_software_key("es256")
    issued = issue_to(wallet, authority, 12)
    qr = wallet.present(issued.identifier, COUNTER_CHECK, None)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    codes = set()
    for pos in range(4, len(qr), 37):
        c = qr[pos]
        bad = qr[:pos] + alphabet[(alphabet.index(c) + 1) % len(alphabet)] + qr[pos + 1:]
        verdict = with_status(authority).verify_qr(bad, None)
        assert not verdict.valid, pos
        assert verdict.code and verdict.message
        codes.add(verdict.code)
    assert codes <= {
        "present.qr_encoding", "present.qr_inflate", "present.qr_truncated", "present.qr_payload", "present.malformed",
        "present.holder_signature_invalid", "license.signature_invalid", "license.malformed",
        "license.mso", "license.digest_mismatch", "trust.unknown_issuer", "present.expired", "present.future",
        "license.status_unknown", "license.element_missing",
    }, codes
    old = wallet.present(issued.identifier, COUNTER_CHECK, int(time.time()) - 600)
    assert with_status(authority).verify_qr(old, None).code == "present.expired"
    assert with_status(authority).verify_qr("HELLO", None).code == "present.qr_prefix"
    other = yinxin.Authority.generate("es256", "某市市场监督管理局", "11510000MB0123456W", 365)
    assert not verifier(other).verify_qr(qr, None).valid


def test_qr_image_round_trip(authority):
    wallet = yinxin.Wallet.with_software_key("sm2")
    issued = issue_to(wallet, authority, 13)
    qr = wallet.present(issued.identifier, COUNTER_CHECK, None)
    png = yinxin.qr_png(qr, 4)
    assert png[:4] == b"\x89PNG"
    assert yinxin.qr_read_image(png) == qr
    assert with_status(authority).verify_image(png, None).valid
    assert with_status(authority).verify_image(b"junk", None).code == "present.qr_image"


class CryptographyKey(yinxin.HolderKey):
    """A holder key outside Rust (as an app's keystore would be): P-256 from `cryptography`."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.calls = 0

    def algorithm(self):
        return "es256"

    def public_key(self):
        return self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, message):
        self.calls += 1
        return self.key.sign(bytes(message), ec.ECDSA(hashes.SHA256()))  # DER, as keystores answer


class WrongKey(CryptographyKey):
    def sign(self, message):
        return ec.generate_private_key(ec.SECP256R1()).sign(bytes(message), ec.ECDSA(hashes.SHA256()))


class FailingKey(CryptographyKey):
    def sign(self, message):
        raise yinxin.YinxinError.HolderKey("keystore.locked", "the user cancelled")


def test_holder_key_implemented_in_python(authority):
    key = CryptographyKey()
    wallet = yinxin.Wallet.with_holder_key(key)
    issued = issue_to(wallet, authority, 14)
    verdict = with_status(authority).verify_qr(wallet.present(issued.identifier, COUNTER_CHECK, None), None)
    assert verdict.valid, verdict.message
    assert key.calls == 1
    with pytest.raises(yinxin.YinxinError.Config) as e:
        wallet.software_key_pkcs8()
    assert e.value.code == "ffi.keystore_key"

    liar = yinxin.Wallet.with_holder_key(WrongKey())
    issued = issue_to(liar, authority, 15)
    with pytest.raises(yinxin.YinxinError.HolderKey) as e:
        liar.present(issued.identifier, COUNTER_CHECK, None)
    assert e.value.code == "crypto.signer_failed"

    locked = yinxin.Wallet.with_holder_key(FailingKey())
    issued = issue_to(locked, authority, 16)
    with pytest.raises(yinxin.YinxinError.HolderKey) as e:
        locked.present(issued.identifier, COUNTER_CHECK, None)
    assert "cancelled" in e.value.reason


def test_software_key_survives_a_restart(authority):
    wallet = yinxin.Wallet.with_software_key("es256")
    saved = wallet.software_key_pkcs8()
    again = yinxin.Wallet.from_software_key(saved)
    assert again.holder_public_key() == wallet.holder_public_key()


def test_errors_carry_stable_codes():
    with pytest.raises(yinxin.YinxinError.Config) as e:
        yinxin.Wallet.with_software_key("rsa")
    assert e.value.code == "crypto.key_unsupported_algorithm"
    wallet = yinxin.Wallet.with_software_key("ed25519")
    with pytest.raises(yinxin.YinxinError.Config) as e:
        wallet.present("1.2.156.nothing", ["holder_name"], None)
    assert e.value.code == "ffi.unknown_license"
    with pytest.raises(yinxin.YinxinError.Unreadable):
        wallet.add_license(b"\xa0")
    with pytest.raises(yinxin.YinxinError.Unreadable) as e:
        wallet.add_license(b"garbage")
    assert e.value.code.startswith("license.")


def test_seal_and_ofd_from_other_implementations():
    ses = SHARED / "vectors" / "ses"
    seal = yinxin.inspect_seal((ses / "UserV4.esl").read_bytes())
    assert (seal.version, seal.name, seal.picture_type) == (4, "OFD R&W 测试用印章", "PNG")
    assert seal.maker_signature and seal.picture[:4] == b"\x89PNG"
    assert yinxin.inspect_seal((ses / "UserV1.esl").read_bytes()).version == 1
    v1 = yinxin.verify_seal((ses / "UserV1.esl").read_bytes(), yinxin.SealPolicy(), 1600000000)  # 2020-09-13: valid then
    assert v1.valid and v1.maker_signature and v1.maker_trusted is None, v1.codes
    assert yinxin.verify_seal((ses / "UserV1.esl").read_bytes(), yinxin.SealPolicy(), None).code == "seal.expired"
    blob = yinxin.verify_seal((ses / "SESealData.DER").read_bytes(), yinxin.SealPolicy(), None)
    # The seal's own validity is checked first (it has expired), its maker signature too.
    assert not blob.maker_signature and blob.codes[:2] == ["seal.expired", "seal.maker_signature_invalid"]
    verdict = yinxin.verify_seal_signature((ses / "SignedValueV4.dat").read_bytes(), b"not the signed data", yinxin.SealPolicy())
    assert verdict.signature_valid and verdict.seal_valid and not verdict.valid
    assert verdict.code == "seal.data_hash_mismatch"
    assert verdict.maker_trusted is None

    [good] = yinxin.verify_ofd((SHARED / "vectors" / "ofd" / "1.ofd").read_bytes(), yinxin.SealPolicy())
    assert good.valid and good.kind == "ses_v4" and good.seal_name == "国家税务总局浙江省税务局"
    assert (good.codes, good.warnings, good.unprotected_files, good.time_stamp) == ([], [], [], None)
    [late] = yinxin.verify_ofd((SHARED / "vectors" / "ofd" / "SESV4SignDoc.ofd").read_bytes(), yinxin.SealPolicy())
    assert not late.valid and late.code == "seal.signed_outside_validity"
    with pytest.raises(yinxin.YinxinError.Unreadable) as e:
        yinxin.verify_ofd(b"not a zip", yinxin.SealPolicy())
    assert e.value.code == "ofd.zip"
    # Status lists are verified against anchors: a policy with lists and no anchors is refused.
    with pytest.raises(yinxin.YinxinError.Config) as e:
        yinxin.verify_ofd(b"", yinxin.SealPolicy(status_lists=[b"x"]))
    assert e.value.code == "ffi.status_lists_need_trust"
    # With anchors that did not make the seal, the maker is untrusted.
    other = yinxin.Authority.generate("sm2", "某印章制作中心", "11510000MB0123456W", 365)
    [untrusted] = yinxin.verify_ofd((SHARED / "vectors" / "ofd" / "1.ofd").read_bytes(),
                                    yinxin.SealPolicy(trust_anchors_pem=other.root_certificate_pem()))
    assert untrusted.code == "seal.maker_untrusted" and untrusted.signature_valid


def test_one_verifier_shared_by_threads_accepts_a_code_once(authority):
    import threading

    wallet = yinxin.Wallet.with_software_key("es256")
    issued = issue_to(wallet, authority, 17)
    counter = with_status(authority)
    codes = [wallet.present(issued.identifier, COUNTER_CHECK, None) for _ in range(4)]
    results = []
    lock = threading.Lock()

    def scan(qr):
        verdict = counter.verify_qr(qr, None)
        with lock:
            results.append((qr, verdict.valid, verdict.code))

    threads = [threading.Thread(target=scan, args=(qr,)) for qr in codes for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for qr in codes:
        mine = [r for r in results if r[0] == qr]
        assert sum(1 for r in mine if r[1]) == 1, mine
        assert all(r[2] == "present.replayed" for r in mine if not r[1])
