"""The ``datetime`` parameter (OGC API - Features Part 1 §7.15.4) and features' time spans.

A request gives an instant or an interval with RFC 3339 date-times, open ends written
``..``. A feature's temporal property is a plan year (an int column: the whole calendar
year) or a date / date-time text (a whole day, a month, a year, or an instant); the feature
is selected when its span intersects the request's. Features without a temporal value are
not selected (``/req/core/fc-time-response``: only features whose temporal geometry
intersects are part of the result), so a collection without a temporal property selects none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from geo.errors import InvalidParameterError

OPEN = ".."
TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# RFC 3339 date-time: a time and an offset (Z or ±hh:mm) are both required.
_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


@dataclass(frozen=True)
class Interval:
    """A closed time span in UTC; ``None`` ends are open."""

    start: datetime | None
    end: datetime | None


def _instant(text: str) -> Interval:
    """An RFC 3339 date-time is an instant; a full-date (also RFC 3339) is that whole day."""
    try:
        if _DATE.fullmatch(text):
            day = datetime.fromisoformat(text).replace(tzinfo=UTC)
            return Interval(day, day + timedelta(days=1) - timedelta(microseconds=1))
        if _DATE_TIME.fullmatch(text):
            moment = datetime.fromisoformat(text.upper().replace(" ", "T")).astimezone(UTC)
            return Interval(moment, moment)
    except (ValueError, OverflowError):  # 2023-02-30; 9999-12-31T23:00:00-05:00 overflows
        pass
    raise _bad(text)


def _bad(text: str) -> InvalidParameterError:
    return InvalidParameterError(
        f"datetime 须为 RFC 3339 时间 (如 2023-01-01T00:00:00Z)、日期 (2023-01-01) 或区间 "
        f"起/止 (开放端写 ..): {text!r} is not an RFC 3339 date-time, a date, or an interval "
        "start/end with '..' for an open end", "datetime")


def parse_datetime(text: str) -> Interval:
    """Parse the ``datetime`` parameter; a malformed value is a 400 naming it."""
    # An unencoded "+" of an offset arrives as a space: "08:00:00 08:00" -> "08:00:00+08:00"
    text = re.sub(r" (\d{2}:\d{2})$", r"+\1", text.strip())
    if "/" not in text:
        return _instant(text)
    first, _, second = text.partition("/")
    if "/" in second or (first in (OPEN, "") and second in (OPEN, "")):
        raise _bad(text)
    start = None if first in (OPEN, "") else _instant(first).start
    end = None if second in (OPEN, "") else _instant(second).end
    if start is not None and end is not None and start > end:
        raise InvalidParameterError(f"datetime 区间的终点早于起点: interval {text!r} ends "
                                    "before it starts", "datetime")
    return Interval(start, end)


def _span(value: object) -> tuple[datetime, datetime] | None:
    """The time span of one feature's temporal value, or None when it has none."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (int, np.integer)):
        year = int(value)
        if not 1 <= year <= 9998:
            return None
        return (datetime(year, 1, 1, tzinfo=UTC),
                datetime(year + 1, 1, 1, tzinfo=UTC) - timedelta(microseconds=1))
    text = str(value).strip()
    for pattern, step in ((r"\d{4}", "year"), (r"\d{4}-\d{2}", "month")):
        if re.fullmatch(pattern, text):
            year, month = int(text[:4]), int(text[5:7]) if step == "month" else 1
            try:
                start = datetime(year, month, 1, tzinfo=UTC)
                if step == "year":
                    following = datetime(year + 1, 1, 1, tzinfo=UTC)
                else:
                    following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
            except (ValueError, OverflowError):  # year 0000, 9999's end, month 13
                return None
            return start, following - timedelta(microseconds=1)
    try:
        interval = _instant(text)
    except InvalidParameterError:
        return None
    assert interval.start is not None and interval.end is not None
    return interval.start, interval.end


def spans(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start and end (as UTC epoch microseconds) and presence of each feature's span."""
    starts = np.zeros(len(values), dtype=np.int64)
    ends = np.zeros(len(values), dtype=np.int64)
    present = np.zeros(len(values), dtype=bool)
    for i, value in enumerate(values.tolist()):
        span = _span(value)
        if span is not None:
            starts[i], ends[i] = (_micros(t) for t in span)
            present[i] = True
    return starts, ends, present


def _micros(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def intersecting(interval: Interval, bounds: tuple[np.ndarray, np.ndarray, np.ndarray]
                 ) -> np.ndarray:
    """Mask of the spans that intersect ``interval`` (absent spans never do)."""
    starts, ends, present = bounds
    mask = present.copy()
    if interval.end is not None:
        mask &= starts <= _micros(interval.end)
    if interval.start is not None:
        mask &= ends >= _micros(interval.start)
    return mask


def extent(bounds: tuple[np.ndarray, np.ndarray, np.ndarray]) -> list[str | None] | None:
    """The ``extent.temporal.interval`` entry of the spans: [first start, last end]."""
    starts, ends, present = bounds
    if not present.any():
        return None
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    first = epoch + timedelta(microseconds=int(starts[present].min()))
    last = epoch + timedelta(microseconds=int(ends[present].max()))
    return [first.strftime("%Y-%m-%dT%H:%M:%SZ"), last.strftime("%Y-%m-%dT%H:%M:%SZ")]
