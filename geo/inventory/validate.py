"""Validate an inventory table row by row and derive each site's WGS84 position and county.

Checks are vectorised (a million rows take a couple of seconds) and every failure becomes a
row-level error ``{row, column, value, code, reason}`` in the operator's own row numbering:
``reason`` in Chinese with the English beside it (operators read it), ``code`` a stable
English identifier (clients and tests match on it; the wording may change). The
coordinates are converted from the declared system (wgs84 / gcj02 / bd09) before the county
join, so a GCJ-02 export from Amap lands in the right county.

Values are read through the alias table (``aliases``: 宏站 -> macro, 在网 -> on_air, 3.5G ->
n78) and stored canonical. The errors say what to fix, not only what is wrong: a lon/lat pair
that lies in the region once swapped is ``swapped_coordinates``; a duplicate site id names
the row of its first occurrence; a point outside the region names the county it fell in
(or the side of the region it lies on).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.coords import bd09_to_wgs84, gcj02_to_wgs84
from geo.errors import InvalidParameterError
from geo.inventory.aliases import (
    STATUS_LABELS,
    TYPE_LABELS,
    ambiguous_band,
    canonical_value,
)
from geo.inventory.locate import CountyLocator
from geo.inventory.read import RawTable
from geo.inventory.vocab import BANDS, COORD_SYSTEMS, SITE_ID_MAX, SITE_TYPES, STATUSES

REGION_NAMES = {"ganzhou": "赣州市", "jiangxi": "江西省"}
COLUMN_NAMES = {"lon": "经度", "lat": "纬度"}


@dataclass(frozen=True)
class Validated:
    """Rows that passed (with derived columns) and every error found."""

    sites: pd.DataFrame  # row, site_id, lon, lat, type, band, status, commissioned, county
    errors: list[dict]
    rows_read: int


class _Errors:
    """Collects row-level errors from boolean masks."""

    def __init__(self, table: RawTable) -> None:
        self.rows = table.rows.to_numpy()
        self.frame = table.frame
        self.items: list[dict] = []
        self.bad = np.zeros(len(table.frame), dtype=bool)

    def add(self, mask: np.ndarray, column: str, code: str, reason: str | np.ndarray,
            values=None) -> None:
        """Record an error for every row in ``mask``; ``reason`` may be one per row."""
        idx = np.flatnonzero(mask)
        if len(idx) == 0:
            return
        vals = self.frame[column].to_numpy() if values is None else values
        why = (lambda i: reason) if isinstance(reason, str) else (lambda i: reason[i])
        self.items += [{"row": int(self.rows[i]), "column": column, "value": _echo(vals[i]),
                        "code": code, "reason": why(i)} for i in idx]
        self.bad[idx] = True


ECHO_MAX = 100  # characters of a bad value repeated in an error (and stored with the batch)


def _echo(value):
    """A bad value as errors repeat it: long texts cut, so a huge cell is not echoed."""
    if isinstance(value, str) and len(value) > ECHO_MAX:
        return value[:ECHO_MAX] + f"…(+{len(value) - ECHO_MAX})"
    return value


def _text(values: np.ndarray) -> np.ndarray:
    """Cells stripped of surrounding whitespace, as an object array of str ("" if missing)."""
    try:
        out = [v.strip() for v in values]
    except AttributeError:  # a non-string cell: a frame not built by read_upload
        out = ["" if not isinstance(v, str) and pd.isna(v) else str(v).strip() for v in values]
    return np.array(out, dtype=object).reshape(len(values))


def _coded(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct cleaned values) of a column with few distinct values.

    Vocabulary columns repeat a handful of values over a million rows, so the cleaning and
    checks run once per distinct value and are mapped back through the codes.
    """
    codes, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=False)
    return codes, _text(np.asarray(uniques, dtype=object))


def _canonical(column: str, values: np.ndarray) -> np.ndarray:
    """Distinct values of a vocabulary column in their canonical spelling (``aliases``)."""
    out = [canonical_value(column, v) for v in values]
    return np.array(out, dtype=object).reshape(len(values))


def _number(values: np.ndarray) -> np.ndarray:
    """Stripped cells as floats; NaN where a cell is not a number (``pd.to_numeric``).

    Plain ASCII numbers (the normal case) are converted by ``float`` in one numpy call;
    anything else - a bad cell, full-width digits, ``1_000`` - takes ``pd.to_numeric``,
    which also decides what counts as a number there.
    """
    joined = "".join(values)
    if joined.isascii() and "_" not in joined:
        try:
            return values.astype(np.float64)
        except (ValueError, TypeError):
            pass
    if not joined.isascii():  # full-width digits (１１４．９３) as Chinese input methods type
        values = np.array([unicodedata.normalize("NFKC", v) for v in values], dtype=object)
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(float)


