"""The QGIS project, layout, metadata and connection XML, checked without QGIS.

tests/api/test_qgis_project.py opens the same files in a real QGIS 3.22; these tests pin
the structure fast: every public layer, relative datasources, the layout's items, the
service URL in the live layers, and XML that stays well-formed with Chinese and ``&``.
"""

from __future__ import annotations

import io
import sqlite3
import xml.etree.ElementTree as ET
import zipfile

import pytest

from geo.layers import LAYERS
from geo.qgis import bundle, connections, layout
from geo.qgis.gpkg import QGIS_METADATA_URI, write_atlas_gpkg
from geo.qgis.order import draw_order, is_point
from geo.qgis.project import LIVE_GROUP, LOCAL_GROUP, layer_id, project
from geo.qgis.qmd import qmd
from geo.qml import layer_qml

SERVICE = "http://atlas.example:8000/sub?key=a&b=c"  # '&' must survive as a character


@pytest.fixture(scope="module")
def results(ctx):
    return [ctx.result(name) for name in LAYERS]


@pytest.fixture(scope="module")
def qgs(results) -> ET.Element:
    text = project(bundle.plan_layers(results), SERVICE, "test")
    assert text.startswith("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n")
    return ET.fromstring(text)


def _maplayers(qgs: ET.Element) -> dict[str, ET.Element]:
    return {m.findtext("id"): m for m in qgs.iter("maplayer")}


def test_every_public_layer_reads_the_gpkg_by_a_relative_path(qgs, results):
    layers = _maplayers(qgs)
    for r in results:
        m = layers[layer_id(r.layer.name, "gpkg")]
        assert m.findtext("datasource") == f"./atlas.gpkg|layername={r.layer.name}"
        assert m.findtext("provider") == "ogr"
        assert m.findtext("layername") == r.layer.title  # Chinese, unescaped after parsing
        assert m.findtext("srs/spatialrefsys/authid") == "EPSG:4326"
    paths = qgs.find("properties/Paths/Absolute")
    assert paths is not None and paths.text == "false"


def test_layer_ids_are_long_enough_for_qgis(qgs):
    """QGIS 3.22 replaces a project layer id of ten characters or fewer with a new one."""
    ids = list(_maplayers(qgs))
    assert len(ids) == len(set(ids)) and all(len(i) > 10 for i in ids)
    assert {n.get("id") for n in qgs.iter("layer-tree-layer")} >= set(ids)


def test_each_layer_carries_its_generated_style_and_aliases(qgs, results):
    layers = _maplayers(qgs)
    for r in results:
        m = layers[layer_id(r.layer.name, "gpkg")]
        style = ET.fromstring(layer_qml(r))
        assert m.find("renderer-v2").get("type") == style.find("renderer-v2").get("type")
        assert m.find("labeling") is not None
        aliases = {a.get("field"): a.get("name") for a in m.iter("alias")}
        assert aliases == {c.name: c.title for c in r.layer.schema.columns}
        assert m.findtext("resourceMetadata/title") == r.layer.title


def test_draw_order_puts_points_on_top_and_province_polygons_at_the_bottom(qgs, results):
    local = next(g for g in qgs.iter("layer-tree-group") if g.get("name") == LOCAL_GROUP)
    names = [n.get("id").removeprefix("atlas_").removesuffix("_gpkg")
             for n in local.iter("layer-tree-layer")]
    assert names == [r.layer.name for r in draw_order(results)]
    points = [r.layer.name for r in results if is_point(r)]
    assert set(names[:len(points)]) == set(points)
    assert names[-1] == "prefectures" and names.index("counties") < names.index(
        "jiangxi_counties")


