"""Spreadsheet and CSV bombs are refused fast with a 4xx error naming the problem.

The files are built here with zipfile and hand-written XML - the attacks of issue 10: a cell
at XFD1048576 (calamine asked for 512 GiB and aborted the process), a declared dimension of
the whole sheet, a cell at BXX100000 (247 s, 7.9 GB), a 1 GiB cell in a 1 MB file, a zip
bomb, a CSV with 10^6 columns on one line (7.5 min of CPU). The big parts are written
streaming, so this process stays small; its RSS must stay flat while the file is refused,
because the workbook is parsed in a limited worker process, not here.
"""

from __future__ import annotations

import functools
import io
import time
import zipfile
from collections.abc import Iterable

import orjson
import pytest

from geo.errors import ServiceBusyError, UploadRejectedError, UploadTooLargeError
from geo.inventory import sandbox
from geo.inventory.ingest import import_inventory
from geo.inventory.locate import CountyLocator
from geo.inventory.read import ReadLimits, read_upload
from geo.inventory.validate import validate
from geo.settings import AtlasSettings
from geo.store.base import BatchInfo, SiteQuery
from geo.store.sqlite import SqliteSiteStore

HEAD = ["site_id", "lon", "lat", "type", "band", "status", "commissioned"]
GOOD = ["A1", "114.93", "25.83", "macro", "n78", "on_air", "2021-03-01"]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAX_RSS_GROWTH_MB = 200
MAX_SECONDS = 20


# ------------------------------------------------------------------ file builders

def label(n: int) -> str:
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def row(number: int, values: list[str]) -> str:
    cells = "".join(inline(f"{label(i + 1)}{number}", v) for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def sheet(rows: str, dimension: str | None = None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}">'
            f"{dim}<sheetData>{rows}</sheetData></worksheet>")


GOOD_ROWS = row(1, HEAD) + row(2, GOOD)


def workbook(sheet_xml: str | Iterable[bytes], shared: str | Iterable[bytes] | None = None,
             extra: dict[str, str] | None = None) -> bytes:
    """A minimal XLSX; a part given as an iterable of bytes is stream-written (zip64)."""
    rels = f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    if shared is not None:
        rels += (f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" '
                 'Target="sharedStrings.xml"/>')
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="application'
            '/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
                        f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" '
                        'Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
                            f'xmlns:r="{DOC_RELS}"><sheets><sheet name="Sheet1" sheetId="1" '
                            'r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships '
                                       f'xmlns="{RELS}">{rels}</Relationships>'),
        "xl/worksheets/sheet1.xml": sheet_xml,
        **({"xl/sharedStrings.xml": shared} if shared is not None else {}),
        **(extra or {}),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, content in parts.items():
            if isinstance(content, str):
                z.writestr(name, content)
            else:
                with z.open(name, "w", force_zip64=True) as member:
                    for piece in content:
                        member.write(piece)
    return buf.getvalue()


def far_cell(ref: str) -> bytes:
    number = int("".join(ch for ch in ref if ch.isdigit()))
    return workbook(sheet(GOOD_ROWS + f'<row r="{number}">{inline(ref, "x")}</row>'))


@functools.cache
def huge_cell(size: int = 1 << 30) -> bytes:
    """A 1 GiB inline-string cell: about 1 MB once deflated."""
    def parts():
        head, tail = sheet(GOOD_ROWS + "@@").split("@@")
        yield (head + '<row r="3"><c r="A3" t="inlineStr"><is><t>').encode()
        block = b"A" * (1 << 20)
        for _ in range(size >> 20):
            yield block
        yield ("</t></is></c></row>" + tail).encode()
    return workbook(parts())


