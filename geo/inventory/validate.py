"""Validate an inventory table row by row and derive each site's WGS84 position and county.

Checks are vectorised (a million rows take a couple of seconds) and every failure becomes a
row-level error ``{row, column, value, reason}`` in the operator's own row numbering. The
coordinates are converted from the declared system (wgs84 / gcj02 / bd09) before the county
join, so a GCJ-02 export from Amap lands in the right county.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.coords import bd09_to_wgs84, gcj02_to_wgs84
from geo.errors import InvalidParameterError
from geo.inventory.locate import CountyLocator
from geo.inventory.read import RawTable
from geo.inventory.vocab import BANDS, COORD_SYSTEMS, SITE_ID_MAX, SITE_TYPES, STATUSES

REGION_NAMES = {"ganzhou": "赣州市", "jiangxi": "江西省"}


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

    def add(self, mask: np.ndarray, column: str, reason: str, values=None) -> None:
        idx = np.flatnonzero(mask)
        if len(idx) == 0:
            return
        vals = self.frame[column].to_numpy() if values is None else values
        self.items += [{"row": int(self.rows[i]), "column": column,
                        "value": _echo(vals[i]), "reason": reason} for i in idx]
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


def _coded(column: pd.Series, lower: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct cleaned values) of a column with few distinct values.

    Vocabulary columns repeat a handful of values over a million rows, so the cleaning and
    checks run once per distinct value and are mapped back through the codes.
    """
    codes, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=False)
    clean = _text(np.asarray(uniques, dtype=object))
    if lower:
        clean = np.array([v.lower() for v in clean], dtype=object).reshape(len(clean))
    return codes, clean


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
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(float)


def _coords(frame: pd.DataFrame, errors: _Errors) -> tuple[np.ndarray, np.ndarray]:
    lon = _number(_text(frame["lon"].to_numpy(dtype=object)))
    lat = _number(_text(frame["lat"].to_numpy(dtype=object)))
    errors.add(~np.isfinite(lon), "lon", "not a number")
    errors.add(~np.isfinite(lat), "lat", "not a number")
    errors.add(np.isfinite(lon) & (np.abs(lon) > 180), "lon", "out of range -180..180")
    errors.add(np.isfinite(lat) & (np.abs(lat) > 90), "lat", "out of range -90..90")
    return lon, lat


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
SITE_ID_RULE = ("site_id may hold letters, digits, 汉字 and - _ . # ( ), starting with a letter, "
                "digit or 汉字 (站址编号含不允许的字符)")


def _site_ids(frame: pd.DataFrame, errors: _Errors) -> np.ndarray:
    site_id = _text(frame["site_id"].to_numpy(dtype=object))
    n = len(site_id)
    empty = site_id == ""
    errors.add(empty, "site_id", "missing site_id")
    too_long = np.fromiter(map(len, site_id), dtype=np.int64, count=n) > SITE_ID_MAX
    errors.add(too_long & ~empty, "site_id", f"site_id must be at most {SITE_ID_MAX} characters "
               "(站址编号过长)")
    alphabet = ~pd.Series(site_id, dtype=object).str.fullmatch(SITE_ID_PATTERN).to_numpy(bool)
    errors.add(alphabet & ~empty & ~too_long, "site_id", SITE_ID_RULE)
    codes, uniques = pd.factorize(site_id)
    if len(uniques) < n:  # a repeated id: every occurrence after the first
        repeated = np.ones(n, dtype=bool)
        repeated[np.unique(codes, return_index=True)[1]] = False
        errors.add(repeated & ~empty, "site_id", "duplicate site_id within the file")
    return site_id


def _vocabulary(frame: pd.DataFrame, errors: _Errors) -> dict[str, np.ndarray]:
    site_id = _site_ids(frame, errors)
    kinds, kind = _coded(frame["type"], lower=True)
    errors.add(~np.isin(kind, SITE_TYPES)[kinds], "type",
               f"unknown type; use one of {', '.join(SITE_TYPES)}")
    statuses, status = _coded(frame["status"], lower=True)
    errors.add(~np.isin(status, STATUSES)[statuses], "status",
               f"unknown status; use one of {', '.join(STATUSES)}")
    bands, band = _coded(frame["band"], lower=True)
    errors.add(((band != "") & ~np.isin(band, BANDS))[bands], "band",
               f"unknown band; use one of {', '.join(BANDS)} or leave empty")
    days, raw_date = _coded(frame["commissioned"])
    date = pd.to_datetime(pd.Series(raw_date, dtype=object), format="%Y-%m-%d",
                          errors="coerce")
    bad_date = (raw_date != "") & (date.isna() | (date.dt.year < 1990)
                                   | (date.dt.year > 2100)).to_numpy(bool)
    errors.add(bad_date[days], "commissioned", "not a date YYYY-MM-DD (1990-2100)")
    return {"site_id": site_id, "type": kind[kinds], "status": status[statuses],
            "band": _none_if_empty(band)[bands],
            "commissioned": _none_if_empty(raw_date)[days]}


def _none_if_empty(values: np.ndarray) -> np.ndarray:
    out = values.copy()
    out[values == ""] = None
    return out


def validate(table: RawTable, coord_sys: str, locator: CountyLocator,
             region: str = "ganzhou") -> Validated:
    """Check every row; return the good rows (WGS84, county derived) and all errors."""
    if coord_sys not in COORD_SYSTEMS:
        raise InvalidParameterError(
            f"coord_sys must be one of {', '.join(COORD_SYSTEMS)}", "coord_sys")
    frame = table.frame
    errors = _Errors(table)
    values = _vocabulary(frame, errors)
    lon, lat = _coords(frame, errors)
    lon, lat = _to_wgs84(lon, lat, coord_sys)
    finite = np.isfinite(lon) & np.isfinite(lat)
    # e.g. bd09 180,90: valid input that has no WGS84 position (the inverse diverges)
    errors.add(~finite & ~errors.bad, "lon", f"no WGS84 position for this {coord_sys} point "
               "(坐标无法转换)", values=frame["lon"].to_numpy())
    county = np.full(len(frame), None, dtype=object)
    county[finite] = locator.locate(lon[finite], lat[finite])
    outside = finite & (county == None) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)  # noqa: E711
    errors.add(outside, "lon", f"point is outside {REGION_NAMES.get(region, region)} "
               f"(after {coord_sys} -> WGS84)", values=frame["lon"].to_numpy())
    good = ~errors.bad
    sites = pd.DataFrame({
        "row": table.rows.to_numpy()[good],
        **{k: v[good] for k, v in values.items()},
        "lon": np.round(lon[good], 7), "lat": np.round(lat[good], 7),
        "county_adcode": county[good],
    })
    errors.items.sort(key=lambda e: (e["row"], e["column"]))
    return Validated(sites=sites, errors=errors.items, rows_read=len(frame))