def test_live_group_reads_the_service(qgs, results):
    live = next(g for g in qgs.iter("layer-tree-group") if g.get("name") == LIVE_GROUP)
    assert live.get("checked") == "Qt::Unchecked"
    layers = _maplayers(qgs)
    for r in results:
        m = layers[layer_id(r.layer.name, "oapif")]
        assert m.findtext("provider") == "OAPIF"
        assert m.findtext("datasource") == f"url='{SERVICE}' typename='{r.layer.name}'"
    tiles = next(m for m in qgs.iter("maplayer") if m.get("type") == "vector-tile")
    source = tiles.findtext("datasource")
    # the service's own query is percent-encoded, so QGIS's QUrlQuery keeps it in ``url``
    # (tests/geo/test_qgis_uris.py decodes it with QGIS itself)
    encoded = SERVICE.replace("=", "%3D").replace("&", "%26")
    assert source.startswith(f"type=xyz&url={encoded}/tiles/prefectures,counties,parks,")
    assert source.endswith("/{z}/{x}/{y}.mvt&zmin=0&zmax=14")
    assert tiles.find("renderer/styles/style/symbols/symbol") is not None


def test_print_layout_has_title_map_legend_scale_bar_north_arrow_and_caveat(qgs):
    items = {i.get("id"): i for i in qgs.iter("LayoutItem")}
    page = items["page"]
    assert page.get("size") == "297,210,mm"  # A4 landscape
    assert items["title"].get("labelText") == layout.TITLE == "赣州市数字经济空间布局"
    assert items["map"].get("type") == str(layout.MAP_TYPE)
    assert items["legend"].get("map_uuid") == items["map"].get("uuid")
    assert items["scalebar"].get("mapUuid") == items["map"].get("uuid")
    assert items["north_arrow"].get("file") == layout.NORTH_ARROW
    assert "审图号" in items["sources"].get("labelText")
    assert "赣州市“十四五”数字经济发展规划" in items["sources"].get("labelText")
    map_layers = [layer.text for layer in items["map"].iter("Layer")]
    legend_layers = [n.get("id") for n in items["legend"].iter("layer-tree-layer")]
    assert map_layers == legend_layers and layer_id("counties", "gpkg") in map_layers


def test_layout_map_frames_ganzhou(results):
    from pyproj import Transformer

    counties = next(r for r in results if r.layer.name == "counties")
    bounds = counties.gdf.total_bounds
    xmin, ymin, xmax, ymax = layout.map_extent(bounds)
    to_metric = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
    cx0, cy0, cx1, cy1 = to_metric.transform_bounds(*bounds)
    assert xmin < cx0 and ymin < cy0 and xmax > cx1 and ymax > cy1
    assert (xmax - xmin) / (ymax - ymin) == pytest.approx(layout.MAP[2] / layout.MAP[3])


def test_qmd_is_qgis_metadata_with_title_keywords_links_and_caveat(results):
    counties = next(r for r in results if r.layer.name == "counties")
    root = ET.fromstring(qmd(counties))
    assert root.tag == "qgis" and root.findtext("title") == "赣州市县级行政区"
    assert root.findtext("identifier") == "counties"
    vocabularies = {k.get("vocabulary") for k in root.findall("keywords")}
    assert {"gmd:topicCategory", "ganzhou-atlas"} <= vocabularies
    assert "赣州" in [k.text for k in root.iter("keyword")]
    assert "审图号" in root.findtext("constraints") and root.findtext("license")
    assert root.find("links/link") is not None
    assert root.findtext("crs/spatialrefsys/authid") == "EPSG:4326"
    spatial = root.find("extent/spatial")
    assert float(spatial.get("minx")) == pytest.approx(counties.gdf.total_bounds[0], abs=1e-5)


def test_connection_files_are_what_qgis_imports():
    wfs = ET.fromstring(connections.wfs_connections(SERVICE))
    assert wfs.tag == "qgsWFSConnections"
    conn = wfs.find("wfs")
    assert conn.get("version") == "OGC_API_FEATURES" and conn.get("url") == SERVICE
    tiles = ET.fromstring(connections.vector_tile_connections(SERVICE, ["counties", "parks"]))
    assert tiles.tag == "qgsVectorTileConnections"
    vt = tiles.find("vectortile")
    assert vt.get("url") == f"{SERVICE}/tiles/counties,parks/{{z}}/{{x}}/{{y}}.mvt"
    assert vt.get("styleUrl") == f"{SERVICE}/tiles/counties,parks/style.json"


