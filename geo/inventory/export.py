"""An operator's own sites as an inventory file it can edit and import again unchanged.

Operators keep their site lists in spreadsheets; the export gives them the stored list back
in exactly the import format (``vocab.CSV_COLUMNS``, one header row of field names, values
as the importer reads them), so "export, edit three rows, import" touches three rows and a
re-import of an untouched export reports every row ``unchanged``.

Round trip by construction:

* positions are stored in WGS84 rounded to 7 decimals (``validate``). ``wgs84`` writes them
  with 7 decimals, which parse back to the same float. ``gcj02``/``bd09`` apply the forward
  offset and write 10 decimals (0.01 mm): the importer's iterative inverse lands within
  ~1e-10° of the stored value, far inside the 7-decimal rounding it then applies, so the
  stored float comes back bit for bit (the difference to the exact inverse is < 1 mm).
* ``commissioned`` is written as the importer's ``YYYY-MM-DD`` text; an empty band stays
  empty.
* formula neutralisation (``geo.tabular``): no value the importer accepts can start a
  formula - a site id must start with a letter, digit or 汉字, the other columns are a
  vocabulary, dates or numbers - so nothing of a re-importable row is changed. A stored id
  that breaks the site-id rule (only possible from before the rule) gets the apostrophe:
  it could not be imported again anyway, and a spreadsheet must never run it.

Only the operator's own *real* sites: the synthetic demo filed under its name is not its
data (docs/security.md).
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

from geo.coords import wgs84_to_bd09, wgs84_to_gcj02
from geo.errors import InvalidParameterError
from geo.inventory import basis
from geo.inventory.validate import SITE_ID_PATTERN
from geo.inventory.vocab import COORD_SYSTEMS, CSV_COLUMNS, OPERATORS
from geo.labels import SITE_TYPE, STATUS
from geo.store.base import SiteQuery, SiteStore
from geo.tabular import neutralise

DECIMALS = {"wgs84": 7, "gcj02": 10, "bd09": 10}
_SITE_ID = re.compile(SITE_ID_PATTERN)
_FORWARD = {"gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}
# The second sheet of the XLSX: what each column holds (the importer reads the first only)
_HELP = (
    ("site_id", "站址编号", "运营商自编，≤64字符，以字母、数字或汉字开头"),
    ("lon", "经度", "十进制度，坐标系见文件名"),
    ("lat", "纬度", "十进制度，坐标系见文件名"),
    ("type", "站型", "、".join(f"{k}={v}" for k, v in SITE_TYPE.items())),
    ("band", "频段", "n1、n28、n41、n77、n78、n79，可为空"),
    ("status", "状态", "、".join(f"{k}={v}" for k, v in STATUS.items())),
    ("commissioned", "开通日期", "YYYY-MM-DD，可为空"),
)


def resolve_operator(value: str) -> str:
    """An operator's name from its name (中国移动) or code (cmcc); a 400 naming it otherwise."""
    text = value.strip()
    if text in OPERATORS:
        return text
    by_code = {code: name for name, code in OPERATORS.items()}
    if text.lower() in by_code:
        return by_code[text.lower()]
    choices = "、".join(f"{n} ({c})" for n, c in OPERATORS.items())
    raise InvalidParameterError(f"未知运营商 unknown operator {value[:40]!r}; 可选 one of "
                                f"{choices}", "operator")


def own_sites(store: SiteStore, operator: str) -> pd.DataFrame:
    """Every real site of ``operator``, ordered by site id (never the synthetic demo)."""
    frame, _ = store.query(SiteQuery(operators=(operator,), limit=10**9,
                                     equals=(("synthetic", "0"),)))
    return basis.of_basis(frame, basis.REAL).sort_values("site_id", kind="stable")


def _site_id(value: str) -> str:
    """The id as the importer needs it; neutralised only if it could not be imported."""
    return value if _SITE_ID.fullmatch(value) else str(neutralise(value))


def export_frame(sites: pd.DataFrame, coord_sys: str) -> pd.DataFrame:
    """The sites in the import columns, positions in ``coord_sys`` (floats, not rounded
    text: the writers format them)."""
    if coord_sys not in COORD_SYSTEMS:
        raise InvalidParameterError(
            f"coord_sys must be one of {', '.join(COORD_SYSTEMS)}", "coord_sys")
    lon = sites["lon"].to_numpy(dtype=float)
    lat = sites["lat"].to_numpy(dtype=float)
    if coord_sys in _FORWARD and len(lon):
        lon, lat = _FORWARD[coord_sys](lon, lat)
    digits = DECIMALS[coord_sys]

    def text(column: str) -> list[str]:
        return ["" if v is None or v != v else str(v) for v in sites[column]]

    return pd.DataFrame({
        "site_id": [_site_id(str(v)) for v in sites["site_id"]],
        "lon": np.round(lon, digits), "lat": np.round(lat, digits),
        "type": text("type"), "band": text("band"), "status": text("status"),
        "commissioned": text("commissioned"),
    }, columns=list(CSV_COLUMNS))


def csv_bytes(frame: pd.DataFrame, coord_sys: str) -> bytes:
    """UTF-8 CSV with BOM (Excel reads the 汉字 right), fixed decimals for the positions."""
    digits = DECIMALS[coord_sys]
    out = frame.copy()
    for name in ("lon", "lat"):
        out[name] = [f"{v:.{digits}f}" for v in out[name]]
    return ("\ufeff" + out.to_csv(index=False, lineterminator="\r\n")).encode("utf-8")


def xlsx_bytes(frame: pd.DataFrame, coord_sys: str) -> bytes:
    """The import format as a workbook: one header row of field names, positions as number
    cells; a second sheet explains the columns in Chinese.

    Written row by row (openpyxl's write-only mode), so a large inventory does not build a
    cell object per value. ``commissioned`` stays the ``YYYY-MM-DD`` text the importer
    documents (it sorts like a date, and reads back as itself).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("基站清单")
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFG", (24, 16, 16, 9, 8, 9, 13), strict=True):
        sheet.column_dimensions[letter].width = width
    bold = Font(bold=True)
    header = []
    for name in CSV_COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in frame.itertuples(index=False):
        sheet.append([row.site_id, float(row.lon), float(row.lat), row.type,
                      row.band or None, row.status, row.commissioned or None])
    notes = book.create_sheet("字段说明")
    notes.column_dimensions["C"].width = 48
    notes.append(["字段 field", "含义", "取值"])
    for line in _HELP:
        notes.append(list(line))
    notes.append(["coord_sys", "坐标系", f"{coord_sys}（再次导入时请选同一坐标系）"])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def filename(operator: str, coord_sys: str, suffix: str) -> str:
    """An ASCII file name that says whose sites and which datum (e.g. for GCJ-02 tools)."""
    return f"base_stations_{OPERATORS[operator]}_{coord_sys}.{suffix}"
