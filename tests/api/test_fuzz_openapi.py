"""Schemathesis drives every operation of /api: no client input may produce a 5xx."""

import schemathesis
from hypothesis import HealthCheck, settings

from api.app import create_app
from geo.settings import AtlasSettings

_app = create_app(AtlasSettings())
_app.state.service.warm()
schema = schemathesis.openapi.from_asgi("/api", _app)


@schema.parametrize()
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_no_server_errors(case):
    response = case.call()
    assert response.status_code < 500, (case.path, case.query, response.text[:300])
    if response.status_code >= 400:
        assert response.headers["content-type"][0].startswith("application/problem+json")
