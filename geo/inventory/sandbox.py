"""Read untrusted workbooks (XLSX, XLS) in a worker process under memory, time and size limits.

python-calamine builds the whole used range of a sheet in memory: one cell at XFD1048576
asks for 1,048,576 x 16,384 cells (512 GiB; the failed allocation aborts the process), one
at BXX100000 for 7.9 GB, and a 1 GB cell compresses into a 1 MB upload. So the server never
opens a workbook itself:

1. ``read_workbook`` starts a fresh isolated interpreter (``python -I``, empty environment)
   with the upload on stdin and kills it after ``worker_seconds``. The child limits itself
   (RLIMIT_AS = ``worker_memory_mb``, RLIMIT_CPU, RLIMIT_FSIZE, no core file) before it reads
   a byte, and answers JSON on stdout - never pickle, so even a child subverted by a file
   cannot run code in the server. A limit, a timeout or a crash of the child becomes an
   UploadTooLargeError (413) or UploadRejectedError (422), never a dead server.
2. In the child, ``check_xlsx`` bounds the work before calamine sees the file: zip member
   count, duplicate parts, declared sizes and compression ratio; then a streaming scan
   (1 MiB chunks, bounded carry-over, C-speed regexes) of the first sheet and the workbook's
   top-level parts (shared strings, styles) for the declared ``<dimension>``, every
   ``r="..."`` cell and row reference, ``count`` attributes, text longer than the cell
   limit allows, and comments/CDATA/DOCTYPE (which would hide text from that check).
3. The sheet is then read row by row, every cell checked exactly (characters per cell:
   row-level errors with Excel row numbers) and streamed out as one JSON line per row, so
   the child holds little more than calamine's own range.

This module imports only the standard library and orjson at the top, so the worker starts
in about 0.1 s; the server side holds no worker state except a semaphore of parse slots.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import posixpath
import re
import signal
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from xml.etree import ElementTree

import orjson

from geo.errors import ServiceBusyError, UploadRejectedError, UploadTooLargeError

log = logging.getLogger("ganzhou_atlas.inventory")

ROOT = Path(__file__).resolve().parents[2]
CHUNK = 1 << 20
MAX_MEMBERS = 10_000  # a workbook has a few dozen parts
MAX_RATIO = 200  # deflate tops out near 1,030:1; sheets compress 5-20:1
RATIO_MIN_BYTES = 1 << 20  # small parts may compress better than that
MAX_INDEX_BYTES = 8 << 20  # xl/workbook.xml and its rels are a few KB
XML_BYTES_PER_CHAR = 10  # "&#128512;" is 9 bytes for one character
WORKER_SLOTS = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))
EXIT_MEMORY = 3
_BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); "
         "from geo.inventory.sandbox import main; main()")
_ENV = {"PATH": os.defpath}


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on reading one upload; the defaults are those of AtlasSettings."""

    max_rows: int = 200_000
    max_columns: int = 64
    max_cell_chars: int = 1_000
    max_unzipped_mb: float = 512
    worker_memory_mb: int = 1_024
    worker_seconds: float = 120

    @classmethod
    def from_settings(cls, settings, max_rows: int) -> ReadLimits:
        """The limits configured in ``settings`` (AtlasSettings) with ``max_rows`` rows."""
        return cls(max_rows=max_rows, max_columns=settings.max_upload_columns,
                   max_cell_chars=settings.max_cell_chars,
                   max_unzipped_mb=settings.max_unzipped_mb,
                   worker_memory_mb=settings.parse_worker_memory_mb,
                   worker_seconds=settings.parse_worker_seconds)


# ---------------------------------------------------------------- server side