def test_gpkg_holds_each_table_with_default_style_and_qgis_metadata(results, tmp_path):
    subset = [r for r in results if r.layer.name in ("counties", "parks")]
    path = write_atlas_gpkg(subset, tmp_path / "atlas.gpkg", layer_qml, qmd)
    with sqlite3.connect(path) as db:
        styles = db.execute("SELECT f_table_name, useAsDefault, styleQML FROM layer_styles "
                            "ORDER BY f_table_name").fetchall()
        meta = db.execute("SELECT r.table_name, r.reference_scope, m.md_standard_uri, "
                          "m.metadata FROM gpkg_metadata_reference r JOIN gpkg_metadata m "
                          "ON m.id = r.md_file_id ORDER BY r.table_name").fetchall()
        extensions = db.execute("SELECT table_name FROM gpkg_extensions WHERE "
                                "extension_name = 'gpkg_metadata'").fetchall()
    assert [(t, d) for t, d, _ in styles] == [("counties", 1), ("parks", 1)]
    assert "行政区划代码" in styles[0][2]  # Chinese field aliases in the style
    assert [(t, s, u) for t, s, u, _ in meta] == [("counties", "table", QGIS_METADATA_URI),
                                                 ("parks", "table", QGIS_METADATA_URI)]
    assert ET.fromstring(meta[1][3]).findtext("title") == "园区与平台"
    assert sorted(extensions) == [("gpkg_metadata",), ("gpkg_metadata_reference",)]


def test_bundle_is_cached_per_version_and_service(results, settings):
    first = bundle.atlas_qgz(results, settings, SERVICE)
    again = bundle.atlas_qgz(results, settings, SERVICE)
    other = bundle.atlas_qgz(results, settings, "http://other.example")
    assert first == again and first.stat().st_mtime_ns == again.stat().st_mtime_ns
    assert other != first and other.parent.parent == first.parent.parent
    text = zipfile.ZipFile(io.BytesIO(other.read_bytes())).read("atlas.qgs").decode()
    assert "url='http://other.example' typename='counties'" in text


def test_host_cycling_cannot_rebuild_or_delete_fresh_bundles(tmp_path):
    """A new service variant over the cap is refused while the kept ones are young."""
    import os
    import time

    from geo.errors import ServiceBusyError
    from geo.qgis import bundle

    for i in range(bundle.MAX_SERVICE_VARIANTS):
        (tmp_path / f"v{i}").mkdir()
    with pytest.raises(ServiceBusyError):
        bundle._make_room(tmp_path)
    assert len(list(tmp_path.iterdir())) == bundle.MAX_SERVICE_VARIANTS  # nothing deleted
    old = time.time() - bundle.VARIANT_MIN_AGE_S - 5
    for i in range(bundle.MAX_SERVICE_VARIANTS):
        os.utime(tmp_path / f"v{i}", (old - i, old - i))
    bundle._make_room(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v0", "v1", "v2"]  # oldest went


def test_another_worker_holding_the_variants_blocks_a_new_variant(results, settings, tmp_path):
    """Across service workers (processes), creating (and so pruning) a variant waits for the
    worker that holds this version's variants: no prune under another worker's build."""
    import subprocess
    import sys
    import threading

    from geo.cache_lock import lock_path

    local = settings.model_copy(update={"data_dir": tmp_path / "var"})
    folder = bundle._folder(results, local)
    folder.mkdir(parents=True)
    release = tmp_path / "release"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time, pathlib\nfrom filelock import FileLock\n"
        f"with FileLock({str(lock_path(folder / 'variants'))!r}):\n"
        "    print('held', flush=True)\n"
        f"    while not pathlib.Path({str(release)!r}).exists(): time.sleep(0.05)\n")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        built: list = []
        worker = threading.Thread(target=lambda: built.append(
            bundle.atlas_qgz(results, local, "http://w2.example")))
        worker.start()
        worker.join(1.5)
        assert worker.is_alive() and not built  # waiting on the other process
        assert not [p for p in folder.iterdir() if p.is_dir()]  # nothing created meanwhile
        release.touch()
        worker.join(120)
        assert built and built[0].exists()
    finally:
        release.touch()
        holder.wait(30)
