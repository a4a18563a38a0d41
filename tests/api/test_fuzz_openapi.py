"""Schemathesis drives every operation of /api: no client input may produce a 5xx.

Run twice: anonymously (most inventory routes answer 401) and with an operator key, so the
inventory handlers themselves are fuzzed too.
"""

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from api.app import create_app
from geo.settings import AtlasSettings

_app = create_app(AtlasSettings(data_dir=Path(tempfile.mkdtemp(prefix="atlas-fuzz-")),
                                demo_inventory=False))
_app.state.service.start()
_, _KEY = _app.state.service.store.create_key("operator", "中国移动", "schemathesis")
schema = schemathesis.openapi.from_asgi("/api", _app)
FUZZ = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


# A whole-atlas download (atlas.gpkg: every layer) is built on its first request; on a busy
# 2-core CI machine that takes longer than schemathesis's 10 s default. Its speed is a bench
# matter (bench/), this test asks only that no input makes a 5xx.
TIMEOUT_S = 180


def _check(response, case) -> None:
    assert response.status_code < 500, (case.method, case.path, case.query, response.text[:300])
    if response.status_code >= 400:
        media = response.headers["content-type"][0]
        if (case.query or {}).get("f") == "html" and media.startswith("text/html"):
            return  # a refusal asked for as a page is a Chinese page (api.refusal)
        assert media.startswith("application/problem+json"), (case.method, case.path, media)


@schema.parametrize()
@FUZZ
def test_no_server_errors_anonymous(case):
    _check(case.call(timeout=TIMEOUT_S), case)


@schema.parametrize()
@FUZZ
def test_no_server_errors_as_operator(case):
    _check(case.call(headers={"Authorization": f"Bearer {_KEY}"}, timeout=TIMEOUT_S), case)