def _to_wgs84(lon: np.ndarray, lat: np.ndarray, coord_sys: str) -> tuple[np.ndarray, np.ndarray]:
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    if coord_sys == "wgs84" or not ok.any():
        return lon, lat
    convert = gcj02_to_wgs84 if coord_sys == "gcj02" else bd09_to_wgs84
    lon, lat = lon.copy(), lat.copy()
    lon[ok], lat[ok] = convert(lon[ok], lat[ok])
    return lon, lat


# A site id is an identifier: letters, digits and CJK ideographs, then also - _ . # ( ).
# It never starts with what a spreadsheet runs as a formula (= + - @), and control, format
# and bidi characters (U+202E, U+2028, U+0085, DEL, ...) are refused.
SITE_ID_PATTERN = r"[0-9A-Za-z\u3400-\u9fff][0-9A-Za-z\u3400-\u9fff_.\-#()（）]*"
SITE_ID_RULE = ("站址编号含不允许的字符：只能用字母、数字、汉字和 - _ . # ( )，"
                "以字母、数字或汉字开头 (site_id may hold letters, digits, 汉字 and "
                "- _ . # ( ), starting with a letter, digit or 汉字)")


def _site_ids(frame: pd.DataFrame, errors: _Errors) -> np.ndarray:
    site_id = _text(frame["site_id"].to_numpy(dtype=object))
    n = len(site_id)
    empty = site_id == ""
    errors.add(empty, "site_id", "missing_site_id", "缺少站址编号 (missing site_id)")
    too_long = np.fromiter(map(len, site_id), dtype=np.int64, count=n) > SITE_ID_MAX
    errors.add(too_long & ~empty, "site_id", "site_id_too_long",
               f"站址编号过长，最多 {SITE_ID_MAX} 个字符 (site_id must be at most {SITE_ID_MAX} "
               "characters)")
    alphabet = ~pd.Series(site_id, dtype=object).str.fullmatch(SITE_ID_PATTERN).to_numpy(bool)
    errors.add(alphabet & ~empty & ~too_long, "site_id", "site_id_characters", SITE_ID_RULE)
    codes, uniques = pd.factorize(site_id)
    if len(uniques) < n:  # a repeated id: every occurrence after the first, naming the first
        first = np.unique(codes, return_index=True)[1]  # codes number ids in order of appearance
        repeated = np.ones(n, dtype=bool)
        repeated[first] = False
        repeated &= ~empty
        reason = np.full(n, None, dtype=object)
        for i in np.flatnonzero(repeated):
            row = int(errors.rows[first[codes[i]]])
            reason[i] = (f"站址编号与第 {row} 行重复 (duplicate site_id within the file; first "
                         f"in row {row})")
        errors.add(repeated, "site_id", "duplicate_site_id", reason)
    return site_id


def _labelled(labels: dict[str, str]) -> str:
    return "、".join(labels.values())


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                   r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


