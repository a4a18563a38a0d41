"""Every JSON document validates against the model OpenAPI declares for it."""

import pytest

from api.models import (
    CollectionDocument,
    Collections,
    Conformance,
    FeatureCollectionPage,
    ImportReport,
    LandingPage,
)


@pytest.fixture(scope="module")
def planner(app):
    key = app.state.service.store.create_key("planner", None, "m")[1]
    return {"Authorization": f"Bearer {key}"}


def test_landing_and_conformance(client):
    LandingPage.model_validate(client.get("/").json())
    Conformance.model_validate(client.get("/conformance").json())


def test_collections_and_every_collection_and_page(client, planner):
    listing = Collections.model_validate(client.get("/collections", headers=planner).json())
    assert {c.id for c in listing.collections} >= {"counties", "base_stations", "coverage_gaps"}
    for c in listing.collections:
        CollectionDocument.model_validate(client.get(f"/collections/{c.id}",
                                                     headers=planner).json())
        page = client.get(f"/collections/{c.id}/items", params={"limit": 3}, headers=planner)
        assert page.status_code == 200, (c.id, page.text[:200])
        body = FeatureCollectionPage.model_validate(page.json())
        assert body.numberReturned == len(body.features) <= 3


def test_import_report(client, app):
    key = app.state.service.store.create_key("operator", "中国广电", "m")[1]
    r = client.post("/imports/base-stations", headers={"Authorization": f"Bearer {key}"},
                    files={"file": ("a.csv", b"site_id,lon,lat,type,status\nM-1,114.93,25.83,"
                                             b"macro,on_air\n")})
    ImportReport.model_validate(r.json())


def test_openapi_declares_schemas_and_the_problems_really_returned(client):
    doc = client.get("/api").json()
    paths = doc["paths"]
    landing = paths["/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert landing["$ref"].endswith("/LandingPage")
    items = paths["/collections/{collectionId}/items"]["get"]["responses"]
    assert {"200", "400", "401", "404", "429"} <= set(items) and "422" not in items
    create = paths["/collections/base_stations/items"]["post"]["responses"]
    assert {"400", "401", "403", "409", "413", "422"} <= set(create)
    problem = create["413"]["content"]["application/problem+json"]["schema"]
    assert problem["required"] == ["type", "title", "status"]
