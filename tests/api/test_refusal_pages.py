"""Up-front refusals (a wrong key, too many failures) as a browser and as a program see them.

A planner whose browser sends a stale or revoked key (a remembered Basic login) opening the
portal gets a Chinese page with the same 401 and challenges; GDAL, QGIS and curl keep the
problem+json document.
"""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import CHALLENGES

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
WRONG = {"Authorization": "Bearer gza_not-a-key"}


@pytest.fixture(scope="module")
def fresh(settings, ctx, tmp_path_factory):
    """An app of its own: the failed keys here must not trip the session app's limiter."""
    own = settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("refusal"),
                                      "auth_failures_per_minute": 6})
    with TestClient(create_app(own, ctx)) as client:
        yield client


def test_a_browser_with_a_wrong_key_gets_a_chinese_page_with_the_challenges(fresh):
    r = fresh.get("/", headers={**WRONG, "Accept": BROWSER})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers.get_list("www-authenticate") == list(CHALLENGES)
    assert "需要有效的 API 密钥" in r.text and 'href="/"' in r.text
    assert "<h1>需要有效的 API 密钥</h1>" in r.text  # the heading is Chinese


@pytest.mark.parametrize("headers", [{"Accept": "application/json"}, {}, {"Accept": BROWSER}])
def test_programs_keep_problem_json(fresh, headers):
    params = {"f": "json"} if headers.get("Accept") == BROWSER else None
    r = fresh.get("/collections", headers={**WRONG, **headers}, params=params)
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 401


def test_a_write_from_a_browser_form_stays_problem_json(fresh):
    r = fresh.post("/imports/base-stations", headers={"Accept": BROWSER})
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"


def test_too_many_failures_is_a_chinese_page_with_retry_after(fresh):
    for _ in range(8):  # past the limit of 6 (with the failures of the tests above)
        r = fresh.get("/collections/counties", headers={**WRONG, "Accept": BROWSER})
    assert r.status_code == 429
    assert r.headers["content-type"].startswith("text/html") and "retry-after" in r.headers
    assert "认证失败次数过多" in r.text