@functools.cache
def zip_bomb(size: int = 256 << 20) -> bytes:
    """Shared strings of 256 MiB (16 M strings) deflated about 1,000:1."""
    def parts():
        yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode()
        block = b"<si><t>x</t></si>" * (1 << 16)
        for _ in range(size // len(block)):
            yield block
        yield b"</sst>"
    return workbook(sheet(GOOD_ROWS), shared=parts())


def implicit_positions() -> bytes:
    """60,000 cells without r="..." widen row 2 and a cell at A200001 is within the row
    limit: no reference is over a limit, but calamine would allocate 200,001 x 60,000 cells
    (384 GB) - only the worker's memory limit stops this one."""
    wide = "<c><v>1</v></c>" * 60_000
    return workbook(sheet(row(1, HEAD) + f'<row r="2">{wide}</row>'
                          + '<row r="200001"><c r="A200001"><v>1</v></c></row>'))


def wide_csv(columns: int = 10**6) -> bytes:
    return (",".join(f"c{i}" for i in range(columns)) + "\n").encode()


# name: (builder, status, phrase expected in the detail)
BOMBS = {
    "cell_at_XFD1048576": (lambda: far_cell("XFD1048576"), 413, "1048576"),
    "dimension_A1_XFD1048576": (lambda: workbook(sheet(GOOD_ROWS, "A1:XFD1048576")), 413,
                                "A1:XFD1048576"),
    "cell_at_BXX100000": (lambda: far_cell("BXX100000"), 413, "BXX100000"),
    "one_gib_cell": (huge_cell, 413, "unpacks to more than"),
    "zip_bomb": (zip_bomb, 413, "zip bomb"),
    "csv_million_columns": (wide_csv, 413, "64 columns"),
}


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        line = next(x for x in f if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


# ------------------------------------------------------------------ the attacks

@pytest.mark.parametrize("name", list(BOMBS))
def test_bomb_is_refused_fast_and_small(name):
    build, status, phrase = BOMBS[name]
    data = build()
    assert len(data) < 8 << 20  # small uploads, all of them
    before, start = rss_mb(), time.monotonic()
    with pytest.raises((UploadTooLargeError, UploadRejectedError)) as err:
        read_upload(data, 200_000)
    seconds, growth = time.monotonic() - start, rss_mb() - before
    assert err.value.status == status and phrase in err.value.detail, err.value.detail
    assert seconds < MAX_SECONDS and growth < MAX_RSS_GROWTH_MB, (seconds, growth)


@pytest.fixture
def store(tmp_path):
    return SqliteSiteStore(tmp_path / "atlas.sqlite")


@pytest.fixture(scope="module")
def locator():
    return CountyLocator.for_region(AtlasSettings())


def test_refused_bomb_is_recorded_as_a_rejected_batch_and_changes_nothing(store, locator):
    csv = (b"site_id,lon,lat,type,band,status,commissioned\n"
           b"A1,114.93,25.83,macro,n78,on_air,2021-03-01\n")
    import_inventory(store, csv, BatchInfo("中国移动", "t", "cli"), locator, 1000)
    before = store.query(SiteQuery(operators=None, limit=100))[0].to_dict("records")
    with pytest.raises(UploadTooLargeError) as err:
        import_inventory(store, far_cell("XFD1048576"),
                         BatchInfo("中国移动", "t", "upload", filename="bomb.xlsx"), locator, 1000)
    assert store.query(SiteQuery(operators=None, limit=100))[0].to_dict("records") == before
    last = store.batches(None, 1)[0]
    assert last["id"] == err.value.extensions["batch_id"] and last["filename"] == "bomb.xlsx"
    assert (last["rows_read"], last["inserted"], last["updated"]) == (0, 0, 0)


def test_implicit_cell_positions_hit_the_worker_memory_limit_not_the_server():
    data = implicit_positions()
    before = rss_mb()
    with pytest.raises(UploadTooLargeError, match="more than 1,024 MB of memory"):
        read_upload(data, 200_000)
    assert rss_mb() - before < MAX_RSS_GROWTH_MB


def test_a_slow_workbook_is_killed_at_the_time_limit():
    rows = "".join(row(n, [f"S{n}", "114.93", "25.83", "macro", "n78", "on_air", ""])
                   for n in range(2, 60_002))
    data = workbook(sheet(row(1, HEAD) + rows))
    start = time.monotonic()
    with pytest.raises(UploadTooLargeError, match="longer than 0.2 s"):
        read_upload(data, 200_000, ReadLimits(worker_seconds=0.2))
    assert time.monotonic() - start < 5


def test_busy_readers_answer_503_instead_of_queueing_forever(monkeypatch):
    import threading

    monkeypatch.setattr(sandbox, "WORKER_SLOTS", threading.BoundedSemaphore(1))
    sandbox.WORKER_SLOTS.acquire()
    with pytest.raises(ServiceBusyError) as err:
        read_upload(workbook(sheet(GOOD_ROWS)), 10, ReadLimits(worker_seconds=0.1))
    assert err.value.status == 503


@pytest.mark.parametrize(("rows", "phrase"), [
    (GOOD_ROWS + "<row r='7'><c r = 'bm7'><v>1</v></c></row>", "bm7"),  # quotes, spaces, case
    (GOOD_ROWS + '<row r="3"><c r="A0000000300000"><v>1</v></c></row>', "A0000000300000"),
    (row(1, HEAD) + row(2, [*GOOD[:6], "x" * 50_000]), "longer than 1,000 characters"),
])
def test_reference_and_text_spellings_are_caught_before_calamine(rows, phrase):
    with pytest.raises(UploadTooLargeError) as err:
        read_upload(workbook(sheet(rows)), 200_000)
    assert phrase in err.value.detail


@pytest.mark.parametrize(("data", "phrase"), [
    (workbook(sheet(GOOD_ROWS), extra={"XL/WORKBOOK.XML": "<x/>"}), "twice"),
    (workbook(sheet(GOOD_ROWS.replace("<t>A1</t>", "<t><![CDATA[A1]]></t>"))), "CDATA"),
    (workbook(sheet(GOOD_ROWS).replace("<worksheet", "<!DOCTYPE x><worksheet")), "DOCTYPE"),
    (workbook(sheet(GOOD_ROWS).replace('encoding="UTF-8"', 'encoding="UTF-16"')), "UTF-8"),
    (workbook(sheet(GOOD_ROWS).replace('<row r="2">', '<row r="&#50;">')), "unusual"),
])
def test_tricks_that_would_hide_text_or_parts_from_the_scan_are_refused(data, phrase):
    with pytest.raises(UploadRejectedError, match=phrase):
        read_upload(data, 200_000)


def test_ods_or_xlsb_in_a_zip_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(UploadRejectedError, match="not an XLSX"):
        read_upload(buf.getvalue(), 10)


def test_count_attribute_that_would_preallocate_is_refused():
    shared = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="2000000000" '
              'uniqueCount="2000000000"><si><t>x</t></si></sst>')
    with pytest.raises(UploadTooLargeError, match="2000000000"):
        read_upload(workbook(sheet(GOOD_ROWS), shared=shared), 200_000)


# ------------------------------------------------------------------ limits keep row errors

def test_excel_row_numbers_survive_blank_rows_and_offsets(locator):
    rows = ('<row r="2"><c r="B2" t="inlineStr"><is><t>site_id</t></is></c>'
            + "".join(inline(f"{label(i + 3)}2", h) for i, h in enumerate(HEAD[1:])) + "</row>"
            + '<row r="3"><c r="B3" t="inlineStr"><is><t>A1</t></is></c>'
            + "".join(inline(f"{label(i + 3)}3", v) for i, v in enumerate(GOOD[1:])) + "</row>"
            + '<row r="6"><c r="B6" t="inlineStr"><is><t>A2</t></is></c>'
            + "".join(inline(f"{label(i + 3)}6", v)
                      for i, v in enumerate(["abc", *GOOD[2:]])) + "</row>")
    table = read_upload(workbook(sheet(rows)), 100)
    assert table.rows.tolist() == [3, 6]
    (error,) = validate(table, "wgs84", locator).errors
    assert (error["row"], error["column"], error["value"]) == (6, "lon", "abc")


def test_long_cell_is_a_row_level_error_with_its_excel_row():
    shared = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="1" '
              f'uniqueCount="1"><si><t>{"站" * 3000}</t></si></sst>')
    rows = GOOD_ROWS + '<row r="4"><c r="A4" t="s"><v>0</v></c></row>'
    with pytest.raises(UploadTooLargeError) as err:
        read_upload(workbook(sheet(rows), shared=shared), 100)
    (error,) = err.value.extensions["errors"]
    assert (error["row"], error["column"]) == (4, "site_id") and "3,000" in error["reason"]


