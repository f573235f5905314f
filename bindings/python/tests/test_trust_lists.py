"""Trust lists through the Python bindings: a verifier that trusts a list operator, lists the
app hands over or fetches with its own HTTP client, rollback refused, offline from the last
good list, and the record of accepted lists kept across a restart."""

import hashlib
import os
import pathlib

import pytest

import yinxin

ROOT = pathlib.Path(__file__).resolve().parents[3]
SHARED = pathlib.Path(os.environ.get("YINXIN_SHARED", ROOT.parent / "shared"))
BUSINESS = (SHARED / "fixtures" / "business-license.json").read_text(encoding="utf-8")
BUSINESS_TYPE = "11100000000013338W001"
LIST_URL = "https://trust.example.gov.cn/510000/list"


@pytest.fixture(scope="module")
def world():
    sc = yinxin.Authority.generate("es256", "成都市市场监督管理局", "11510000MB0123456W", 365)
    operator = yinxin.Authority.generate("sm2", "四川省大数据中心", "11510000MB1C2D3E45", 365)
    wallet = yinxin.Wallet.with_software_key("es256")
    issued = sc.issuer().issue(BUSINESS, wallet.holder_public_key(), None, None, None)
    return sc, operator, issued


def sign(operator, sc, issue, types=(BUSINESS_TYPE,)):
    entries = [yinxin.TrustListEntrySpec(certificate_pem=sc.root_certificate_pem(), types=list(types))]
    return operator.sign_trust_list("四川省电子证照信任列表", "510000", issue, 7, entries)


def config():
    return yinxin.VerifierConfig(trust_anchors_pem="", window_seconds=300, accept_unknown_status=False, gm_only=False)


def lists(operator, urls=(), cache_dir=None, state_json=None):
    return yinxin.TrustListConfig(
        list_operator_anchors_pem=operator.root_certificate_pem(),
        trust_list_urls=list(urls),
        cache_dir=cache_dir,
        grace_hours=0,
        state_json=state_json,
        fetch_status_lists=False,
    )


def test_lists_the_app_hands_over(world):
    sc, operator, issued = world
    v = yinxin.Verifier.with_trust_lists(config(), lists(operator), None)
    assert v.verify_license(issued.credential, None).code == "trust.untrusted_root"
    summary = v.add_trust_list(sign(operator, sc, 2, ["11100000000013338W002"]), None)
    assert (summary.provider, summary.region, summary.issue_id, summary.authorities) == (
        "四川省电子证照信任列表", "510000", 2, 1)
    assert v.verify_license(issued.credential, None).code == "license.type_not_allowed"
    v.add_trust_list(sign(operator, sc, 3), None)
    verdict = v.verify_license(issued.credential, None)
    assert verdict.valid, verdict.message
    with pytest.raises(yinxin.YinxinError.Invalid) as e:
        v.add_trust_list(sign(operator, sc, 1), None)
    assert e.value.code == "trust_list.rollback"
    # The record of accepted lists, saved and handed to a new verifier: still no rollback.
    state = v.trust_list_state_json()
    again = yinxin.Verifier.with_trust_lists(config(), lists(operator, state_json=state), None)
    with pytest.raises(yinxin.YinxinError.Invalid) as e:
        again.add_trust_list(sign(operator, sc, 2), None)
    assert e.value.code == "trust_list.rollback"
    with pytest.raises(yinxin.YinxinError.Unreadable) as e:
        v.add_trust_list(b"not a list", None)
    assert e.value.code == "trust_list.malformed"
    # A list signed by an authority that is no configured operator.
    with pytest.raises(yinxin.YinxinError.Invalid) as e:
        v.add_trust_list(sign(sc, sc, 9), None)
    assert e.value.code == "trust_list.operator_untrusted"


class AppHttp(yinxin.HttpClient):
    """The app's own networking, serving one list from memory (or failing, or not modified)."""

    def __init__(self, body):
        self.body = body
        self.mode = "ok"
        self.requests = []

    def get(self, url, etag, accept, max_bytes):
        self.requests.append((url, etag, accept))
        if self.mode == "down":
            return yinxin.HttpResponse(status=0, etag=None, cache_control=None, body=b"", error="offline")
        tag = '"%s"' % hashlib.sha256(self.body).hexdigest()[:16]
        if etag == tag:
            return yinxin.HttpResponse(status=304, etag=tag, cache_control="max-age=60", body=b"", error=None)
        return yinxin.HttpResponse(status=200, etag=tag, cache_control="max-age=60", body=self.body, error=None)


def test_lists_fetched_with_the_apps_http_client_and_kept_offline(world, tmp_path):
    sc, operator, issued = world
    http = AppHttp(sign(operator, sc, 5))
    cache = str(tmp_path / "cache")
    v = yinxin.Verifier.with_trust_lists(config(), lists(operator, [LIST_URL], cache), http)
    [report] = v.refresh_trust_lists(True)
    assert (report.outcome, report.issue_id) == ("updated", 5)
    assert http.requests[0] == (LIST_URL, None, "application/cose")
    assert v.verify_license(issued.credential, None).valid
    # Conditional: the ETag goes back, the server answers 304.
    [report] = v.refresh_trust_lists(True)
    assert report.outcome == "current"
    assert http.requests[-1][1] is not None
    # Not due yet (max-age 60): no request at all.
    before = len(http.requests)
    assert [r.outcome for r in v.refresh_trust_lists(False)] == ["not_due"]
    assert len(http.requests) == before
    # Offline, a new verifier on the same cache directory trusts what it trusted before.
    http.mode = "down"
    offline = yinxin.Verifier.with_trust_lists(config(), lists(operator, [LIST_URL], cache), http)
    [report] = offline.refresh_trust_lists(True)
    assert (report.outcome, report.code, report.cached) == ("failed", "fetch.network", True)
    assert offline.verify_license(issued.credential, None).valid
    # The server rolled back to an older issue: refused, the newer list stays.
    http.mode = "ok"
    http.body = sign(operator, sc, 4)
    [report] = offline.refresh_trust_lists(True)
    assert (report.outcome, report.code, report.cached) == ("failed", "trust_list.rollback", True)
