"""The holder's encrypted wallet through the Python bindings (issue 19): the showing PIN and
its lock-out, a storage key kept by a keystore implemented here, requests with reader
authentication and consent, an agent's delegation, backups."""

import json
import os
import pathlib
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import yinxin

ROOT = pathlib.Path(__file__).resolve().parents[3]
SHARED = pathlib.Path(os.environ.get("YINXIN_SHARED", ROOT.parent / "shared"))
BUSINESS = (SHARED / "fixtures" / "business-license.json").read_text(encoding="utf-8")
PIN = "246810"
AGENT_ID = "510104199003071237"


@pytest.fixture(scope="module")
def authority():
    return yinxin.Authority.generate("es256", "成都市市场监督管理局", "11510000MB0123456W", 365)


@pytest.fixture(scope="module")
def platform():
    """The region's service platform, which certifies counters."""
    return yinxin.Authority.generate("es256", "四川省政务服务平台", "11510000MB0123456W", 365)


class Keystore(yinxin.StorageKey):
    """A platform keystore stand-in: AES-GCM under a key that never leaves this object."""

    def __init__(self):
        self.key = AESGCM.generate_key(bit_length=256)
        self.fail = False

    def wrap(self, key):
        nonce = os.urandom(12)
        return nonce + AESGCM(self.key).encrypt(nonce, bytes(key), b"yinxin")

    def unwrap(self, wrapped):
        if self.fail:
            raise yinxin.YinxinError.Config("keystore.user_not_authenticated", "biometric prompt cancelled")
        wrapped = bytes(wrapped)
        return AESGCM(self.key).decrypt(wrapped[:12], wrapped[12:], b"yinxin")


def options(anchors=""):
    return yinxin.WalletStoreOptions(gm=False, verifier_anchors_pem=anchors, sensitive=None)


def issued_license(authority):
    """A business license and its holder key (PKCS#8)."""
    holder = yinxin.Wallet.with_software_key("es256")
    issued = authority.issuer().issue(BUSINESS, holder.holder_public_key(), None, None, None)
    return issued, holder.software_key_pkcs8()


def verifier(authority):
    v = yinxin.Verifier(
        yinxin.VerifierConfig(
            trust_anchors_pem=authority.root_certificate_pem(),
            window_seconds=300,
            accept_unknown_status=True,
            gm_only=False,
        )
    )
    v.add_issuer_certificate(authority.issuer_certificate_pem().encode())
    return v


def disclosed(verdict):
    return {e.identifier: json.loads(e.value_json) for e in verdict.disclosed}


def test_pin_keystore_and_lockout(tmp_path, authority):
    keystore = Keystore()
    store = yinxin.WalletStore.create(str(tmp_path / "w"), PIN, options(), keystore)
    wallet = store.unlock(PIN, None)
    issued, key = issued_license(authority)
    assert wallet.add(issued.credential, key).identifier == issued.identifier
    listing = wallet.licenses()
    assert [l.holder_name for l in listing.licenses] == ["成都天府示例科技有限公司"]
    details = {e.identifier: json.loads(e.value_json) for e in wallet.details(issued.identifier)}
    assert details["legal_representative"] == "李四" and len(details) == 22
    assert listing.damaged == []

    qr = wallet.present(PIN, issued.identifier, ["holder_name"], None)
    verdict = verifier(authority).verify_qr(qr, None)
    assert verdict.valid, verdict.message
    assert disclosed(verdict) == {"holder_name": "成都天府示例科技有限公司"}

    # Without the keystore the wallet does not open; a keystore refusal is not a wrong PIN.
    with pytest.raises(yinxin.YinxinError.Config) as e:
        yinxin.WalletStore.open(str(tmp_path / "w"), None).unlock(PIN, None)
    assert e.value.code == "wallet.keystore"
    keystore.fail = True
    with pytest.raises(yinxin.YinxinError.Config) as e:
        store.unlock(PIN, None)
    assert e.value.code == "wallet.keystore"
    assert store.failed_attempts() == 0
    keystore.fail = False

    # Five wrong PINs lock the wallet for a minute; the count is on disk.
    now = int(time.time())
    for left in (4, 3, 2, 1):
        with pytest.raises(yinxin.YinxinError.Invalid) as e:
            yinxin.WalletStore.open(str(tmp_path / "w"), keystore).unlock("000000", now)
        assert e.value.code == "wallet.pin_wrong"
        assert f"{left} more" in e.value.reason
    with pytest.raises(yinxin.YinxinError.Invalid) as e:
        store.unlock("000000", now)
    assert e.value.code == "wallet.locked"
    assert store.locked_until(now) == now + 60
    with pytest.raises(yinxin.YinxinError.Invalid) as e:
        store.unlock(PIN, now + 30)
    assert e.value.code == "wallet.locked"
    store.unlock(PIN, now + 61)
    assert store.failed_attempts() == 0
    # A presentation asks for the PIN again.
    with pytest.raises(yinxin.YinxinError.Invalid) as e:
        wallet.present("111111", issued.identifier, ["holder_name"], None)
    assert e.value.code == "wallet.pin_wrong"
    with pytest.raises(yinxin.YinxinError.Config) as e:
        store.unlock("12345", None)
    assert e.value.code == "wallet.pin_format"