def test_csv_long_cell_and_wide_first_row_are_refused_with_row_errors():
    head = ",".join(HEAD) + "\n"
    with pytest.raises(UploadTooLargeError) as err:
        read_upload((head + ",".join(GOOD) + "\n" + "B" * 5000 + ",1,2,macro,,on_air,\n")
                    .encode(), 100)
    assert err.value.extensions["errors"][0]["row"] == 3
    quoted = head + ",".join(GOOD) + '\n"' + "\n".join(["C" * 600] * 3) + '",1,2,macro,,on_air,\n'
    with pytest.raises(UploadTooLargeError) as err:  # short lines, one long quoted cell
        read_upload(quoted.encode(), 100)
    assert err.value.extensions["errors"][0]["row"] == 3
    with pytest.raises(UploadRejectedError) as err:  # pandas would index 10^6 fields
        read_upload((head + ",".join(["x"] * 20) + "\n").encode(), 100)
    assert err.value.extensions["errors"][0]["row"] == 2
    start = time.monotonic()
    with pytest.raises(UploadTooLargeError, match="longer than"):
        read_upload((head + ",".join(["x"] * 10**6) + "\n").encode(), 100)
    assert time.monotonic() - start < 2


def test_geojson_with_too_many_properties_is_refused():
    props = {f"p{i}": 1 for i in range(100)}
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [114.9, 25.8]},
         "properties": props}]}
    with pytest.raises(UploadTooLargeError, match="100 properties"):
        read_upload(orjson.dumps(doc), 100)


def test_row_limit_counts_rows_without_reading_past_it():
    data = (",".join(HEAD) + "\n" + "A,1,2,macro,,on_air,\n" * 5000).encode()
    with pytest.raises(UploadTooLargeError, match="more than 1,000 rows"):
        read_upload(data, 1000)


def test_limits_default_to_the_settings_defaults():
    assert ReadLimits.from_settings(AtlasSettings(), 200_000) == ReadLimits()


def test_worker_crash_is_a_client_error_not_a_500():
    import signal

    assert isinstance(sandbox._worker_failure(-signal.SIGSEGV, "", ReadLimits()),
                      UploadRejectedError)
    assert isinstance(sandbox._worker_failure(-signal.SIGABRT, "memory allocation of 8 bytes "
                                              "failed", ReadLimits()), UploadTooLargeError)