def _iso_date(text: str) -> str:
    """A year-first date (2021-03-01, 2021/3/1, 2021.3.1, 2021年3月1日, with a time of day
    from a spreadsheet's datetime) as YYYY-MM-DD; other text unchanged (then refused).

    Day-first and month-first dates (01/03/2021) are not guessed at: they are ambiguous.
    """
    match = _DATE.fullmatch(unicodedata.normalize("NFKC", text))
    if match is None:
        return text
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _vocabulary(frame: pd.DataFrame, errors: _Errors) -> dict[str, np.ndarray]:
    site_id = _site_ids(frame, errors)
    kinds, raw_kind = _coded(frame["type"])
    kind = _canonical("type", raw_kind)
    errors.add(~np.isin(kind, SITE_TYPES)[kinds], "type", "unknown_type",
               f"未知站型，请用 {_labelled(TYPE_LABELS)} (unknown type; use one of "
               f"{', '.join(SITE_TYPES)})")
    statuses, raw_status = _coded(frame["status"])
    status = _canonical("status", raw_status)
    errors.add(~np.isin(status, STATUSES)[statuses], "status", "unknown_status",
               f"未知状态，请用 {_labelled(STATUS_LABELS)} (unknown status; use one of "
               f"{', '.join(STATUSES)})")
    bands, raw_band = _coded(frame["band"])
    band = _canonical("band", raw_band)
    unknown = (band != "") & ~np.isin(band, BANDS)
    reason = np.full(len(raw_band), None, dtype=object)
    for i in np.flatnonzero(unknown):
        choices = ambiguous_band(raw_band[i])
        if choices:
            reason[i] = (f"频段不明确，可能是 {' 或 '.join(choices)}，请写频段号 (ambiguous "
                         f"band: {' or '.join(choices)}; write the band)")
    ambiguous = reason != None  # noqa: E711
    errors.add(ambiguous[bands], "band", "ambiguous_band", reason[bands])
    errors.add((unknown & ~ambiguous)[bands], "band", "unknown_band",
               f"未知频段，请用 {'、'.join(BANDS)} 或留空 (unknown band; use one of "
               f"{', '.join(BANDS)} or leave empty)")
    days, raw_date = _coded(frame["commissioned"])
    iso = np.array([_iso_date(v) for v in raw_date], dtype=object).reshape(len(raw_date))
    date = pd.to_datetime(pd.Series(iso, dtype=object), format="%Y-%m-%d", errors="coerce")
    bad_date = (iso != "") & (date.isna() | (date.dt.year < 1990)
                              | (date.dt.year > 2100)).to_numpy(bool)
    errors.add(bad_date[days], "commissioned", "invalid_date",
               "开通日期无效，应为 YYYY-MM-DD，1990–2100 (not a date YYYY-MM-DD (1990-2100))")
    return {"site_id": site_id, "type": kind[kinds], "status": status[statuses],
            "band": _none_if_empty(band)[bands],
            "commissioned": _none_if_empty(iso)[days]}


def _none_if_empty(values: np.ndarray) -> np.ndarray:
    out = values.copy()
    out[values == ""] = None
    return out


_SIDES = {(0, 1): ("北", "north"), (0, -1): ("南", "south"), (1, 0): ("东", "east"),
          (-1, 0): ("西", "west"), (1, 1): ("东北", "north-east"),
          (-1, 1): ("西北", "north-west"), (1, -1): ("东南", "south-east"),
          (-1, -1): ("西南", "south-west")}


def _side(extent, lon: float, lat: float, name: str) -> tuple[str, str]:
    """("赣州市以东", "east of 赣州市") for a point beyond ``extent``; ("", "") within it."""
    if extent is None:
        return "", ""
    west, south, east, north = extent
    key = (int(lon > east) - int(lon < west), int(lat > north) - int(lat < south))
    if key == (0, 0):
        return "", ""
    zh, en = _SIDES[key]
    return f"{name}以{zh}", f"{en} of {name}"


def _where(adcode, names: dict, side: tuple[str, str], beyond_province: bool
           ) -> tuple[str, str]:
    """Where a point outside the region is: its county, else outside 江西省 and/or a side."""
    if adcode is not None:
        county = names.get(adcode, adcode)
        return f"位于{county}", f"it is in {county} ({adcode})"
    parts = [("江西省外", "outside 江西省")] if beyond_province else []
    parts += [side] if side[0] else []
    if not parts:
        return "", ""
    return "位于" + "、".join(p[0] for p in parts), "it is " + ", ".join(p[1] for p in parts)


def _outside_reasons(locator: CountyLocator, lon: np.ndarray, lat: np.ndarray, region: str,
                     coord_sys: str) -> np.ndarray:
    """The reason for each point outside the region, naming where it fell instead.

    Inside 江西省 that is the county (the locator's surroundings know them); beyond, the
    side of the region's extent the point lies on. Reasons are built once per place.
    """
    name = REGION_NAMES.get(region, region)
    surroundings = locator.surroundings() if hasattr(locator, "surroundings") else None
    found = surroundings.locate(lon, lat) if surroundings is not None \
        else np.full(len(lon), None, dtype=object)
    names = surroundings.names if surroundings is not None else {}
    extent = getattr(locator, "extent", None)
    cache: dict[tuple, str] = {}
    out = np.empty(len(lon), dtype=object)
    for i, adcode in enumerate(found):
        side = ("", "") if adcode is not None else _side(extent, lon[i], lat[i], name)
        key = (adcode, *side)
        if key not in cache:
            zh, en = _where(adcode, names, side, surroundings is not None)
            cache[key] = (f"点位不在{name}内" + (f"：{zh}" if zh else "")
                          + f" (point is outside {name} (after {coord_sys} -> WGS84)"
                          + (f"; {en}" if en else "") + ")")
        out[i] = cache[key]
    return out


