"""Workbooks as Excel writes them: openpyxl's output with its inline strings moved into a
shared-string table (Excel always writes ``t="s"`` cells and ``xl/sharedStrings.xml``;
openpyxl writes ``t="inlineStr"``), so tests exercise the reader on what operators send."""

from __future__ import annotations

import io
import re
import zipfile
from html import unescape
from xml.sax.saxutils import escape

import openpyxl

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_TYPE = ("application/vnd.openxmlformats-officedocument.spreadsheetml."
               "sharedStrings+xml")
SHARED_REL = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
              "sharedStrings")
_INLINE = re.compile(r'<c ([^>]*?)t="inlineStr"([^>]*)><is><t(?: [^>]*)?>(.*?)</t></is></c>',
                     re.DOTALL)


def shared_strings(data: bytes) -> bytes:
    """The workbook ``data`` with every inline string cell turned into a shared string."""
    strings: dict[str, int] = {}
    uses = 0

    def to_shared(match: re.Match) -> str:
        nonlocal uses
        uses += 1
        text = unescape(match.group(3))
        index = strings.setdefault(text, len(strings))
        return f'<c {match.group(1)}t="s"{match.group(2)}><v>{index}</v></c>'

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        parts = {i.filename: src.read(i) for i in src.infolist()}
        for name in [n for n in parts if n.startswith("xl/worksheets/")]:
            parts[name] = _INLINE.sub(to_shared, parts[name].decode()).encode()
        items = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings)
        parts["xl/sharedStrings.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" '
            f'count="{uses}" uniqueCount="{len(strings)}">{items}</sst>').encode()
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType='
                         f'"{SHARED_TYPE}"/></Types>'.encode())
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>", f'<Relationship Id="rIdShared" Type="{SHARED_REL}" '
                                 f'Target="sharedStrings.xml"/></Relationships>'.encode())
        for name, body in parts.items():
            dst.writestr(name, body)
    return out.getvalue()


def excel_workbook(rows: list[list[object]]) -> bytes:
    """An XLSX of ``rows`` (first sheet) as Excel would save it: shared strings, real dates."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return shared_strings(buf.getvalue())