def test_request_with_reader_authentication_and_consent(tmp_path, authority, platform):
    counter_key = ec.generate_private_key(ec.SECP256R1())
    pkcs8 = counter_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    spki = counter_key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    chain = platform.issue_verifier_certificate(
        spki, "成都市政务服务中心", "91510100MA61ABCDE3", ["holder_name", "legal_representative"], 30
    )
    store = yinxin.WalletStore.create(str(tmp_path / "w"), PIN, options(platform.root_certificate_pem()), None)
    wallet = store.unlock(PIN, None)
    issued, key = issued_license(authority)
    wallet.add(issued.credential, key)

    request = yinxin.make_request(pkcs8, chain, ["holder_name", "legal_representative"], "办理变更登记", None)
    assert request.startswith("YXR1:")
    info = wallet.read_request(request, None)
    assert info.authenticated and info.verifier_name == "成都市政务服务中心"
    assert info.verifier_code == "91510100MA61ABCDE3"
    assert info.elements == ["holder_name", "legal_representative"] and info.purpose == "办理变更登记"
    qr = wallet.present_for_request(PIN, issued.identifier, request, None)

    v = verifier(authority)
    other = v.verify_qr(qr, None)
    assert not other.valid and other.code == "present.request_bound"
    mine = v.verify_qr_for_request(qr, request, spki, None)
    assert mine.valid, mine.message
    assert mine.request_bound
    assert disclosed(mine) == {"holder_name": "成都天府示例科技有限公司", "legal_representative": "李四"}
    assert v.verify_qr_for_request(qr, request, spki, None).code == "present.replayed"

    greedy = yinxin.make_request(pkcs8, chain, ["holder_name", "business_scope"], "核验", None)
    with pytest.raises(yinxin.YinxinError.Invalid) as e:
        wallet.read_request(greedy, None)
    assert e.value.code == "request.not_authorised"

    [entry] = wallet.history()
    assert entry.verifier_name == "成都市政务服务中心" and entry.purpose == "办理变更登记"
    assert entry.elements == ["holder_name", "legal_representative"]


def test_agent_delegation_and_backup(tmp_path, authority):
    company = yinxin.WalletStore.create(str(tmp_path / "company"), PIN, options(), None).unlock(PIN, None)
    issued, key = issued_license(authority)
    company.add(issued.credential, key)
    agent_key = ec.generate_private_key(ec.SECP256R1())
    agent_pkcs8 = agent_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    agent_spki = agent_key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    delegation = company.delegate(PIN, issued.identifier, agent_spki, "王五", AGENT_ID, ["holder_name"], 30, None)

    agent = yinxin.WalletStore.create(str(tmp_path / "agent"), "135790", options(), None).unlock("135790", None)
    agent.add_delegated(issued.credential, agent_pkcs8, delegation)
    verdict = verifier(authority).verify_qr(agent.present("135790", issued.identifier, ["holder_name"], None), None)
    assert verdict.valid, verdict.message
    assert (verdict.agent_name, verdict.agent_id, verdict.on_behalf_of) == ("王五", AGENT_ID, "成都天府示例科技有限公司")
    with pytest.raises(yinxin.YinxinError.Invalid) as e:
        agent.present("135790", issued.identifier, ["business_scope"], None)
    assert e.value.code == "present.delegation_scope"

    backup = company.backup("correct horse battery staple")
    restored = yinxin.WalletStore.restore(str(tmp_path / "restored"), backup, "correct horse battery staple", "112233", None)
    again = restored.unlock("112233", None)
    assert [l.identifier for l in again.licenses().licenses] == [issued.identifier]
    with pytest.raises(yinxin.YinxinError.Unreadable) as e:
        yinxin.WalletStore.restore(str(tmp_path / "x"), backup, "wrong horse battery staple", "112233", None)
    assert e.value.code == "wallet.backup_invalid"