def _positions(frame: pd.DataFrame, errors: _Errors, coord_sys: str, locator: CountyLocator,
               region: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WGS84 lon, lat and county of every row; the coordinate errors recorded.

    A pair that is out of range or outside the region but lies inside it once swapped is
    reported as swapped (the most common slip in a hand-made sheet), not as out of range.
    """
    raw_lon = _number(_text(frame["lon"].to_numpy(dtype=object)))
    raw_lat = _number(_text(frame["lat"].to_numpy(dtype=object)))
    for column, values in (("lon", raw_lon), ("lat", raw_lat)):
        errors.add(~np.isfinite(values), column, "not_a_number",
                   f"{COLUMN_NAMES[column]}不是数字 (not a number)")
    numbers = np.isfinite(raw_lon) & np.isfinite(raw_lat)
    lon_range = numbers & (np.abs(raw_lon) > 180)
    lat_range = numbers & (np.abs(raw_lat) > 90)
    lon, lat = _to_wgs84(raw_lon, raw_lat, coord_sys)
    finite = np.isfinite(lon) & np.isfinite(lat)
    in_range = finite & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    county = np.full(len(frame), None, dtype=object)
    county[finite] = locator.locate(lon[finite], lat[finite])
    outside = in_range & ~lon_range & ~lat_range & (county == None)  # noqa: E711
    # swapped: try the suspects the other way round (only those: a few rows at most)
    suspect = (outside | lon_range | lat_range) & (np.abs(raw_lat) <= 180) \
        & (np.abs(raw_lon) <= 90)
    swapped = np.zeros(len(frame), dtype=bool)
    if suspect.any():
        s_lon, s_lat = _to_wgs84(raw_lat[suspect], raw_lon[suspect], coord_sys)
        ok = np.isfinite(s_lon) & np.isfinite(s_lat)
        hits = np.zeros(len(s_lon), dtype=bool)
        hits[ok] = locator.locate(s_lon[ok], s_lat[ok]) != None  # noqa: E711
        swapped[np.flatnonzero(suspect)[hits]] = True
    name = REGION_NAMES.get(region, region)
    errors.add(swapped, "lon", "swapped_coordinates",
               f"经纬度可能颠倒：对调后位于{name}内 (lon/lat look swapped: swapped, the point "
               f"lies in {name})")
    errors.add(lon_range & ~swapped, "lon", "out_of_range",
               "经度超出 -180..180 (out of range -180..180)")
    errors.add(lat_range & ~swapped, "lat", "out_of_range",
               "纬度超出 -90..90 (out of range -90..90)")
    # e.g. bd09 180,90: valid input that has no WGS84 position (the inverse diverges)
    errors.add(numbers & ~finite & ~errors.bad, "lon", "no_wgs84_position",
               f"坐标无法转换为 WGS84 (no WGS84 position for this {coord_sys} point)")
    far = outside & ~swapped
    if far.any():
        reasons = np.full(len(frame), None, dtype=object)
        reasons[far] = _outside_reasons(locator, lon[far], lat[far], region, coord_sys)
        errors.add(far, "lon", "outside_region", reasons)
    return lon, lat, county


def validate(table: RawTable, coord_sys: str, locator: CountyLocator,
             region: str = "ganzhou") -> Validated:
    """Check every row; return the good rows (WGS84, county derived) and all errors."""
    if coord_sys not in COORD_SYSTEMS:
        raise InvalidParameterError(
            f"coord_sys 须为 {'、'.join(COORD_SYSTEMS)} 之一 (coord_sys must be one of "
            f"{', '.join(COORD_SYSTEMS)})", "coord_sys")
    frame = table.frame
    errors = _Errors(table)
    values = _vocabulary(frame, errors)
    lon, lat, county = _positions(frame, errors, coord_sys, locator, region)
    good = ~errors.bad
    sites = pd.DataFrame({
        "row": table.rows.to_numpy()[good],
        **{k: v[good] for k, v in values.items()},
        "lon": np.round(lon[good], 7), "lat": np.round(lat[good], 7),
        "county_adcode": county[good],
    })
    errors.items.sort(key=lambda e: (e["row"], e["column"]))
    return Validated(sites=sites, errors=errors.items, rows_read=len(frame))