def read_workbook(data: bytes, kind: str, limits: ReadLimits
                  ) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, the data rows (lists of cell texts) and the Excel row number of each.

    The parse runs in a limited worker process; raises UploadRejectedError,
    UploadTooLargeError or (all parse slots busy for ``worker_seconds``) ServiceBusyError.
    """
    if not WORKER_SLOTS.acquire(timeout=limits.worker_seconds):
        raise ServiceBusyError("every workbook reader is busy; retry in a minute")
    try:
        output = _run_worker(data, kind, limits)
    finally:
        WORKER_SLOTS.release()
    body, _, last = output.rpartition(b"\n")
    try:
        meta = orjson.loads(last)
        if "error" in meta:
            cls = UploadTooLargeError if meta["error"] == "UploadTooLargeError" \
                else UploadRejectedError
            raise cls(str(meta.get("detail")), **dict(meta.get("extensions") or {}))
        header, numbers = list(meta["header"]), list(meta["rows"])
        rows = orjson.loads(b"[" + body.replace(b"\n", b",") + b"]") if body else []
    except (orjson.JSONDecodeError, KeyError, TypeError):
        raise UploadRejectedError("the workbook cannot be read (malformed reader answer)") \
            from None
    if len(rows) != len(numbers) or any(len(r) != len(header) for r in rows):
        raise UploadRejectedError("the workbook cannot be read (malformed reader answer)")
    return header, rows, numbers


def _scratch(data: bytes = b""):
    """An unnamed in-memory file (memfd; a deleted temp file elsewhere) holding ``data``."""
    try:
        handle = os.fdopen(os.memfd_create("atlas-upload", os.MFD_CLOEXEC), "w+b")
    except (AttributeError, OSError):
        handle = tempfile.TemporaryFile()
    handle.write(data)
    handle.seek(0)
    return handle


def _run_worker(data: bytes, kind: str, limits: ReadLimits) -> bytes:
    args = [sys.executable, "-I", "-c", _BOOT, str(ROOT), kind,
            orjson.dumps(asdict(limits)).decode()]
    with _scratch(data) as stdin, _scratch() as stdout, _scratch() as stderr:
        proc = subprocess.Popen(args, stdin=stdin, stdout=stdout, stderr=stderr, env=_ENV,
                                cwd=ROOT, close_fds=True)
        try:
            code = proc.wait(timeout=limits.worker_seconds)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            code = -signal.SIGKILL
        if code == 0:
            stdout.seek(0)
            return stdout.read()
        stderr.seek(0)
        err = stderr.read(4096).decode("utf-8", "replace")
    raise _worker_failure(code, err, limits)


def _worker_failure(code: int, err: str, limits: ReadLimits) -> Exception:
    memory = f"{limits.worker_memory_mb:,} MB of memory"
    if code == EXIT_MEMORY or (code == -signal.SIGABRT and "memory allocation" in err):
        log.warning("workbook reader ran out of memory (%s)", memory)
        return UploadTooLargeError(f"reading the workbook needs more than {memory}; split "
                                   "it or save it as CSV", limit="parse_worker_memory_mb")
    if code in (-signal.SIGKILL, -signal.SIGXCPU):
        log.warning("workbook reader stopped after %g s (exit %s)", limits.worker_seconds, code)
        return UploadTooLargeError(
            f"reading the workbook takes longer than {limits.worker_seconds:g} s or more than "
            f"{memory}; split it or save it as CSV", limit="parse_worker_seconds")
    if code == -signal.SIGXFSZ:
        return UploadTooLargeError("the workbook's content is too large to pass on",
                                   limit="parse_worker_memory_mb")
    log.warning("workbook reader failed (exit %s): %s", code, err[-500:].strip())
    return UploadRejectedError("the workbook cannot be read (the reader failed on it)")


# ---------------------------------------------------------------- worker side

def main() -> None:
    """Worker entry point: limit this process, read stdin, stream JSON lines to stdout.

    One line per data row (a JSON list of cell texts), then one last line: the header and
    the Excel row numbers, or the error (rows already written are then ignored).
    """
    kind, limits = sys.argv[2], ReadLimits(**orjson.loads(sys.argv[3]))
    _limit_self(limits)
    out = sys.stdout.buffer
    try:
        data = sys.stdin.buffer.read()
        out.write(orjson.dumps(_parse(data, kind, limits, out)))
        out.flush()
    except MemoryError:
        os._exit(EXIT_MEMORY)


def _limit_self(limits: ReadLimits) -> None:
    import resource

    memory = int(limits.worker_memory_mb * 2**20)
    cpu = int(limits.worker_seconds) + 1
    for name, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_FSIZE, memory),
                        (resource.RLIMIT_CPU, cpu), (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(name, (value, value))


def _parse(data: bytes, kind: str, limits: ReadLimits, out) -> dict:
    try:
        if kind == "xlsx":
            check_xlsx(data, limits)
        return read_sheet(data, limits, out)
    except (UploadRejectedError, UploadTooLargeError) as exc:
        return {"error": type(exc).__name__, "detail": exc.detail,
                "extensions": exc.extensions}
    except MemoryError:
        raise
    except Exception:  # a bug or a corner of zipfile/calamine: still a client error
        return {"error": "UploadRejectedError",
                "detail": "the workbook cannot be read (damaged or not a workbook)"}


def cell_text(value: object) -> str:
    """The text of one cell as the operator typed it (12.0 -> "12", dates ISO)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def read_sheet(data: bytes, limits: ReadLimits, out) -> dict:
    """Stream the first sheet's data rows to ``out`` (JSON lines), checking every cell.

    Returns ``{"header": [...], "rows": [Excel row number of each line]}``.
    """
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    except Exception:  # calamine raises its own error types for corrupt workbooks
        raise UploadRejectedError(
            "the workbook cannot be read (damaged, encrypted or not a workbook)") from None
    if sheet.end is None:
        raise UploadRejectedError("the first sheet of the workbook is empty")
    last_row, last_column = sheet.end[0] + 1, sheet.end[1] + 1
    _check_extent(last_row, last_column,
                  f"its used range up to {_label(last_column)}{last_row}", limits)
    header, index, seen = None, [], 0
    long_cells: list[tuple[int, int, str, int]] = []  # (row, column, start, length)
    limit, dumps, write = limits.max_cell_chars, orjson.dumps, out.write
    for seen, raw in enumerate(sheet.iter_rows(), start=1):
        cells = [v.strip() if v.__class__ is str else cell_text(v) for v in raw]
        if not any(cells):
            continue
        if max(map(len, cells)) > limit and len(long_cells) < 1000:
            long_cells += [(seen, j, v[:64], len(v)) for j, v in enumerate(cells)
                           if len(v) > limit]
        if header is None:
            header = cells
            continue
        index.append(seen)
        if not long_cells:
            write(dumps(cells) + b"\n")
    if header is None:
        raise UploadRejectedError("the first sheet of the workbook is empty")
    # iter_rows starts at row 1 or at the first used row: count back from the last one
    offset = last_row - seen
    if long_cells:
        errors = [{"row": i + offset, "column": header[j][:64], "value": v + "...",
                   "reason": f"longer than {limit:,} characters ({n:,})"}
                  for i, j, v, n in long_cells[:1000]]
        raise UploadTooLargeError(
            f"{len(errors):,}{'+' if len(errors) == 1000 else ''} cells are longer than "
            f"{limit:,} characters", limit="max_cell_chars", errors=errors)
    return {"header": header, "rows": [i + offset for i in index]}


