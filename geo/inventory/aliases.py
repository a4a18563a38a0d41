"""The one table of header and value spellings an inventory may use (docs/inventory.md).

Operators export their inventories from their own systems: the header says 站址编号 or
经度 rather than ``site_id`` or ``lon``, a site is a 宏站 rather than ``macro``, and a band is
written as a frequency (``3.5G``). Rather than make every operator rename columns by hand
(and get it wrong in a different way each month), the reader maps every spelling listed
here onto the canonical names of ``vocab``. The table is data, not code, so the docs'
tables are generated from it and a test keeps the two equal.

Matching is on a *key*: Unicode NFKC (full-width ``ｌｏｎ`` and ``（）`` become ASCII), case
folded, with whitespace, ``_`` and ``-`` removed - so ``Site ID``, ``site_id`` and
``SITE-ID`` are one spelling. Headers may also carry a bracketed note or a required-field
star (``经度(WGS84)``, ``站址编号*``), which is dropped before matching. Only spellings that
mean one thing are mapped; an ambiguous band (``3.3G`` is n77 or n78) is a row error naming
the choices, never a guess.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from geo.inventory.vocab import BANDS, CSV_COLUMNS, SITE_TYPES, STATUSES

__all__ = [
    "BAND_AMBIGUOUS",
    "BAND_FREQUENCIES",
    "COLUMN_ALIASES",
    "COLUMN_LABELS",
    "STATUS_ALIASES",
    "STATUS_LABELS",
    "TYPE_ALIASES",
    "TYPE_LABELS",
    "ambiguous_band",
    "canonical_column",
    "canonical_value",
    "closest_header",
    "header_spellings",
    "key",
    "value_spellings",
]

# Canonical column -> the Chinese label the template and the messages use.
COLUMN_LABELS: dict[str, str] = {
    "site_id": "站址编号", "lon": "经度", "lat": "纬度", "type": "站型", "band": "频段",
    "status": "状态", "commissioned": "开通日期",
}
# Canonical column -> every other accepted header (the canonical name and the label are
# accepted too). Keys must stay unique across columns (tested).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "site_id": ("站号", "基站编号", "站点编号", "站址ID", "基站ID", "site id"),
    "lon": ("lng", "long", "longitude", "x", "经度坐标"),
    "lat": ("latitude", "y", "纬度坐标"),
    "type": ("类型", "基站类型", "站点类型", "站址类型", "site type"),
    "band": ("频率", "工作频段", "5G频段", "frequency band"),
    "status": ("建设状态", "站点状态", "基站状态"),
    "commissioned": ("入网日期", "开通时间", "入网时间", "commissioned date"),
}

# Canonical value -> its Chinese label (the template's drop-down shows these) and the
# other accepted spellings. English canonical values are accepted in any case.
TYPE_LABELS: dict[str, str] = {"macro": "宏站", "micro": "微站", "indoor": "室分"}
TYPE_ALIASES: dict[str, tuple[str, ...]] = {
    "macro": ("宏基站", "宏"),
    "micro": ("微基站", "小站", "小基站", "微"),
    "indoor": ("室内分布", "室内", "室分站", "室内站", "室内覆盖"),
}
# The project's statuses (docs/inventory.md "Status"): planned = not yet built (规划, 待建
# and 在建 alike: a site under construction gives no service and may still move),
# built = 已建未开通 (standing, not yet in service), on_air = 在网 (in service: the only
# status the coverage model counts).
STATUS_LABELS: dict[str, str] = {"planned": "规划", "built": "已建未开通", "on_air": "在网"}
STATUS_ALIASES: dict[str, tuple[str, ...]] = {
    "planned": ("待建", "在建", "规划中", "拟建", "建设中"),
    "built": ("已建", "建成", "已建成", "已完工"),
    "on_air": ("已开通", "开通", "在用", "已入网", "on air"),
}
# Bands written as a frequency (GHz with ``G``/``GHz``, MHz with ``M``/``MHz``), in MHz ->
# the NR band that frequency means in China's 5G allocations:
# 700 MHz 广电/移动 n28, 2.1 GHz 电信/联通 n1, 2.6 GHz 移动 n41, 3.5 GHz 电信/联通 n78,
# 4.9 GHz 移动/广电 n79.
BAND_FREQUENCIES: dict[int, str] = {700: "n28", 2100: "n1", 2600: "n41", 3500: "n78",
                                    4900: "n79"}
# Frequencies that name more than one band: 3.3 GHz (the shared indoor 3300-3400 MHz) lies in
# both n77 and n78.
BAND_AMBIGUOUS: dict[int, tuple[str, ...]] = {3300: ("n77", "n78")}

_NOTE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|[*※]")
_DROP = re.compile(r"[\s_\-]+")
_FREQUENCY = re.compile(r"(\d+(?:\.\d+)?)(ghz|g|mhz|m)")


def key(text: str) -> str:
    """The matching key of a header or value: NFKC, case folded, no spaces, ``_`` or ``-``."""
    return _DROP.sub("", unicodedata.normalize("NFKC", str(text)).casefold())


def _header_key(text: str) -> str:
    """Key of a header, without a bracketed note or required-field star (if more remains)."""
    plain = _NOTE.sub("", unicodedata.normalize("NFKC", str(text)))
    return key(plain) or key(text)


def _table(canonical: tuple[str, ...], labels: dict[str, str],
           aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in canonical:
        for spelling in (name, labels[name], *aliases[name]):
            out.setdefault(key(spelling), name)
    return out


_COLUMNS = _table(CSV_COLUMNS, COLUMN_LABELS, COLUMN_ALIASES)
_VALUES = {"type": _table(SITE_TYPES, TYPE_LABELS, TYPE_ALIASES),
           "status": _table(STATUSES, STATUS_LABELS, STATUS_ALIASES),
           "band": {key(b): b for b in BANDS}}
# every accepted header as written in the table (for "did you mean ...")
_SPELLINGS: dict[str, str] = {}
for _column in CSV_COLUMNS:
    for _spelling in (_column, COLUMN_LABELS[_column], *COLUMN_ALIASES[_column]):
        _SPELLINGS.setdefault(key(_spelling), _spelling)


def canonical_column(header: str) -> str | None:
    """The canonical column a header means, or None for a header that is not accepted."""
    return _COLUMNS.get(_header_key(header))


def closest_header(header: str) -> str | None:
    """The accepted header nearest to ``header`` (difflib), as ``站址编号 (site_id)``."""
    match = difflib.get_close_matches(_header_key(header), list(_COLUMNS), n=1, cutoff=0.6)
    if not match:
        return None
    spelling, column = _SPELLINGS[match[0]], _COLUMNS[match[0]]
    return spelling if spelling == column else f"{spelling} ({column})"


def _frequency_mhz(text_key: str) -> int | None:
    match = _FREQUENCY.fullmatch(text_key)
    if match is None:
        return None
    number, unit = float(match.group(1)), match.group(2)
    mhz = number * 1000 if unit.startswith("g") else number
    return int(round(mhz)) if abs(mhz - round(mhz)) < 1e-6 else None


def canonical_value(column: str, text: str) -> str:
    """The canonical value a cell of ``column`` (type, status, band) means.

    A spelling not in the table comes back as its key, so validation reports it as an
    unknown value (with the cell as the operator typed it).
    """
    k = key(text)
    found = _VALUES[column].get(k)
    if found is None and column == "band":
        found = BAND_FREQUENCIES.get(_frequency_mhz(k) or -1)
    return found if found is not None else k


def ambiguous_band(text: str) -> tuple[str, ...] | None:
    """The bands an ambiguous band spelling may mean (``3.3G`` -> n77, n78), else None."""
    return BAND_AMBIGUOUS.get(_frequency_mhz(key(text)) or -1)


def value_spellings(column: str) -> dict[str, tuple[str, ...]]:
    """Canonical value -> every accepted spelling (docs and the template's rules sheet)."""
    if column == "type":
        return {v: (v, TYPE_LABELS[v], *TYPE_ALIASES[v]) for v in SITE_TYPES}
    if column == "status":
        return {v: (v, STATUS_LABELS[v], *STATUS_ALIASES[v]) for v in STATUSES}
    spelled: dict[str, list[str]] = {b: [b] for b in BANDS}
    for mhz, band in BAND_FREQUENCIES.items():
        spelled[band] += [_ghz(mhz) + "G", _ghz(mhz) + "GHz"] if mhz >= 1000 else \
            [f"{mhz}M", f"{mhz}MHz"]
    return {b: tuple(s) for b, s in spelled.items()}


def _ghz(mhz: int) -> str:
    return f"{mhz / 1000:g}"


def header_spellings() -> dict[str, tuple[str, ...]]:
    """Canonical column -> every accepted header spelling (docs and the rules sheet)."""
    return {c: (c, COLUMN_LABELS[c], *COLUMN_ALIASES[c]) for c in CSV_COLUMNS}


def markdown() -> str:
    """The alias tables as docs/inventory.md shows them (a test keeps the doc equal to this;
    ``python -m geo.inventory.aliases`` prints it for pasting)."""
    lines = ["| column | 中文 | also accepted as header |", "| --- | --- | --- |"]
    for column, spellings in header_spellings().items():
        lines.append(f"| `{column}` | {COLUMN_LABELS[column]} | "
                     + ", ".join(f"`{s}`" for s in spellings[2:]) + " |")
    lines += ["", "| column | stored as | accepted values |", "| --- | --- | --- |"]
    for column in ("type", "status", "band"):
        for value, spellings in value_spellings(column).items():
            lines.append(f"| `{column}` | `{value}` | "
                         + ", ".join(f"`{s}`" for s in spellings) + " |")
    for mhz, bands in BAND_AMBIGUOUS.items():
        lines.append(f"| `band` | — | `{_ghz(mhz)}G` is ambiguous ({' or '.join(bands)}): "
                     "a row error naming both |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(markdown())
