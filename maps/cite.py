"""Citations as a person cites: document short title, chapter, the quote on click, line ref.

The layers' ``cite`` column holds references such as ``000:554; 001:43-44`` (seed prefix and
lines). A planner reads 《赣州市“十四五”数字经济发展规划》第四章 …（000:554） and clicks it to
see the cited words; the line reference stays for checking against the seed copy. Short
titles are in ``geo.labels.SOURCE_SHORT_TITLE``; the chapter of a line is resolved by
``geo.metadata`` (the same headings the layer metadata pages list).
"""

from __future__ import annotations

import re
from functools import lru_cache

from geo.citations import Citation, SeedLibrary
from geo.labels import SOURCE_SHORT_TITLE
from geo.metadata import chapter_heading
from geo.settings import SHIPPED_DATA_DIR
from maps.elements import esc

_REF = re.compile(r"(?P<src>\d{3}):(?P<lines>\d+(?:-\d+)?)")
QUOTE_CHARS = 160


@lru_cache(maxsize=1)
def _library() -> SeedLibrary:
    return SeedLibrary(SHIPPED_DATA_DIR / "plan" / "seeds")


@lru_cache(maxsize=4096)
def resolve(src: str, lines: str) -> tuple[str, str, str]:
    """(short title, chapter or "", quote) of one reference; unknown parts stay empty."""
    title = SOURCE_SHORT_TITLE.get(src, f"资料{src}")
    chapter = chapter_heading(src, int(lines.split("-")[0]))
    try:
        quote = re.sub(r"\s+", "", _library().text(Citation(src=src, lines=lines)))
    except (KeyError, IndexError, ValueError):
        quote = ""
    if len(quote) > QUOTE_CHARS:
        quote = quote[:QUOTE_CHARS] + "……"
    return title, chapter or "", quote


def references(cite: object) -> list[tuple[str, str, str, str, str]]:
    """(label, ref, title, chapter, quote) of each reference in a ``cite`` text.

    ``label`` is the words before a reference (e.g. 目标 in ``目标 000:12；梯次 000:40``).
    """
    if not isinstance(cite, str):
        return []
    out = []
    for part in re.split(r"[;；]", cite):
        for m in _REF.finditer(part):
            label = part[:m.start()].strip() if m.start() else ""
            title, chapter, quote = resolve(m["src"], m["lines"])
            out.append((label, m[0], title, chapter, quote))
    return out


def _reading(label: str, refs: list[str], title: str, chapter: str) -> str:
    head = f"{label}：" if label else ""
    return f"{head}{title}{chapter and ' ' + chapter}（{'、'.join(refs)}）"


def _grouped(cite: object) -> list[tuple[str, str, str, list[tuple[str, str]]]]:
    """References grouped by (label, document, chapter): [(label, title, chapter, [(ref,
    quote)])], in first-cited order."""
    groups: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for label, ref, title, chapter, quote in references(cite):
        group = groups.setdefault((label, title, chapter), [])
        if (ref, quote) not in group:
            group.append((ref, quote))
    return [(label, title, chapter, refs) for (label, title, chapter), refs in groups.items()]


def cite_short(cite: object) -> tuple[str, str]:
    """(readable citation, the quotes) for a table cell and its tooltip."""
    groups = _grouped(cite)
    if not groups:
        return (str(cite) if isinstance(cite, str) else "", "")
    text = "；".join(_reading(lab, [r for r, _ in refs], t, ch) for lab, t, ch, refs in groups)
    quotes = "\n".join(f"{r}：{q}" for *_, refs in groups for r, q in refs if q)
    return text, quotes


def cite_html(cite: object) -> str:
    """A popup's 出处: one line per document and chapter, the quotes opening on click."""
    groups = _grouped(cite)
    if not groups:
        return f'<p class="cite">出处：{esc(cite)}</p>' if esc(cite) else ""
    items = []
    for label, title, chapter, refs in groups:
        reading = esc(_reading(label, [r for r, _ in refs], title, chapter))
        quotes = "".join(f"<q>{esc(q)}<small>（{esc(r)}）</small></q>" for r, q in refs if q)
        items.append(f"<details><summary>{reading}</summary>{quotes}</details>" if quotes
                     else f"<div>{reading}</div>")
    return f'<div class="cite"><span>出处：</span>{"".join(items)}</div>'