def _label(column: int) -> str:
    """Spreadsheet column label of a 1-based column number (64 -> "BL")."""
    out = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def _number(label: str) -> int:
    """1-based column number of a label ("BL" -> 64)."""
    n = 0
    for ch in label.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _check_extent(rows: int, columns: int, where: str, limits: ReadLimits) -> None:
    """Refuse a sheet reaching past the column or row limit; ``where`` names the evidence."""
    if columns > limits.max_columns:
        raise UploadTooLargeError(
            f"the first sheet has {where}, {columns:,} columns wide; the limit is "
            f"{limits.max_columns} columns (A:{_label(limits.max_columns)}): delete the empty "
            "columns right of the data or save it as CSV", limit="max_upload_columns")
    if rows > limits.max_rows + 1:
        raise UploadTooLargeError(
            f"the first sheet has {where}, {rows:,} rows long; the limit is "
            f"{limits.max_rows:,} rows plus the header: delete the empty rows below the data "
            "or save it as CSV", limit="max_upload_rows", rows=rows, max_rows=limits.max_rows)


# ---------------------------------------------------------------- XLSX pre-check

def check_xlsx(data: bytes, limits: ReadLimits) -> None:
    """Refuse an XLSX whose zip or XML declares more than ``limits`` allow (streaming)."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise UploadRejectedError("the workbook is not a readable XLSX (zip) file") from None
    with book:
        parts = _check_members(book.infolist(), limits)
        if "xl/workbook.xml" not in parts:
            raise UploadRejectedError("the zip is not an XLSX workbook (no xl/workbook.xml); "
                                      "XLSB and ODS are not accepted: save it as XLSX or CSV")
        scanner = _Scanner(limits)
        index = [n for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels") if n in parts]
        for name in index:
            scanner.scan(book, parts[name], sheet=False)
        sheets, others = _parts_to_scan(book, parts)
        for name in sheets:
            scanner.scan(book, parts[name], sheet=True)
        for name in others:
            scanner.scan(book, parts[name], sheet=False)


def _mb(n: float) -> str:
    return f"{n / 2**20:,.1f} MB"


def _check_members(infos: list[zipfile.ZipInfo], limits: ReadLimits) -> dict:
    if len(infos) > MAX_MEMBERS:
        raise UploadTooLargeError(f"the workbook has {len(infos):,} parts (limit "
                                  f"{MAX_MEMBERS:,})", limit="max_unzipped_mb")
    budget, total, parts = limits.max_unzipped_mb * 2**20, 0, {}
    for info in infos:
        name = info.filename.replace("\\", "/").lower()
        if name in parts:
            raise UploadRejectedError(f"the workbook holds the part {info.filename!r} twice")
        if info.flag_bits & 0x1:
            raise UploadRejectedError("the workbook is encrypted (password-protected)")
        parts[name] = info
        total += info.file_size
        if total > budget:
            raise UploadTooLargeError(
                f"the workbook unpacks to more than {limits.max_unzipped_mb:g} MB",
                limit="max_unzipped_mb")
        if info.file_size > RATIO_MIN_BYTES and \
                info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UploadTooLargeError(
                f"the part {info.filename!r} unpacks from {_mb(info.compress_size)} to "
                f"{_mb(info.file_size)} (more than {MAX_RATIO}:1): refused as a zip bomb",
                limit="max_unzipped_mb")
    return parts


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _elements(book: zipfile.ZipFile, info: zipfile.ZipInfo | None, tag: str
              ) -> Iterator[dict[str, str]]:
    """Attributes (local names) of every ``tag`` element of a small XML part."""
    if info is None:
        return
    if info.file_size > MAX_INDEX_BYTES:
        raise UploadTooLargeError(f"the part {info.filename!r} is larger than "
                                  f"{_mb(MAX_INDEX_BYTES)}", limit="max_unzipped_mb")
    try:
        with book.open(info) as stream:
            for _, element in ElementTree.iterparse(stream, events=("start",)):
                if _local(element.tag) == tag:
                    yield {_local(k): v for k, v in element.attrib.items()}
    except ElementTree.ParseError:
        raise UploadRejectedError(f"the part {info.filename!r} is not well-formed XML") \
            from None


def _parts_to_scan(book: zipfile.ZipFile, parts: Mapping[str, zipfile.ZipInfo]
                   ) -> tuple[list[str], list[str]]:
    """(The first sheet, or every sheet if it cannot be told; shared strings and styles)."""
    first = next(_elements(book, parts["xl/workbook.xml"], "sheet"), {})
    rels = {r.get("Id"): r for r in
            _elements(book, parts.get("xl/_rels/workbook.xml.rels"), "Relationship")}
    targets = {}
    for rid, rel in rels.items():
        target = (rel.get("Target") or "").replace("\\", "/")
        path = target[1:] if target.startswith("/") else posixpath.join("xl", target)
        targets[rid] = posixpath.normpath(path).lower()
    sheet = targets.get(first.get("id"))
    sheets = [sheet] if sheet is not None and sheet in parts else \
        [n for n in parts if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    others = {n for n in ("xl/sharedstrings.xml", "xl/styles.xml") if n in parts}
    others |= {targets[rid] for rid, rel in rels.items() if targets[rid] in parts and
               (rel.get("Type") or "").rsplit("/", 1)[-1] in ("sharedStrings", "styles")}
    return sheets, sorted(others - set(sheets))


def _over(limit: int, letters: bool) -> str:
    """Regex of the column labels (``letters``) or numbers without leading zeros that sort
    after ``limit`` - by length, then character by character; letters in either case."""
    text, low, high = (_label(limit), "A", "Z") if letters else (str(limit), "0", "9")

    def span(a: str, b: str) -> str:
        return f"[{a}-{b}{a.lower()}-{b.lower()}]" if letters else f"[{a}-{b}]"

    def same(ch: str) -> str:
        return f"[{ch}{ch.lower()}]" if letters else ch

    n = len(text)
    alternatives = [f"{span('A' if letters else '1', high)}{span(low, high)}{{{n},}}"]
    for i, ch in enumerate(text):
        if ch < high:
            prefix = "".join(same(c) for c in text[:i])
            alternatives.append(f"{prefix}{span(chr(ord(ch) + 1), high)}"
                                f"{span(low, high)}{{{n - i - 1}}}")
    return "(?:" + "|".join(alternatives) + ")"


_DIMENSION = re.compile(rb"""<(?:\w+:)?dimension\b[^>]*?\sref\s*=\s*["']([^"']*)["']""")
_R_VALUE = re.compile(rb"""\sr\s*=\s*["']([^"'<>]{0,64})""")
_REF = re.compile(r"\$?([A-Za-z]{0,8})\$?([0-9]{1,40})")
_DECLARATION = re.compile(rb"""(?:\xef\xbb\xbf)?\s*(<\?xml[^>]{0,200}?\?>)?""")
_ENCODING = re.compile(rb"""encoding\s*=\s*["'](?!utf-?8["'])""", re.IGNORECASE)


class _Scanner:
    """Streams XML parts in chunks and refuses what would make calamine allocate too much."""

    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits
        self.left = int(limits.max_unzipped_mb * 2**20)
        self.run = XML_BYTES_PER_CHAR * limits.max_cell_chars + 256
        self.long_text = re.compile(rb"<[^<]{%d}" % self.run)
        column, row = _over(limits.max_columns, True), _over(limits.max_rows + 1, False)
        # starts with a literal "r" (fast to search); the byte before is checked in _check
        self.bad_ref = re.compile(rb"""r\s*=\s*["'](?:%s[0-9]|[A-Za-z]*0*%s["']|[^"'<>]*&)"""
                                  % (column.encode(), row.encode()))
        cells = _over((limits.max_rows + 1) * limits.max_columns, False)
        self.bad_count = re.compile(rb"""\s(?:\w+:)?(?:count|uniqueCount)\s*=\s*["']0*%s["']"""
                                    % cells.encode())

    def scan(self, book: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: bool) -> None:
        """Check one part; raise on the first violation."""
        carry, start = b"", None
        with book.open(info) as stream:
            while chunk := stream.read(CHUNK):
                self.left -= len(chunk)
                if self.left < 0:
                    raise UploadTooLargeError(f"the workbook unpacks to more than "
                                              f"{self.limits.max_unzipped_mb:g} MB",
                                              limit="max_unzipped_mb")
                buf = carry + chunk
                if start is None:
                    start = self._prolog(buf, info.filename)
                cut = max(buf.rfind(b"<", start), start)
                self._check(buf, start, cut, info.filename, sheet)
                carry, start = buf[cut:], 0
                if len(carry) > self.run:
                    raise self._too_long()
        self._check(carry, start or 0, len(carry), info.filename, sheet)

    def _prolog(self, buf: bytes, name: str) -> int:
        """Offset after the XML declaration; refuse parts that are not UTF-8."""
        declaration = _DECLARATION.match(buf)
        assert declaration is not None  # every part of the pattern is optional
        if buf.startswith((b"\xff\xfe", b"\xfe\xff")) or (
                declaration.group(1) and _ENCODING.search(declaration.group(1))):
            raise UploadRejectedError(f"the part {name!r} is not UTF-8 XML")
        return declaration.end()

    def _too_long(self) -> UploadTooLargeError:
        return UploadTooLargeError(
            f"a cell of the workbook is longer than {self.limits.max_cell_chars:,} characters",
            limit="max_cell_chars")

    def _check(self, buf: bytes, start: int, end: int, name: str, sheet: bool) -> None:
        if buf.find(b"<!", start, end) >= 0 or buf.find(b"<?", start, end) >= 0:
            raise UploadRejectedError(f"the part {name!r} holds a comment, CDATA, DOCTYPE or "
                                      "processing instruction, which no spreadsheet writes")
        if self.long_text.search(buf, start, end):
            raise self._too_long()
        if buf.find(b"ount", start, end) >= 0 and (m := self.bad_count.search(buf, start, end)):
            raise UploadTooLargeError(
                f"the part {name!r} declares {m.group(0).decode(errors='replace').strip()}; "
                f"the limit is {self.limits.max_rows + 1:,} rows x {self.limits.max_columns} "
                "columns", limit="max_upload_rows")
        if not sheet:
            return
        if buf.find(b"dimension", start, end) >= 0:
            for m in _DIMENSION.finditer(buf, start, end):
                ref = m.group(1).decode("ascii", "replace")
                self._check_ref(ref, f"the declared range {ref[:40]}")
        pos = start
        while m := self.bad_ref.search(buf, pos, end):
            pos = m.start() + 1
            if m.start() > start and buf[m.start() - 1] in b" \t\r\n":  # an attribute "r"
                value = _R_VALUE.match(buf, m.start() - 1)
                assert value is not None  # bad_ref matched r="... right after the whitespace
                ref = value.group(1).decode("ascii", "replace")
                what = "a cell at" if any(c.isalpha() for c in ref) else "a row numbered"
                self._check_ref(ref, f"{what} {ref[:40]}", strict=True)

    def _check_ref(self, ref: str, where: str, strict: bool = False) -> None:
        ends = _REF.findall(ref)
        if len(ref) > 40 or "&" in ref or (strict and not ends):
            raise UploadRejectedError(f"the first sheet has an unusual cell reference "
                                      f"{ref[:40]!r}")
        columns = max((_number(c) for c, _ in ends), default=0)
        rows = max((int(r) for _, r in ends), default=0)
        _check_extent(rows, columns, where, self.limits)
        if strict:  # the regex matched, so the reference is over a limit in some spelling
            raise UploadTooLargeError(f"the first sheet has {where}: over the limits",
                                      limit="max_upload_rows")
